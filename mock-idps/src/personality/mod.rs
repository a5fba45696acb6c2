//! Vendor personalities: how each IdP looks to a service provider, as data.
//!
//! One file per vendor fills a [`Personality`]; nothing else in the crate branches on the vendor.
//! Every value here is a default a scenario can override for one login (see
//! [`crate::next_login::NextLogin`]). Sources: shared/reference/vendors.md.

mod entra;
mod google;
mod okta;
mod scim;

use chrono::Duration;
use protocols::saml::{DigestAlgorithm, SignatureAlgorithm, SignaturePlacement};
use serde::{Deserialize, Serialize};

/// The vendors idpsim imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Okta,
    Entra,
    Google,
}

impl Vendor {
    pub const ALL: [Vendor; 3] = [Vendor::Okta, Vendor::Entra, Vendor::Google];

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Okta => "okta",
            Vendor::Entra => "entra",
            Vendor::Google => "google",
        }
    }

    pub fn personality(self) -> &'static Personality {
        use std::sync::OnceLock;
        static P: OnceLock<[Personality; 3]> = OnceLock::new();
        let all = P.get_or_init(|| {
            [
                okta::personality(),
                entra::personality(),
                google::personality(),
            ]
        });
        &all[self as usize]
    }
}

/// A vendor name none of the mocks answers to (`given` is lowercased).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown vendor {given:?} (okta, entra, google)")]
pub struct UnknownVendor {
    pub given: String,
}

impl std::str::FromStr for Vendor {
    type Err = UnknownVendor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "okta" => Ok(Vendor::Okta),
            "entra" | "azure" | "azuread" | "entra-id" => Ok(Vendor::Entra),
            "google" | "google-workspace" => Ok(Vendor::Google),
            other => Err(UnknownVendor {
                given: other.to_string(),
            }),
        }
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything vendor-specific, as data.
#[derive(Debug, Clone, Serialize)]
pub struct Personality {
    pub vendor: Vendor,
    pub display_name: &'static str,
    /// How this vendor's object ids look.
    pub ids: IdShapes,
    /// Whether group claims carry names (Okta, Google) or object ids (Entra).
    pub group_values: GroupValues,
    pub saml: SamlPersonality,
    pub oidc: OidcPersonality,
    /// How the vendor provisions over SCIM (see [`crate::scim_push`]).
    pub scim: ScimSupport,
}

pub use crate::scim_push::dialect::ScimDialect;
pub use entra::{ENTRA_SCIM_AADOPTSCIM062020, ENTRA_SCIM_DEFAULT};
pub use okta::{OKTA_SCIM_CATALOGUE, OKTA_SCIM_CUSTOM};

/// Whether and how a vendor pushes users and groups over SCIM.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScimSupport {
    /// The push client's dialects, the vendor's default first.
    Dialects(&'static [ScimDialect]),
    /// No SCIM push; `reason` says how users arrive instead.
    None { reason: &'static str },
}

/// What a group claim holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GroupValues {
    Names,
    Ids,
}

