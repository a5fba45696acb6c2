//! Pushing from a mock tenant: actions on the tenant's directory (assign, update, suspend,
//! delete a user; push, rename, change a group) become its vendor's SCIM requests against the
//! configured target.
//!
//! Each tenant's push state (the client, its learnt ids, the evidence) sits beside the tenant
//! in a registry keyed by the tenant's allocation, so the tenant type itself stays as it is.
//! An entry holds a `Weak` to its tenant: the allocation (and so the key) cannot be reused
//! while the entry exists, and entries of dropped tenants are pruned on the next access.

use super::client::ScimPushClient;
use super::dialect::DialectId;
use super::event::{PushGroup, PushUser, ScimEvent};
use super::evidence::{Exchange, Finding, PushOutcome};
use super::knowledge::Knowledge;
use crate::directory::{Directory, DirectoryError, NewUser, User};
use crate::personality::{ScimSupport, Vendor};
use crate::tenant::Tenant;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

/// How the userName a tenant pushes is made from its directory user (Okta's "Application
/// username format"; Entra's userName mapping).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserNameFormat {
    /// The login (Okta username, Entra user principal name): the vendors' default.
    #[default]
    Login,
    /// The login up to `@`.
    LoginPrefix,
    Email,
    /// The email up to `@`.
    EmailPrefix,
    /// The first value of one of the user's extra attributes (the login when unset).
    Attribute(String),
}

impl UserNameFormat {
    pub fn user_name(&self, u: &User) -> String {
        let prefix = |s: &str| s.split('@').next().unwrap_or(s).to_string();
        match self {
            UserNameFormat::Login => u.login.clone(),
            UserNameFormat::LoginPrefix => prefix(&u.login),
            UserNameFormat::Email => u.email.clone(),
            UserNameFormat::EmailPrefix => prefix(&u.email),
            UserNameFormat::Attribute(a) => u
                .attributes
                .get(a)
                .and_then(|v| v.first())
                .cloned()
                .unwrap_or_else(|| u.login.clone()),
        }
    }
}

/// A directory user as the tenant pushes it.
pub fn push_user(u: &User, format: &UserNameFormat) -> PushUser {
    let mut p = PushUser {
        idp_id: u.id.clone(),
        user_name: format.user_name(u),
        given_name: u.given_name.clone(),
        family_name: u.family_name.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        active: u.active,
    };
    if p.display_name.is_empty() {
        p.display_name = p.formatted_name();
    }
    p
}

/// Where a tenant pushes.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushTarget {
    /// The SCIM base URL (`.../scim/v2/organizations/acme`). For Entra, a
    /// `?aadOptscim062020` flag selects that dialect, as on Entra's tenant URL.
    pub base_url: String,
    pub token: String,
    /// Unset: the vendor's default dialect (or the flag's).
    pub dialect: Option<DialectId>,
    #[serde(default)]
    pub user_name: UserNameFormat,
    /// Per-request timeout (the dialect's 60 s when unset).
    pub timeout_ms: Option<u64>,
    /// Another User-Agent than the dialect's.
    pub user_agent: Option<String>,
    /// The attribute users are looked up by (`userName` or `externalId`); unset: the
    /// dialect's (Entra `userName`, S6). `externalId` is the objectId mapping idpsim's Entra
    /// used before issue 11.
    #[serde(default)]
    pub user_lookup: Option<super::dialect::LookupAttribute>,
}

impl std::fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushTarget")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("dialect", &self.dialect)
            .field("user_name", &self.user_name)
            .field("timeout_ms", &self.timeout_ms)
            .field("user_agent", &self.user_agent)
            .field("user_lookup", &self.user_lookup)
            .finish()
    }
}

/// A configured target as shown back (no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushTargetView {
    pub base_url: String,
    pub dialect: DialectId,
    pub user_name: UserNameFormat,
    pub timeout_ms: u64,
    pub user_agent: String,
    pub accept: String,
    pub content_type: String,
}

/// Profile changes an `update` applies to the directory before pushing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    pub login: Option<String>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
}

