//! Lifecycle events: what happened in the IdP that a push client turns into SCIM requests.

use serde::{Deserialize, Serialize};

/// A user as the IdP pushes it: its app profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushUser {
    /// The IdP's object id (Okta `00u...`, Entra object id): sent as externalId.
    pub idp_id: String,
    pub user_name: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    /// The work email.
    pub email: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl PushUser {
    /// `name.formatted` as Entra builds it: given and family name joined by a space.
    pub fn formatted_name(&self) -> String {
        match (self.given_name.is_empty(), self.family_name.is_empty()) {
            (false, false) => format!("{} {}", self.given_name, self.family_name),
            (false, true) => self.given_name.clone(),
            _ => self.family_name.clone(),
        }
    }
}

/// A group as the IdP pushes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushGroup {
    /// The IdP's group id (sent as externalId by Entra).
    pub idp_id: String,
    pub display_name: String,
    /// IdP ids of the members; only members the client has provisioned are pushed.
    #[serde(default)]
    pub members: Vec<String>,
}

/// One lifecycle event. Users and groups are named by their IdP ids; the client maps them to
/// the ids the SCIM server gave (see [`crate::scim_push::Knowledge`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ScimEvent {
    /// Both vendors' "Test connection": a lookup that should find nothing.
    TestConnection,
    /// The user is assigned to the app: looked up, then created (or, when known, brought up
    /// to date and reactivated).
    Assign { user: PushUser },
    /// The user's profile changed.
    Update { user: PushUser },
    /// The user is suspended in the IdP (active=false).
    Suspend { user: String },
    /// The user is deactivated in the IdP (active=false).
    Deactivate { user: String },
    /// The user is unsuspended or reactivated (active=true).
    Reactivate { user: String },
    /// The user is unassigned from the app (active=false for both vendors).
    Unassign { user: String },
    /// The user is deleted in the IdP (Okta: active=false; Entra: soft delete, then DELETE).
    Delete { user: String },
    /// The group is pushed: created when new (then its members added), else its name and
    /// members brought up to date.
    PushGroup { group: PushGroup },
    /// The group is renamed.
    RenameGroup { group: String, display_name: String },
    /// Members join and leave a group, in one PATCH.
    Members {
        group: String,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    /// The group is no longer pushed (Okta: unlinked; Entra: deleted or out of scope): DELETE.
    DeleteGroup { group: String },
}

impl ScimEvent {
    /// A short label for evidence: `assign 00u123`.
    pub fn label(&self) -> String {
        match self {
            ScimEvent::TestConnection => "test_connection".into(),
            ScimEvent::Assign { user } => format!("assign {}", user.idp_id),
            ScimEvent::Update { user } => format!("update {}", user.idp_id),
            ScimEvent::Suspend { user } => format!("suspend {user}"),
            ScimEvent::Deactivate { user } => format!("deactivate {user}"),
            ScimEvent::Reactivate { user } => format!("reactivate {user}"),
            ScimEvent::Unassign { user } => format!("unassign {user}"),
            ScimEvent::Delete { user } => format!("delete {user}"),
            ScimEvent::PushGroup { group } => format!("push_group {}", group.idp_id),
            ScimEvent::RenameGroup { group, .. } => format!("rename_group {group}"),
            ScimEvent::Members { group, .. } => format!("members {group}"),
            ScimEvent::DeleteGroup { group } => format!("delete_group {group}"),
        }
    }
}