/// Shapes of generated identifiers.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum IdShape {
    /// `prefix` then `len` alphanumerics (Okta: `00u` + 17).
    Prefixed { prefix: &'static str, len: usize },
    /// A lowercase GUID, optionally with a prefix (`_` for Entra SAML ids).
    Guid { prefix: &'static str },
    /// `prefix` then `len` digits (Okta SAML ids `id` + digits, Google numeric ids).
    Digits { prefix: &'static str, len: usize },
    /// `prefix` then `len` lowercase hex digits (`len` even; Google SAML ids `_` + 32, S13).
    Hex { prefix: &'static str, len: usize },
}

impl IdShape {
    pub fn make(self, ids: &dyn protocols::IdGen) -> String {
        match self {
            IdShape::Prefixed { prefix, len } => format!("{prefix}{}", ids.alnum(len)),
            IdShape::Guid { prefix } => format!("{prefix}{}", ids.guid()),
            IdShape::Digits { prefix, len } => format!("{prefix}{}", ids.digits(len)),
            IdShape::Hex { prefix, len } => format!("{prefix}{}", ids.hex(len / 2)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IdShapes {
    pub user: IdShape,
    pub group: IdShape,
    pub tenant: IdShape,
    pub saml_app: IdShape,
    /// The per-app key in Okta's SAML issuer (`exk...`); unused elsewhere.
    pub saml_app_key: IdShape,
    pub oidc_client: IdShape,
    pub saml_message: IdShape,
    pub jti: IdShape,
    pub kid: IdShape,
}

/// Which directory field feeds a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserField {
    Login,
    Email,
    Id,
    GivenName,
    FamilyName,
    DisplayName,
    /// Group names (Okta, Google) or group object ids (Entra).
    Groups,
    Roles,
    TenantId,
    IdpName,
    /// How the user authenticated, as Entra's `authnmethodsreferences` claim names it (password,
    /// S8).
    AuthnMethods,
}

/// Entra's `authnmethodsreferences` value for a password sign-in (S8).
pub const ENTRA_AUTHN_METHOD_PASSWORD: &str =
    "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password";

/// One attribute a vendor sends by default.
#[derive(Debug, Clone, Serialize)]
pub struct AttrRule {
    pub name: &'static str,
    pub friendly_name: Option<&'static str>,
    pub source: UserField,
}

/// How a vendor limits group values.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum GroupLimit {
    /// No limit known.
    None,
    /// Above `max` groups the group values are replaced by a link (Entra).
    Overage { max: usize },
    /// Only the first `max` are sent (Google's 75).
    Cap { max: usize },
    /// More than `max` matching groups makes the request fail (Okta's groups claim, 100).
    Fail { max: usize },
}

pub use protocols::saml::response::uri::{
    ATTRNAME_BASIC, ATTRNAME_UNSPECIFIED, ATTRNAME_URI, NAMEID_EMAIL, NAMEID_ENTITY,
    NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED,
};

/// SAML facts.
#[derive(Debug, Clone, Serialize)]
pub struct SamlPersonality {
    /// Entity id template: `{tenant}`, `{app_key}`, `{base}`.
    pub entity_id: &'static str,
    /// Whether each app has its own entity id (Okta) or the tenant has one (Entra, Google).
    pub entity_id_per_app: bool,
    pub issuer_format: Option<&'static str>,
    /// Paths under the tenant base URL. `{app_id}`, `{app_name}` are captured.
    pub sso_path: &'static str,
    pub metadata_path: &'static str,
    pub idp_initiated_path: &'static str,
    /// The query parameter that names the app on tenant-wide paths (Entra `appid`, Google `spid`).
    pub app_query_param: Option<&'static str>,
    pub want_authn_requests_signed: bool,
    pub sign_placement: SignaturePlacement,
    pub sig_alg: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    pub assertion_prefix: &'static str,
    pub protocol_prefix: &'static str,
    pub xsi_typed_values: bool,
    pub inclusive_prefix_list: bool,
    pub attribute_name_format: Option<&'static str>,
    /// Conditions NotBefore relative to IssueInstant.
    pub not_before: Duration,
    /// Conditions NotOnOrAfter relative to IssueInstant.
    pub not_on_or_after: Duration,
    /// SubjectConfirmationData NotOnOrAfter relative to IssueInstant.
    pub subject_not_on_or_after: Duration,
    pub authn_context: &'static str,
    pub name_id_format: &'static str,
    pub name_id_source: UserField,
    /// NameIDPolicy formats this vendor honours; others get InvalidNameIDPolicy.
    pub name_id_formats: &'static [&'static str],
    /// Entra refuses AuthnRequests that carry a Subject.
    pub subject_in_request_is_error: bool,
    pub attributes: &'static [AttrRule],
    /// The group attribute's name; groups are sent only when the app asks for them (Okta, Google)
    /// or always (Entra, once configured).
    pub groups_attribute: Option<&'static str>,
    pub groups_limit: GroupLimit,
    /// Attribute that replaces the groups on overage (Entra's groups.link).
    pub groups_overage_attribute: Option<&'static str>,
    pub roles_attribute: Option<&'static str>,
    pub single_logout: bool,
    /// The SSO Location the metadata advertises, when it is not `sso_path` under the base:
    /// `{tenant}`, `{app_key}`, `{app_name}` and `{app_id}` are filled in, and no app query
    /// parameter is added (Okta `app/{tenant}_{app_name}_1/{app_key}/sso/saml`, S12; Google
    /// `o/saml2/idp?idpid={tenant}`, S13). `sso_path` keeps routing the old URLs.
    pub sso_url: Option<&'static str>,
    /// The NameIDFormats the metadata lists (S3, S12, S13); `name_id_formats` stays what the IdP
    /// honours in a NameIDPolicy.
    pub metadata_name_id_formats: &'static [&'static str],
    /// Whether the metadata lists every published key (the rotation set) or only the active one,
    /// as the vendors' app metadata does (S3, S12, S13).
    pub metadata_all_keys: bool,
    /// `validUntil` on the metadata: the signing certificate's expiry (Google, S13).
    pub metadata_valid_until: bool,
    /// The metadata is Entra's federation metadata document (ID, enveloped signature,
    /// RoleDescriptors, default namespace, S3) rather than a plain IDPSSODescriptor.
    pub federation_metadata: bool,
    /// The AuthnStatement's SessionIndex repeats the assertion ID (Entra S8, Google S13).
    pub session_index_is_assertion_id: bool,
    /// Instants with milliseconds (S8, S12, S13).
    pub millis: bool,
    /// AttributeStatement before AuthnStatement (Entra S8, Google S13).
    pub attributes_first: bool,
    /// Typed attribute values say `xs:anyType` (Google S13).
    pub any_type: bool,
    /// X509SubjectName in the assertion signature's KeyInfo (Google S13).
    pub key_info_subject_name: bool,
    /// Years the generated signing certificate stays valid.
    pub cert_years: i64,
    pub cert_cn: &'static str,
}

/// How the `sub` claim is formed.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum SubjectStyle {
    /// The user's object id.
    UserId,
    /// A per-client pairwise value (Entra).
    Pairwise,
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    ClientSecretBasic,
    ClientSecretPost,
}

impl TokenAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAuth::ClientSecretBasic => "client_secret_basic",
            TokenAuth::ClientSecretPost => "client_secret_post",
        }
    }
}

