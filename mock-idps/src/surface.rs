//! A tenant's control surface in Rust: the operations the HTTP control API offers under
//! `/_idpsim/tenants/{vendor}/{id}/…` (docs/control-api.md), as methods on [`Tenant`]. The
//! control API's handlers call these, and so does an in-process harness, so nothing outside
//! this crate needs to lock the tenant's state.

use crate::directory::{DirectoryError, Group, NewUser, User};
use crate::next_login::NextLogin;
use crate::saml_idp::slo::model::{AppSlo, IdpLogout, IdpSession};
use crate::tenant::{AppEncryption, LogEntry, OidcClient, SamlApp, Tenant};
use protocols::KeySet;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Fields of a user that `PATCH …/users/{user}` (and [`Tenant::patch_user`]) may change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub attributes: Option<BTreeMap<String, Vec<String>>>,
    pub active: Option<bool>,
}

impl Tenant {
    /// `GET …/users`.
    pub fn users(&self) -> Vec<User> {
        self.state.lock().directory.users().to_vec()
    }

    /// `GET …/users/{user}`: by id, login or email.
    pub fn user(&self, key: &str) -> Option<User> {
        self.state.lock().directory.find(key).cloned()
    }

    /// `POST …/users`.
    pub fn add_user(&self, new: NewUser) -> Result<User, DirectoryError> {
        self.state
            .lock()
            .directory
            .add_user(new, self.personality(), self.ids.as_ref())
    }

    /// `PATCH …/users/{user}`: the changed user, or None when there is no such user.
    pub fn patch_user(&self, key: &str, patch: UserPatch) -> Option<User> {
        let mut st = self.state.lock();
        let u = st.directory.find_mut(key)?;
        if let Some(x) = patch.email {
            u.email = x;
        }
        if let Some(x) = patch.given_name {
            u.given_name = x;
        }
        if let Some(x) = patch.family_name {
            u.family_name = x;
        }
        if let Some(x) = patch.display_name {
            u.display_name = x;
        }
        if let Some(x) = patch.roles {
            u.roles = x;
        }
        if let Some(x) = patch.attributes {
            u.attributes = x;
        }
        if let Some(x) = patch.active {
            u.active = x;
        }
        Some(u.clone())
    }

    /// `DELETE …/users/{user}`.
    pub fn remove_user(&self, key: &str) -> Result<User, DirectoryError> {
        self.state.lock().directory.remove_user(key)
    }

    /// `GET …/groups`.
    pub fn groups(&self) -> Vec<Group> {
        self.state.lock().directory.groups().to_vec()
    }

    /// One group by name or id.
    pub fn group(&self, name_or_id: &str) -> Option<Group> {
        self.state.lock().directory.group(name_or_id).cloned()
    }

    /// `POST …/groups`.
    pub fn add_group(&self, name: &str, id: Option<String>) -> Result<Group, DirectoryError> {
        self.state
            .lock()
            .directory
            .add_group(name, id, self.personality(), self.ids.as_ref())
    }

    /// The id of group `name`, created (as `POST …/groups` would) when missing.
    pub fn ensure_group(&self, name: &str) -> String {
        self.state
            .lock()
            .directory
            .ensure_group(name, self.personality(), self.ids.as_ref())
    }

    /// Make `user` a member of exactly `groups` (by name, created when missing), in that order:
    /// what a series of `PUT` and `DELETE …/groups/{group}/members/{user}` leaves. The user, or
    /// None when there is no such user.
    pub fn set_user_groups(&self, user: &str, groups: &[String]) -> Option<User> {
        let mut st = self.state.lock();
        let ids: Vec<String> = groups
            .iter()
            .map(|g| {
                st.directory
                    .ensure_group(g, self.personality(), self.ids.as_ref())
            })
            .collect();
        let u = st.directory.find_mut(user)?;
        u.groups = ids;
        Some(u.clone())
    }

