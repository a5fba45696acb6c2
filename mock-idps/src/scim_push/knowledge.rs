//! What a push client knows about the server: the ids it was given, and what it last pushed.
//!
//! Okta and Entra keep this per app: the server's id for each user and group, learnt from the
//! answers to lookups and creates, is what every later request addresses.

use super::event::PushUser;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A user the server knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownUser {
    /// The id the SCIM server gave.
    pub scim_id: String,
    /// The profile as last pushed (Entra sends only what changed since).
    pub pushed: PushUser,
    pub active: bool,
}

/// A group the server knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownGroup {
    pub scim_id: String,
    pub display_name: String,
    /// IdP ids of the members pushed so far.
    pub members: BTreeSet<String>,
}

/// Everything learnt, keyed by IdP id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knowledge {
    pub users: BTreeMap<String, KnownUser>,
    pub groups: BTreeMap<String, KnownGroup>,
}

/// What a request teaches the client once it succeeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "learn", rename_all = "snake_case")]
pub enum Learn {
    Nothing,
    /// A user lookup: a match makes the user known under the id it carries.
    UserLookup {
        user: PushUser,
    },
    /// A create (or a PUT after a lookup): the user is known, with this profile.
    UserCreated {
        user: PushUser,
    },
    /// A profile update went through.
    UserPushed {
        user: PushUser,
    },
    UserActive {
        user: String,
        active: bool,
    },
    /// DELETE went through: the user is gone, from every group too.
    UserGone {
        user: String,
    },
    GroupLookup {
        group: String,
        display_name: String,
    },
    GroupCreated {
        group: String,
        display_name: String,
    },
    GroupRenamed {
        group: String,
        display_name: String,
    },
    GroupMembers {
        group: String,
        add: Vec<String>,
        remove: Vec<String>,
    },
    GroupGone {
        group: String,
    },
}

impl Knowledge {
    pub fn user(&self, idp_id: &str) -> Option<&KnownUser> {
        self.users.get(idp_id)
    }

    pub fn group(&self, idp_id: &str) -> Option<&KnownGroup> {
        self.groups.get(idp_id)
    }

    /// Record what a successful request taught. `id` is the resource id the answer carried
    /// (the created resource, or the lookup's match); lookups without a match pass None.
    pub fn learn(&mut self, learn: &Learn, id: Option<&str>) {
        match learn {
            Learn::Nothing => {}
            Learn::UserLookup { user } | Learn::UserCreated { user } => {
                let Some(id) = id else { return };
                self.users.insert(
                    user.idp_id.clone(),
                    KnownUser {
                        scim_id: id.to_string(),
                        pushed: user.clone(),
                        active: user.active,
                    },
                );
            }
            Learn::UserPushed { user } => {
                if let Some(k) = self.users.get_mut(&user.idp_id) {
                    k.pushed = user.clone();
                    k.active = user.active;
                }
            }
            Learn::UserActive { user, active } => {
                if let Some(k) = self.users.get_mut(user) {
                    k.active = *active;
                    k.pushed.active = *active;
                }
            }
            Learn::UserGone { user } => {
                self.users.remove(user);
                for g in self.groups.values_mut() {
                    g.members.remove(user);
                }
            }
            Learn::GroupLookup {
                group,
                display_name,
            }
            | Learn::GroupCreated {
                group,
                display_name,
            } => {
                let Some(id) = id else { return };
                self.groups.insert(
                    group.clone(),
                    KnownGroup {
                        scim_id: id.to_string(),
                        display_name: display_name.clone(),
                        members: BTreeSet::new(),
                    },
                );
            }
            Learn::GroupRenamed {
                group,
                display_name,
            } => {
                if let Some(g) = self.groups.get_mut(group) {
                    g.display_name = display_name.clone();
                }
            }
            Learn::GroupMembers { group, add, remove } => {
                if let Some(g) = self.groups.get_mut(group) {
                    for m in remove {
                        g.members.remove(m);
                    }
                    g.members.extend(add.iter().cloned());
                }
            }
            Learn::GroupGone { group } => {
                self.groups.remove(group);
            }
        }
    }
}