/// OIDC facts.
#[derive(Debug, Clone, Serialize)]
pub struct OidcPersonality {
    /// Issuer path under the tenant base URL ("" for the base itself).
    pub issuer_path: &'static str,
    /// An issuer that is not under the base URL (Entra v1 `https://sts.windows.net/{tenant}/`);
    /// `{tenant}` is the tenant id. Wins over `issuer_path`.
    pub issuer_template: Option<&'static str>,
    /// Put the certificate thumbprint `x5t` in id_token headers (Entra v1).
    pub header_x5t: bool,
    /// Paths under the tenant base URL.
    pub discovery_path: &'static str,
    pub authorize_path: &'static str,
    pub token_path: &'static str,
    pub userinfo_path: &'static str,
    pub jwks_path: &'static str,
    pub end_session_path: Option<&'static str>,
    /// Supported methods, the vendor's default first.
    pub token_auth: &'static [TokenAuth],
    pub id_token_lifetime: Duration,
    pub access_token_lifetime: Duration,
    /// The token response also carries `ext_expires_in` (Entra, S4/S5; the audit's Entra
    /// id_token row).
    pub ext_expires_in: bool,
    pub header_typ: Option<&'static str>,
    pub subject: SubjectStyle,
    /// Claims always present (besides iss/sub/aud/exp/iat/nonce).
    pub fixed_claims: &'static [(&'static str, FixedClaim)],
    /// Claims from the directory, and the scope that releases them (None: always).
    pub profile_claims: &'static [(&'static str, UserField, Option<&'static str>)],
    /// Profile claims that userinfo releases but the id_token leaves out (Okta's thin id_token
    /// from the token endpoint carries `name`, `email` and `preferred_username` only: S10).
    pub userinfo_only_claims: &'static [&'static str],
    pub groups_claim: Option<&'static str>,
    /// Whether the groups claim carries group names (Okta) or object ids (Entra).
    pub groups_value: GroupValue,
    /// The scope that must be requested for groups (Okta's `groups`).
    pub groups_scope: Option<&'static str>,
    pub groups_limit: GroupLimit,
    /// On overage, where `_claim_sources` points RPs (`{oid}`, `{tenant}` are filled in).
    pub groups_overage_endpoint: Option<&'static str>,
    /// Keys the JWKS lists (the active one and pre-published or retiring ones).
    pub published_keys: usize,
    pub sp_initiated_only: bool,
    pub scopes: &'static [&'static str],
    /// PKCE methods accepted, in the order discovery lists them.
    pub pkce_methods: &'static [&'static str],
    /// Whether discovery lists `code_challenge_methods_supported` (Entra's does not, S5).
    pub advertise_pkce: bool,
    /// `response_mode` values accepted for the code flow.
    pub response_modes: &'static [&'static str],
    /// Whether discovery lists `response_modes_supported` (Google's does not: the OIDC default
    /// `query`, `fragment` applies, S14).
    pub advertise_response_modes: bool,
    /// Whether id_tokens from the token endpoint carry `at_hash` (Entra's do not, S4).
    pub at_hash: bool,
    /// Whether the groups claim needs the client's `groups_claim` setting (Okta's Groups claim
    /// filter, S10; Entra's groupMembershipClaims, S2/S4) besides `groups_scope`.
    pub groups_need_client_setting: bool,
    /// When a refresh token is issued.
    pub offline: OfflineAccess,
    /// What an access token is.
    pub access_token: AccessTokenStyle,
    /// How the JWKS lists keys.
    pub jwks: JwksShape,
    /// Claims the userinfo answer adds to the released profile claims, and the scope that
    /// releases each (Google's `email_verified`, `hd`, `picture`, S14).
    pub userinfo_fixed_claims: &'static [(&'static str, FixedClaim, Option<&'static str>)],
    /// Extra discovery members, as the vendor publishes them (endpoints the mock does not serve
    /// are not listed).
    pub discovery_extra: &'static [(&'static str, DiscoveryValue)],
    /// Custom authorization servers beside the org one (Okta's `/oauth2/{id}`, S9).
    pub custom_servers: Option<Box<CustomServers>>,
    /// The v1.0 endpoints beside the v2.0 ones (Entra), paths under the tenant base.
    pub v1: Option<Box<OidcPersonality>>,
    /// Tenant-independent path segments that serve every tenant (Entra `common`,
    /// `organizations`), with the issuer template their discovery shows.
    pub multi_tenant: &'static [&'static str],
}