    /// `PUT …/groups/{group}/members/{user}`.
    pub fn add_member(&self, user: &str, group: &str) -> Result<(), DirectoryError> {
        self.state
            .lock()
            .directory
            .add_member(user, group, self.personality(), self.ids.as_ref())
    }

    /// `DELETE …/groups/{group}/members/{user}`.
    pub fn remove_member(&self, user: &str, group: &str) -> Result<(), DirectoryError> {
        self.state.lock().directory.remove_member(user, group)
    }

    /// `GET …/saml-apps`.
    pub fn saml_apps(&self) -> Vec<SamlApp> {
        self.state.lock().saml_apps.clone()
    }

    /// `PUT …/saml-apps/{app}/encryption` (Some) and `DELETE` (None), for the app with this id
    /// or SP entity id, after [`crate::saml_idp::encrypt::configure`] checked the request. The
    /// changed app, or None when there is no such app.
    pub fn set_app_encryption(&self, app: &str, enc: Option<AppEncryption>) -> Option<SamlApp> {
        let mut st = self.state.lock();
        let a = st
            .saml_apps
            .iter_mut()
            .find(|a| a.id == app || a.sp_entity_id == app)?;
        a.encryption = enc;
        Some(a.clone())
    }

    /// `PUT …/saml-apps/{app}/slo` (Some) and `DELETE` (None), for the app with this id or SP
    /// entity id, after [`crate::saml_idp::slo::configure`] checked the request. The changed app,
    /// or None when there is no such app.
    pub fn set_app_slo(&self, app: &str, slo: Option<AppSlo>) -> Option<SamlApp> {
        let mut st = self.state.lock();
        let a = st
            .saml_apps
            .iter_mut()
            .find(|a| a.id == app || a.sp_entity_id == app)?;
        a.slo = slo;
        Some(a.clone())
    }

    /// `GET …/saml-sessions`: the SAML sessions the IdP holds, oldest first.
    pub fn saml_sessions(&self) -> Vec<IdpSession> {
        self.state.lock().slo.sessions.clone()
    }

    /// `GET …/saml-logouts`: the IdP-initiated logouts sent, oldest first, each with the SP's
    /// answer once it came.
    pub fn saml_logouts(&self) -> Vec<IdpLogout> {
        self.state.lock().slo.logouts.clone()
    }

    /// `GET …/oidc-clients`.
    pub fn oidc_clients(&self) -> Vec<OidcClient> {
        self.state.lock().oidc_clients.clone()
    }

    /// `GET …/next-login`.
    pub fn next_login(&self) -> Option<NextLogin> {
        self.state.lock().next_login.clone()
    }

    /// `PUT …/next-login`.
    pub fn set_next_login(&self, next: NextLogin) {
        self.state.lock().next_login = Some(next);
    }

    /// `PUT …/next-login` over what is already prepared: `change` edits the pending override (a
    /// default one when none is).
    pub fn update_next_login(&self, change: impl FnOnce(&mut NextLogin)) {
        let mut st = self.state.lock();
        let mut next = st.next_login.take().unwrap_or_default();
        change(&mut next);
        st.next_login = Some(next);
    }

    /// `DELETE …/next-login`: the override that was pending, if any.
    pub fn clear_next_login(&self) -> Option<NextLogin> {
        self.state.lock().next_login.take()
    }

    /// `GET …/keys`: the published keys, the active one first.
    pub fn keys(&self) -> KeySet {
        self.state.lock().keys.clone()
    }

    /// Put back a key set taken with [`Tenant::keys`] (undoing `POST …/keys/rotate`).
    pub fn set_keys(&self, keys: KeySet) {
        self.state.lock().keys = keys;
    }

    /// `GET …/log`.
    pub fn request_log(&self) -> Vec<LogEntry> {
        self.state.lock().log.iter().cloned().collect()
    }

    /// `DELETE …/log`.
    pub fn clear_request_log(&self) {
        self.state.lock().log.clear();
    }
}