/// An action in the tenant, pushed to the target in the vendor's dialect. Users and groups
/// are named by id, login or email (users) and id or name (groups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum TenantEvent {
    /// The vendor's "Test connection".
    TestConnection,
    /// Assign the user to the app: lookup, then create.
    Assign {
        user: String,
    },
    /// Change the user's profile in the directory (nothing changed: push it as it is).
    Update {
        user: String,
        #[serde(default)]
        changes: ProfileChanges,
    },
    /// Suspend the user (directory active=false).
    Suspend {
        user: String,
    },
    /// Deactivate the user (directory active=false).
    Deactivate {
        user: String,
    },
    /// Unsuspend / reactivate the user (directory active=true).
    Reactivate {
        user: String,
    },
    /// Unassign the user from the app (the directory keeps it).
    Unassign {
        user: String,
    },
    /// Delete the user from the directory.
    Delete {
        user: String,
    },
    /// Push the group with its directory members.
    PushGroup {
        group: String,
    },
    /// Rename the group in the directory.
    RenameGroup {
        group: String,
        name: String,
    },
    AddMember {
        group: String,
        user: String,
    },
    RemoveMember {
        group: String,
        user: String,
    },
    /// Stop pushing the group (Okta: unlink; Entra: out of scope): DELETE. The directory
    /// keeps it.
    DeleteGroup {
        group: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{vendor} has no SCIM push: {reason}")]
    NoScim {
        vendor: Vendor,
        reason: &'static str,
    },
    #[error("no SCIM target configured for this tenant (PUT …/scim/target first)")]
    NotConfigured,
    #[error("invalid SCIM target: {0}")]
    InvalidTarget(String),
    #[error("no user {0:?} in the directory")]
    NoSuchUser(String),
    #[error("no group {0:?} in the directory")]
    NoSuchGroup(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
}

/// Exchanges and findings kept per tenant (the oldest go first).
pub const EVIDENCE_CAPACITY: usize = 1000;

/// A tenant's push evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushEvidence {
    pub target: Option<PushTargetView>,
    pub exchanges: VecDeque<Exchange>,
    pub findings: VecDeque<Finding>,
    /// What the client learnt: SCIM ids by IdP id.
    pub known: Knowledge,
}

struct Pusher {
    client: ScimPushClient,
    user_name: UserNameFormat,
}

#[derive(Default)]
struct Session {
    /// Held across a push, so one tenant's events go out one after the other.
    pusher: tokio::sync::Mutex<Option<Pusher>>,
    /// Updated after each event; readable while a push is under way.
    evidence: parking_lot::Mutex<PushEvidence>,
}

struct Entry {
    tenant: Weak<Tenant>,
    session: Arc<Session>,
}

fn registry() -> &'static parking_lot::Mutex<HashMap<usize, Entry>> {
    static R: OnceLock<parking_lot::Mutex<HashMap<usize, Entry>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn session(t: &Arc<Tenant>) -> Arc<Session> {
    let key = Arc::as_ptr(t) as usize;
    let mut reg = registry().lock();
    reg.retain(|_, e| e.tenant.strong_count() > 0);
    if let Some(e) = reg.get(&key) {
        return e.session.clone();
    }
    let s = Arc::new(Session::default());
    reg.insert(
        key,
        Entry {
            tenant: Arc::downgrade(t),
            session: s.clone(),
        },
    );
    s
}

fn find_user(dir: &Directory, key: &str) -> Result<User, PushError> {
    dir.find(key)
        .cloned()
        .ok_or_else(|| PushError::NoSuchUser(key.to_string()))
}

/// The directory with group `id` renamed. The directory has no rename of its own, so it is
/// rebuilt with the same ids, users and memberships.
fn renamed(dir: &Directory, id: &str, name: &str, t: &Tenant) -> Result<Directory, PushError> {
    let p = t.personality();
    let mut out = Directory::new(dir.domain.clone());
    for g in dir.groups() {
        let n = if g.id == id { name } else { g.name.as_str() };
        out.add_group(n, Some(g.id.clone()), p, t.ids.as_ref())?;
    }
    for u in dir.users() {
        out.add_user(
            NewUser {
                id: Some(u.id.clone()),
                login: Some(u.login.clone()),
                email: Some(u.email.clone()),
                given_name: Some(u.given_name.clone()),
                family_name: Some(u.family_name.clone()),
                display_name: Some(u.display_name.clone()),
                groups: u.groups.clone(),
                roles: u.roles.clone(),
                attributes: u.attributes.clone(),
                active: Some(u.active),
            },
            p,
            t.ids.as_ref(),
        )?;
    }
    Ok(out)
}

