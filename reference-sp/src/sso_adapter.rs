//! The adapter between the SQLite store and the SSO protocol validators: [`DbSamlState`]
//! implements the SAML SP's [`SamlSpState`] (outstanding requests, replay cache) over the
//! database; [`saml_config`] / [`oidc_config`] build each org's [`SamlSpConfig`] /
//! [`OidcRpConfig`] from its stored settings; [`saml_identity`] / [`oidc_identity`] turn what
//! the validators accepted into an [`IdpIdentity`].

use crate::domain::attributes::Attributes;
use crate::domain::identity::{oidc_email, saml_email, IdpIdentity};
use crate::domain::sso_config::{OidcSettings, SamlSettings, SsoConfig};
use crate::oidc_rp::{AcceptedIdToken, OidcRpConfig};
use crate::saml_sp::{
    AcceptedAssertion, OutstandingRequest, SamlSpConfig, SamlSpError, SamlSpState,
};
use crate::state::OrgUrls;
use crate::store::orgs::Org;
use crate::store::{flows, Id, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::collections::BTreeMap;

const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

/// The SAML trust of `org` from its settings.
pub fn saml_config(
    urls: &OrgUrls,
    org: &Org,
    s: &SamlSettings,
) -> Result<SamlSpConfig, SamlSpError> {
    let mut cfg = match &s.metadata_xml {
        Some(xml) => {
            SamlSpConfig::from_idp_metadata(xml, urls.sp_entity_id.as_str(), &urls.saml_acs)?
        }
        None => SamlSpConfig::from_parts(
            urls.sp_entity_id.as_str(),
            &urls.saml_acs,
            s.idp_entity_id.as_deref().unwrap_or(""),
            s.sso_url.as_deref().unwrap_or(""),
            &s.certificates,
        )?,
    };
    cfg.allow_idp_initiated = org.allow_idp_initiated;
    if let (Some(key), Some(cert)) = (&s.decryption_key, &s.decryption_certificate) {
        cfg.decryption_key = Some(
            crate::saml_sp::DecryptionKey::from_pem(key, cert)
                .map_err(SamlSpError::InvalidDecryptionKey)?,
        );
    }
    Ok(cfg)
}

/// The OIDC connection of an organisation; the token endpoint uses client_secret_post.
pub fn oidc_config(urls: &OrgUrls, s: &OidcSettings) -> OidcRpConfig {
    let mut cfg = OidcRpConfig::new(
        s.issuer.clone(),
        s.client_id.clone(),
        s.client_secret.clone(),
        urls.oidc_redirect.clone(),
    );
    if !s.scopes.is_empty() {
        cfg.scopes = s.scopes.clone();
    }
    cfg
}

fn first_of(a: &Attributes, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| a.first(n))
}

/// The identity a validated SAML assertion vouches for.
pub fn saml_identity(a: &AcceptedAssertion, cfg: &SsoConfig) -> IdpIdentity {
    let attributes = Attributes::Exact(a.attributes().clone());
    let email = saml_email(
        &attributes,
        a.name_id(),
        a.name_id_format(),
        cfg.email_attribute.as_deref(),
    );
    let opaque = matches!(
        a.name_id_format(),
        Some(NAMEID_PERSISTENT) | Some(NAMEID_TRANSIENT)
    );
    let login = if opaque {
        email.clone()
    } else {
        Some(a.name_id().to_string())
    };
    let given = first_of(
        &attributes,
        &[
            "firstName",
            "givenName",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        ],
    );
    let family = first_of(
        &attributes,
        &[
            "lastName",
            "surname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        ],
    );
    let display_name = first_of(&attributes, &["displayName"]).or(match (given, family) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        (g, f) => g.or(f),
    });
    IdpIdentity {
        subject: a.name_id().to_string(),
        email,
        login,
        display_name,
        attributes,
    }
}

/// The identity a validated OIDC login vouches for. The mapped claim paths are resolved by the
/// RP (which knows about distributed claims), so the mapping sees exact keys.
pub fn oidc_identity(t: &AcceptedIdToken, cfg: &SsoConfig) -> IdpIdentity {
    let mut paths: Vec<&str> = vec!["email", "preferred_username", "name"];
    if let Some(m) = &cfg.role_mapping {
        paths.push(&m.attribute);
    }
    if let Some(m) = &cfg.resource_group_mapping {
        paths.push(&m.attribute);
    }
    if let Some(e) = &cfg.email_attribute {
        paths.push(e);
    }
    let resolved: BTreeMap<String, Vec<String>> = paths
        .into_iter()
        .map(|p| (p.to_string(), t.claim_path(p)))
        .collect();
    let attributes = Attributes::Exact(resolved);
    let email = oidc_email(&attributes, cfg.email_attribute.as_deref());
    IdpIdentity {
        subject: t.subject().to_string(),
        login: attributes
            .first("preferred_username")
            .or_else(|| email.clone()),
        display_name: attributes.first("name"),
        email,
        attributes,
    }
}

/// The SAML validator's view of the database, for one organisation, inside one transaction.
/// A database error stops the validation ([`crate::saml_sp::AcceptError::State`]).
pub struct DbSamlState<'a> {
    c: &'a Connection,
    org: Id,
    now: i64,
}

impl<'a> DbSamlState<'a> {
    pub fn new(c: &'a Connection, org: Id, now: i64) -> Self {
        Self { c, org, now }
    }
}

impl SamlSpState for DbSamlState<'_> {
    type Error = StoreError;

    fn consume_request(&self, request_id: &str) -> Result<Option<OutstandingRequest>, StoreError> {
        Ok(
            flows::consume_saml_request(self.c, request_id, self.org, self.now)?
                .map(|return_to| OutstandingRequest { return_to }),
        )
    }

    fn record_assertion(
        &self,
        assertion_id: &str,
        expires: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        flows::record_assertion(
            self.c,
            self.org,
            assertion_id,
            expires.timestamp(),
            self.now,
        )
    }
}
