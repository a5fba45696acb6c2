//! Target adapters: how the harness drives an SP under test.
//!
//! [`Target`] is the shared part (where the SP lives, its profile, one HTTP client);
//! [`Admin`] is one scenario's view of the admin API (docs/target-api.md), recording every call
//! for the scenario's evidence.

mod admin;

pub use admin::{Admin, AdminError, NOT_APPLICABLE};

use crate::profile::Profile;
use std::collections::BTreeMap;

/// A running target: its profile with the base URL resolved.
#[derive(Debug, Clone)]
pub struct Target {
    pub profile: Profile,
    /// The SP's base URL (for `embedded`, the in-process reference SP's).
    pub base: String,
    http: reqwest::Client,
}

impl Target {
    pub fn new(profile: Profile, base: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(Self {
            profile,
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// Fill one of the profile's URL templates.
    pub fn url(&self, template: &str, vars: &[(&str, &str)]) -> String {
        let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
        self.profile.url(template, &self.base, &vars)
    }

    pub fn admin_base(&self) -> String {
        self.url(&self.profile.admin_url, &[])
    }

    /// A fresh admin session with its own call log.
    pub fn admin(&self) -> Admin {
        if self.profile.is_black_box() {
            return Admin::unavailable(self.http.clone());
        }
        Admin::new(
            self.http.clone(),
            self.admin_base(),
            self.profile.admin_token.clone(),
        )
    }

    /// The user-facing URLs of one organisation, from the profile.
    pub fn org_urls(&self, org: &str) -> OrgUrls {
        let e = &self.profile.endpoints;
        let v = [("org", org)];
        OrgUrls {
            sso_login: self.url(&e.sso_login, &v),
            join: self.url(&e.join, &v),
            saml_acs: self.url(&e.saml_acs, &v),
            saml_entity_id: self.url(&e.saml_entity_id, &v),
            oidc_callback: self.url(&e.oidc_callback, &v),
        }
    }

    pub fn resource_url(&self, owner: &str, repo: &str) -> String {
        self.url(
            &self.profile.endpoints.resource,
            &[("owner", owner), ("repo", repo)],
        )
    }

    pub fn create_content_url(&self, namespace: &str) -> String {
        self.url(
            &self.profile.endpoints.create_content,
            &[("namespace", namespace)],
        )
    }

    pub fn password_login_url(&self) -> String {
        self.url(&self.profile.endpoints.password_login, &[])
    }

    pub fn whoami_url(&self) -> String {
        self.url(&self.profile.endpoints.whoami, &[])
    }
}

/// What an IdP registers for one organisation, and where a browser starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUrls {
    pub sso_login: String,
    pub join: String,
    pub saml_acs: String,
    pub saml_entity_id: String,
    pub oidc_callback: String,
}