impl Tenant {
    /// Point this tenant's SCIM push at a target; learnt ids and evidence start afresh.
    pub async fn configure_scim_push(
        self: &Arc<Self>,
        target: PushTarget,
    ) -> Result<PushTargetView, PushError> {
        let dialects = match &self.personality().scim {
            ScimSupport::Dialects(d) => *d,
            ScimSupport::None { reason } => {
                return Err(PushError::NoScim {
                    vendor: self.vendor,
                    reason,
                })
            }
        };
        let default = dialects
            .first()
            .map(|d| d.id)
            .ok_or_else(|| PushError::InvalidTarget("the vendor lists no dialect".into()))?;
        let (flagged, base_url) = super::dialect::ScimDialect::from_tenant_url(&target.base_url);
        let dialect = match (target.dialect, flagged) {
            (Some(d), Some(f)) if d != f => {
                return Err(PushError::InvalidTarget(format!(
                    "the base URL's flag selects {f}, the dialect field says {d}"
                )))
            }
            (d, f) => f.or(d).unwrap_or(default),
        };
        if !dialects.iter().any(|d| d.id == dialect) {
            return Err(PushError::InvalidTarget(format!(
                "{dialect} is not a {} dialect ({})",
                self.personality().display_name,
                dialects
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        match url::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(PushError::InvalidTarget(format!(
                    "base_url {base_url:?} is not an http(s) URL"
                )))
            }
        }
        let mut client =
            ScimPushClient::new(dialect, base_url.clone(), target.token).with_ids(self.ids.clone());
        if target.timeout_ms == Some(0) {
            return Err(PushError::InvalidTarget(
                "timeout_ms must be at least 1".into(),
            ));
        }
        if let Some(ms) = target.timeout_ms {
            client = client.with_timeout(Duration::from_millis(ms));
        }
        if let Some(ua) = target.user_agent {
            client = client.with_user_agent(ua);
        }
        if let Some(attr) = target.user_lookup {
            client = client.with_user_lookup(attr);
        }
        let view = PushTargetView {
            base_url,
            dialect,
            user_name: target.user_name.clone(),
            timeout_ms: u64::try_from(client.timeout().as_millis()).unwrap_or(u64::MAX),
            user_agent: client.headers().user_agent.clone(),
            accept: client.headers().accept.clone(),
            content_type: client.headers().content_type.clone(),
        };
        let s = session(self);
        let mut pusher = s.pusher.lock().await;
        *pusher = Some(Pusher {
            client,
            user_name: target.user_name,
        });
        *s.evidence.lock() = PushEvidence {
            target: Some(view.clone()),
            ..PushEvidence::default()
        };
        Ok(view)
    }

    /// Do `event` in the tenant and push it. Directory changes are made even when the push
    /// fails, as in the real IdP: the outcome says what the target did with it.
    pub async fn scim_push(self: &Arc<Self>, event: TenantEvent) -> Result<PushOutcome, PushError> {
        if let ScimSupport::None { reason } = &self.personality().scim {
            return Err(PushError::NoScim {
                vendor: self.vendor,
                reason,
            });
        }
        let s = session(self);
        let mut guard = s.pusher.lock().await;
        let pusher = guard.as_mut().ok_or(PushError::NotConfigured)?;
        let scim_event = self.apply(&event, &pusher.user_name)?;
        let outcome = pusher.client.push(&scim_event).await;
        let mut ev = s.evidence.lock();
        for x in &outcome.exchanges {
            if ev.exchanges.len() >= EVIDENCE_CAPACITY {
                ev.exchanges.pop_front();
            }
            ev.exchanges.push_back(x.clone());
        }
        for f in &outcome.findings {
            if ev.findings.len() >= EVIDENCE_CAPACITY {
                ev.findings.pop_front();
            }
            ev.findings.push_back(f.clone());
        }
        ev.known = pusher.client.knowledge().clone();
        Ok(outcome)
    }

    /// The push target, exchanges, findings and learnt ids so far.
    pub fn scim_push_evidence(self: &Arc<Self>) -> PushEvidence {
        session(self).evidence.lock().clone()
    }

    /// Forget the recorded exchanges and findings (the learnt ids stay).
    pub fn clear_scim_push_evidence(self: &Arc<Self>) {
        let s = session(self);
        let mut ev = s.evidence.lock();
        ev.exchanges.clear();
        ev.findings.clear();
    }

    /// Make the directory change `event` stands for, and say what to push.
    fn apply(&self, event: &TenantEvent, fmt: &UserNameFormat) -> Result<ScimEvent, PushError> {
        let mut st = self.state.lock();
        let dir = &mut st.directory;
        let set_active = |dir: &mut Directory, key: &str, active: bool| {
            let u = dir
                .find_mut(key)
                .ok_or_else(|| PushError::NoSuchUser(key.to_string()))?;
            u.active = active;
            Ok::<String, PushError>(u.id.clone())
        };
        let group_id = |dir: &Directory, key: &str| {
            dir.group(key)
                .map(|g| g.id.clone())
                .ok_or_else(|| PushError::NoSuchGroup(key.to_string()))
        };
        Ok(match event {
            TenantEvent::TestConnection => ScimEvent::TestConnection,
            TenantEvent::Assign { user } => ScimEvent::Assign {
                user: push_user(&find_user(dir, user)?, fmt),
            },
            TenantEvent::Update { user, changes } => {
                if let Some(l) = &changes.login {
                    if dir
                        .find(l)
                        .is_some_and(|o| Some(&o.id) != dir.find(user).map(|u| &u.id))
                    {
                        return Err(DirectoryError::DuplicateLogin(l.clone()).into());
                    }
                }
                let u = dir
                    .find_mut(user)
                    .ok_or_else(|| PushError::NoSuchUser(user.clone()))?;
                let c = changes.clone();
                if let Some(x) = c.login {
                    u.login = x;
                }
                if let Some(x) = c.email {
                    u.email = x;
                }
                if let Some(x) = c.given_name {
                    u.given_name = x;
                }
                if let Some(x) = c.family_name {
                    u.family_name = x;
                }
                if let Some(x) = c.display_name {
                    u.display_name = x;
                }
                ScimEvent::Update {
                    user: push_user(u, fmt),
                }
            }
            TenantEvent::Suspend { user } => ScimEvent::Suspend {
                user: set_active(dir, user, false)?,
            },
            TenantEvent::Deactivate { user } => ScimEvent::Deactivate {
                user: set_active(dir, user, false)?,
            },
            TenantEvent::Reactivate { user } => ScimEvent::Reactivate {
                user: set_active(dir, user, true)?,
            },
            TenantEvent::Unassign { user } => ScimEvent::Unassign {
                user: find_user(dir, user)?.id,
            },
            TenantEvent::Delete { user } => ScimEvent::Delete {
                user: dir
                    .remove_user(user)
                    .map_err(|_| PushError::NoSuchUser(user.clone()))?
                    .id,
            },
            TenantEvent::PushGroup { group } => {
                let g = dir
                    .group(group)
                    .cloned()
                    .ok_or_else(|| PushError::NoSuchGroup(group.clone()))?;
                let members = dir
                    .users()
                    .iter()
                    .filter(|u| u.groups.contains(&g.id))
                    .map(|u| u.id.clone())
                    .collect();
                ScimEvent::PushGroup {
                    group: PushGroup {
                        idp_id: g.id,
                        display_name: g.name,
                        members,
                    },
                }
            }
            TenantEvent::RenameGroup { group, name } => {
                let id = group_id(dir, group)?;
                if dir.group(name).is_some_and(|g| g.id != id) {
                    return Err(DirectoryError::DuplicateGroup(name.clone()).into());
                }
                *dir = renamed(dir, &id, name, self)?;
                ScimEvent::RenameGroup {
                    group: id,
                    display_name: name.clone(),
                }
            }
            TenantEvent::AddMember { group, user } => {
                let gid = group_id(dir, group)?;
                let uid = find_user(dir, user)?.id;
                dir.add_member(&uid, &gid, self.personality(), self.ids.as_ref())?;
                ScimEvent::Members {
                    group: gid,
                    add: vec![uid],
                    remove: Vec::new(),
                }
            }
            TenantEvent::RemoveMember { group, user } => {
                let gid = group_id(dir, group)?;
                let uid = find_user(dir, user)?.id;
                dir.remove_member(&uid, &gid)?;
                ScimEvent::Members {
                    group: gid,
                    add: Vec::new(),
                    remove: vec![uid],
                }
            }
            TenantEvent::DeleteGroup { group } => ScimEvent::DeleteGroup {
                group: group_id(dir, group)?,
            },
        })
    }
}