/// When the token endpoint issues a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineAccess {
    /// With the `offline_access` scope (Okta, Entra); `access_type` is an unknown parameter and
    /// ignored (RFC 6749 3.1).
    Scope,
    /// With `access_type=offline` and `prompt=consent` (Google, S14); `access_type` must be
    /// `online` or `offline`.
    AccessTypeOfflineWithConsent,
}

/// What the access token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenStyle {
    /// Random characters.
    Opaque,
    /// A signed JWT (Okta: `ver`, `jti` "AT.", `cid`, `uid`, `scp`, S10). `audience`:
    /// `{issuer}` for the issuer itself, `{server}` for the authorization server id.
    Jwt { audience: &'static str },
}

/// JWKS entry shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JwksShape {
    /// Certificates in `x5c`/`x5t` (Entra yes; Okta and Google publish bare keys, S9/S14).
    pub x5c: bool,
    /// The kid is the certificate's x5t (Entra, S4).
    pub kid_is_x5t: bool,
}

/// A discovery value that does not come from elsewhere in the personality.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum DiscoveryValue {
    Str(&'static str),
    Bool(bool),
    List(&'static [&'static str]),
}

/// Custom authorization servers (Okta API Access Management, S9).
#[derive(Debug, Clone, Serialize)]
pub struct CustomServers {
    /// Where a server lives under the tenant base; `{server}` is its id.
    pub path: &'static str,
    /// Servers every tenant has.
    pub builtin: &'static [&'static str],
    /// How a new server id looks (`aus` + 17).
    pub id: IdShape,
    /// The server's OIDC facts; its paths are relative to the server's base and its issuer.
    pub oidc: OidcPersonality,
}

/// What a group claim carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupValue {
    Name,
    /// The group's object id.
    Id,
}

/// A claim whose value does not come from the directory.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum FixedClaim {
    Str(&'static str),
    Int(i64),
    Bool(bool),
    /// The Unix time of authentication.
    AuthTime,
    /// A fresh id of the given shape (`jti`).
    Id(IdShape),
    /// `["pwd"]`-style list.
    List(&'static [&'static str]),
    /// The tenant id (Entra `tid`).
    TenantId,
    /// The hosted domain (Google `hd`).
    HostedDomain,
    /// An id naming the IdP inside the vendor (Okta `idp`).
    IdpId,
    /// The issue time (Entra `nbf`, S4).
    IssuedAt,
    /// The client id (Google `azp`, S14).
    ClientId,
    /// A session id stable for one sign-in (Entra `sid`, a GUID).
    SessionId,
    /// A picture URL for the user (Google `picture`, S14).
    Picture,
}
