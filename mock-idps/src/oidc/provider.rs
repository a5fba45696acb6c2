//! One authorization server of a tenant, as the handlers see it: the org server (every vendor),
//! or an Okta custom authorization server at `/oauth2/{id}` (S9). Each has its own issuer,
//! endpoints and OIDC facts; codes and tokens are bound to the server that issued them.

use super::error::{ErrorCode, OAuthError};
use super::json;
use crate::personality::OidcPersonality;
use crate::respond::noted;
use crate::routes::AuthzServer;
use crate::tenant::Tenant;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// A resolved authorization server.
#[derive(Debug, Clone)]
pub struct Provider<'a> {
    pub t: &'a Tenant,
    pub server: AuthzServer,
    pub oidc: &'static OidcPersonality,
    /// URL every path of this server is relative to.
    base: String,
}

/// A path named an authorization server the tenant does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authorization server {id:?} does not exist in this org")]
pub struct UnknownServer {
    pub id: String,
}

impl<'a> Provider<'a> {
    /// The tenant's own server.
    pub fn org(t: &'a Tenant) -> Self {
        Self {
            t,
            server: AuthzServer::Org,
            oidc: &t.personality().oidc,
            base: t.base_url.clone(),
        }
    }

    /// The server `server` names, if the tenant has it.
    pub fn resolve(t: &'a Tenant, server: AuthzServer) -> Result<Self, UnknownServer> {
        let id = match &server {
            AuthzServer::Org => return Ok(Self::org(t)),
            AuthzServer::V1 => {
                let v1 = t
                    .personality()
                    .oidc
                    .v1
                    .as_deref()
                    .ok_or(UnknownServer { id: "v1".into() })?;
                return Ok(Self {
                    t,
                    server,
                    oidc: v1,
                    base: t.base_url.clone(),
                });
            }
            AuthzServer::Custom(id) => id.clone(),
        };
        let unknown = || UnknownServer { id: id.clone() };
        let cs = t
            .personality()
            .oidc
            .custom_servers
            .as_deref()
            .ok_or_else(unknown)?;
        if !t.state.lock().authz_servers.contains(&id) {
            return Err(unknown());
        }
        Ok(Self {
            t,
            base: t.url(&cs.path.replace("{server}", &id)),
            server,
            oidc: &cs.oidc,
        })
    }

    /// A URL under this server's base.
    pub fn url(&self, path: &str) -> String {
        if path.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{}", self.base, path)
        }
    }

    pub fn issuer(&self) -> String {
        match self.oidc.issuer_template {
            Some(t) => t.replace("{tenant}", self.t.id.as_str()),
            None => self.url(self.oidc.issuer_path),
        }
    }

    /// The custom server's id (None for the org server).
    pub fn server_id(&self) -> Option<&str> {
        match &self.server {
            AuthzServer::Org | AuthzServer::V1 => None,
            AuthzServer::Custom(id) => Some(id),
        }
    }
}

impl UnknownServer {
    /// 404 with an OAuth-style body; nothing is changed or spent.
    pub fn response(&self) -> Response {
        let e = OAuthError::new(ErrorCode::Other("not_found".into()), self.to_string());
        noted(
            json(
                StatusCode::NOT_FOUND,
                &json!({"error": e.code.as_str(), "error_description": e.description}),
            ),
            format!("refused: {self}"),
        )
    }
}
