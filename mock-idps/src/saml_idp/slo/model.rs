//! What Single Logout keeps and is configured with: plain data, held in the tenant's state and
//! its SAML apps. Nothing here reads a tenant.

use chrono::{DateTime, Utc};
use protocols::id_types::EntityId;
use serde::{Deserialize, Serialize};

/// Sessions and logouts kept per tenant (the oldest go first).
pub(super) const MAX_RECORDS: usize = 1000;

/// The binding a vendor uses towards the SP's SLO URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloBinding {
    Redirect,
    Post,
}

/// How a vendor signs the logout messages it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorSigning {
    /// The binding's own signature: enveloped XML-DSig over POST, SigAlg/Signature over
    /// Redirect (SAML bindings 3.4.4.1).
    Binding,
    /// An enveloped signature inside the XML whatever the binding (Entra, see the module docs).
    Enveloped,
}

/// A vendor's Single Logout (see the module docs for the sources).
#[derive(Debug, Clone, Copy)]
pub struct VendorSlo {
    /// The SLO endpoint under the tenant (`{app_name}`, `{app_id}` capture).
    pub path: &'static str,
    /// The Location the metadata advertises (`{tenant}`, `{app_name}`, `{app_key}`, `{app_id}`).
    pub url: &'static str,
    /// Whether the endpoint is the SSO endpoint too (Entra): only logout messages divert.
    pub shared_with_sso: bool,
    pub binding: SloBinding,
    /// The SP's LogoutRequest must be signed (Okta).
    pub request_signature_required: bool,
    pub signing: VendorSigning,
    /// Whether SLO is on only once the app enables it (Okta) or for every app that has an SLO
    /// URL (Entra's Logout Url).
    pub per_app_switch: bool,
}

/// An app's Single Logout settings (Okta's "Single Logout URL", "SP Issuer", "Signature
/// Certificate"; Entra's "Logout Url").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSlo {
    /// The SP's SLO URL: LogoutResponses and IdP-initiated LogoutRequests go there.
    pub url: String,
    pub binding: SloBinding,
    /// The Issuer the SP's logout messages carry; unset: the SP entity id.
    #[serde(default)]
    pub sp_issuer: Option<String>,
    /// PEM certificate that signs the SP's logout messages; unset: the app's `sp_signing_cert`.
    #[serde(default)]
    pub certificate: Option<String>,
}

/// `PUT …/saml-apps/{app}/slo`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSlo {
    pub url: String,
    /// Must be the vendor's (Okta `post`, Entra `redirect`); unset: the vendor's.
    pub binding: Option<SloBinding>,
    pub sp_issuer: Option<String>,
    pub certificate: Option<String>,
}

/// A session the IdP issued: one assertion's SessionIndex for one user at one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdpSession {
    pub app_id: String,
    pub sp_entity_id: EntityId,
    pub name_id: String,
    pub session_index: String,
    pub started: DateTime<Utc>,
}

/// An IdP-initiated logout and the SP's answer once it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdpLogout {
    pub request_id: String,
    pub app_id: String,
    pub name_id: String,
    pub session_index: Option<String>,
    pub sent: DateTime<Utc>,
    pub response: Option<SpAnswer>,
}

/// The LogoutResponse an SP sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpAnswer {
    pub id: String,
    pub status: String,
    pub sub_status: Option<String>,
    /// `verified`, `unsigned`, or why it failed.
    pub signature: String,
}

/// The tenant's SLO state, kept with the rest of its state.
#[derive(Debug, Clone, Default)]
pub struct SloState {
    pub sessions: Vec<IdpSession>,
    pub logouts: Vec<IdpLogout>,
}

pub(super) fn push_bounded<T>(v: &mut Vec<T>, item: T) {
    if v.len() >= MAX_RECORDS {
        v.remove(0);
    }
    v.push(item);
}

/// How an IdP-initiated logout signs its LogoutRequest: the vendor's signature, none, or a key
/// the SP does not trust.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoutSigning {
    #[default]
    Default,
    None,
    Foreign,
}
