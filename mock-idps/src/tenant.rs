//! A tenant: one mock IdP organisation of one vendor, with its directory, registered apps and
//! clients, keys, clock offset, the next login's overrides, and its request log.

use crate::directory::Directory;
use crate::keys::pinned_keys;
use crate::next_login::{KeyChoice, NextLogin};
use crate::personality::{Personality, TokenAuth, Vendor};
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use protocols::clock::OffsetClock;
use protocols::{Clock, KeyKind, KeySet, SharedClock, SharedIdGen, SigningKey, Validity};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Open tenants accept any SP and any loopback OIDC client; strict ones only registered ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Open,
    Strict,
}

/// How an app's group attribute filters group names (Okta's group attribute statements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum GroupFilter {
    StartsWith(String),
    Equals(String),
    Contains(String),
    Regex(String),
}

impl GroupFilter {
    /// Compile a `Regex` filter (Okta matches the whole name); other kinds need no compiling.
    fn regex(&self) -> Result<Option<regex::Regex>, GroupFilterError> {
        match self {
            GroupFilter::Regex(p) => regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(1 << 20)
                .build()
                .map(Some)
                .map_err(|source| GroupFilterError::BadRegex {
                    pattern: p.clone(),
                    source,
                }),
            _ => Ok(None),
        }
    }

    /// Refuse a filter that cannot be used, at registration time.
    pub fn validate(&self) -> Result<(), GroupFilterError> {
        self.regex().map(|_| ())
    }

    /// Keep only the group names that pass. A regex that does not compile keeps nothing.
    pub fn retain(&self, names: &mut Vec<String>) {
        let re = self.regex();
        names.retain(|name| match (self, &re) {
            (GroupFilter::StartsWith(p), _) => name.starts_with(p.as_str()),
            (GroupFilter::Equals(p), _) => name == p,
            (GroupFilter::Contains(p), _) => name.contains(p.as_str()),
            (GroupFilter::Regex(_), Ok(Some(re))) => re.is_match(name),
            (GroupFilter::Regex(_), _) => false,
        });
    }
}

/// Why a [`GroupFilter`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GroupFilterError {
    #[error("group_filter regex {pattern:?}: {source}")]
    BadRegex {
        pattern: String,
        source: regex::Error,
    },
}

/// Why [`Tenant::signing_key`] or [`Tenant::rotate_keys`] has no key to give.
#[derive(Debug, thiserror::Error)]
pub enum TenantKeyError {
    #[error("no published key with kid {kid:?}")]
    UnknownKid { kid: String },
    #[error(transparent)]
    Generate(#[from] protocols::keys::KeyError),
}

/// A registered SAML service provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamlApp {
    /// The vendor's app id (Okta `0oa...`, Entra app GUID, Google numeric).
    pub id: String,
    /// URL slug (Okta `{appName}`).
    #[serde(default = "default_app_name")]
    pub name: String,
    /// Okta's per-app issuer key (`exk...`).
    #[serde(default)]
    pub key: String,
    /// The SP's entity id: the Audience and the AuthnRequest Issuer.
    pub sp_entity_id: EntityId,
    /// Registered ACS URLs; the first is the default.
    pub acs_urls: Vec<String>,
    pub name_id_format: Option<String>,
    /// Send the user's groups.
    #[serde(default)]
    pub send_groups: bool,
    /// The group attribute's name, as the IdP admin set it. Unset: the vendor's default
    /// (Google has none: its "Group membership" mapping needs a name).
    #[serde(default)]
    pub groups_attribute: Option<String>,
    pub group_filter: Option<GroupFilter>,
    #[serde(default = "yes")]
    pub allow_idp_initiated: bool,
    /// PEM certificate that signs this SP's AuthnRequests, when it signs them.
    pub sp_signing_cert: Option<String>,
    /// Encrypt assertions to the SP (saml_idp::encrypt); `None`: plain assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<AppEncryption>,
    /// The app's attribute statements (Okta's "Attribute Statements", Entra's "Attributes &
    /// Claims"): the attributes it sends, replacing the vendor's default list. Unset: the
    /// vendor's default (none at Okta, S12; Entra's always-present claims, S8).
    #[serde(default)]
    pub attribute_statements: Option<Vec<AttributeStatement>>,
    /// The NameFormat of every attribute; unset: the vendor's (Okta `unspecified`, S12). Okta
    /// `…:attrname-format:basic` restores what idpsim sent before issue 11.
    #[serde(default)]
    pub attribute_name_format: Option<String>,
    /// Millisecond instants; unset: the vendor's (all three write them, S8/S12/S13). `false`
    /// restores whole seconds.
    #[serde(default)]
    pub millis: Option<bool>,
    /// Serve Entra's metadata as a plain `md:IDPSSODescriptor` document (what idpsim served
    /// before issue 11) instead of the federation metadata document (S3).
    #[serde(default)]
    pub plain_metadata: bool,
    /// Single Logout (saml_idp::slo); `None`: off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<crate::saml_idp::slo::model::AppSlo>,
}

/// One attribute an app sends: its name, the directory field that feeds it and, optionally,
/// its own NameFormat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeStatement {
    pub name: String,
    pub value: crate::personality::UserField,
    #[serde(default)]
    pub name_format: Option<String>,
}

fn default_app_name() -> String {
    "idpsim_app".into()
}

fn yes() -> bool {
    true
}

/// A registered OIDC client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OidcClient {
    pub client_id: ClientId,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    /// Token endpoint auth; unset: any the vendor supports.
    pub auth_method: Option<TokenAuth>,
    #[serde(default)]
    pub require_pkce: bool,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// The app is configured to send groups (Okta's Groups claim filter, Entra's
    /// groupMembershipClaims). Vendors whose personality says `groups_need_client_setting`
    /// send no groups claim without it.
    #[serde(default)]
    pub groups_claim: bool,
}

/// One line of a tenant's request log.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// What the IdP did or refused, in a few words.
    pub note: String,
    /// The protocol messages of the exchange (AuthnRequest, SAML response, token answer), for
    /// the console to decode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<crate::respond::LogMessage>,
}

/// An issued authorization code, redeemable once.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    /// The authorization server that issued it; only that one redeems it.
    pub server: crate::routes::AuthzServer,
    /// Whether the token request gets a refresh token (decided at authorize time).
    pub offline: bool,
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<(String, String)>,
    pub login: NextLogin,
    pub auth_time: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// What an access or refresh token stands for.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub server: crate::routes::AuthzServer,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub login: NextLogin,
    pub auth_time: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// Mutable tenant state, behind one lock.
#[derive(Debug)]
pub struct TenantState {
    pub directory: Directory,
    pub saml_apps: Vec<SamlApp>,
    pub oidc_clients: Vec<OidcClient>,
    pub next_login: Option<NextLogin>,
    pub keys: KeySet,
    pub codes: HashMap<String, CodeGrant>,
    /// Codes already redeemed, kept so a replay is reported as such.
    pub used_codes: HashMap<String, String>,
    pub access_tokens: HashMap<String, TokenGrant>,
    pub refresh_tokens: HashMap<String, TokenGrant>,
    /// The SAML response document posted last, for the `replay` attack.
    pub last_saml_response: Option<String>,
    pub log: VecDeque<LogEntry>,
    /// Ids of the custom authorization servers (Okta: `default`).
    pub authz_servers: Vec<String>,
    /// Kids published by [`Tenant::rotate_keys`]: a certificate rollover in progress, which the
    /// SAML metadata lists next to the active certificate (otherwise it holds only the active
    /// one, S3/S12/S13).
    pub saml_rollover: Vec<String>,
    /// The SAML sessions issued and the IdP-initiated logouts (saml_idp::slo).
    pub slo: crate::saml_idp::slo::model::SloState,
}

/// Keep the request log bounded.
pub const LOG_CAPACITY: usize = 1000;

#[derive(Debug)]
pub struct Tenant {
    pub id: TenantId,
    pub vendor: Vendor,
    pub mode: Mode,
    /// Everything this tenant serves lives under this URL (`http://host:port/okta/acme`).
    pub base_url: String,
    /// Google's hosted domain, and the default mail domain of seeded users.
    pub domain: String,
    pub clock: OffsetClock,
    pub ids: SharedIdGen,
    foreign_key: SigningKey,
    /// The tenant's mutable state. Outside this crate use the control methods instead
    /// (crate::surface); it stays `pub` only because the integration tests (mock-idps/tests,
    /// reference-sp/tests, harness/tests) still reach into it.
    #[doc(hidden)]
    pub state: Mutex<TenantState>,
}

pub use crate::id_types::{ClientId, EntityId, TenantId};

/// What is needed to make a tenant.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub id: TenantId,
    pub vendor: Vendor,
    pub mode: Mode,
    pub domain: String,
    pub directory: Directory,
}

impl Tenant {
    pub fn new(spec: TenantSpec, server_url: &str, clock: SharedClock, ids: SharedIdGen) -> Self {
        let pinned = pinned_keys(spec.vendor);
        let mut keys = KeySet::new(pinned.published[0].clone());
        for k in pinned.published.iter().skip(1) {
            keys.publish(k.clone());
        }
        Self {
            base_url: format!(
                "{}/{}/{}",
                server_url.trim_end_matches('/'),
                spec.vendor.as_str(),
                spec.id
            ),
            id: spec.id,
            vendor: spec.vendor,
            mode: spec.mode,
            domain: spec.domain,
            clock: OffsetClock::new(clock),
            ids,
            foreign_key: pinned.foreign.clone(),
            state: Mutex::new(TenantState {
                directory: spec.directory,
                saml_apps: Vec::new(),
                oidc_clients: Vec::new(),
                next_login: None,
                keys,
                codes: HashMap::new(),
                used_codes: HashMap::new(),
                access_tokens: HashMap::new(),
                refresh_tokens: HashMap::new(),
                last_saml_response: None,
                log: VecDeque::new(),
                authz_servers: spec
                    .vendor
                    .personality()
                    .oidc
                    .custom_servers
                    .as_ref()
                    .map(|c| c.builtin.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default(),
                saml_rollover: Vec::new(),
                slo: Default::default(),
            }),
        }
    }

    pub fn personality(&self) -> &'static Personality {
        self.vendor.personality()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A URL under the tenant base.
    pub fn url(&self, path: &str) -> String {
        if path.is_empty() {
            self.base_url.clone()
        } else {
            format!("{}/{}", self.base_url, path)
        }
    }

    pub fn oidc_issuer(&self) -> String {
        self.url(self.personality().oidc.issuer_path)
    }

    /// The SAML entity id for `app` (per app for Okta, per tenant elsewhere).
    pub fn saml_entity_id(&self, app: Option<&SamlApp>) -> String {
        self.personality()
            .saml
            .entity_id
            .replace("{tenant}", self.id.as_str())
            .replace("{app_key}", app.map(|a| a.key.as_str()).unwrap_or(""))
            .replace("{base}", &self.base_url)
    }

    /// Fill `{app_id}` and `{app_name}` in a personality path for `app`.
    pub fn app_path(&self, template: &str, app: &SamlApp) -> String {
        let mut p = self.url(
            &template
                .replace("{app_id}", &app.id)
                .replace("{app_name}", &app.name),
        );
        if let Some(q) = self.personality().saml.app_query_param {
            if !template.contains("{app_id}") {
                p = format!("{p}?{q}={}", app.id);
            }
        }
        p
    }

    /// The SSO URL the metadata and the control API advertise for `app`: the personality's
    /// `sso_url` when it has one (Okta S12, Google S13), else `sso_path` for the app. Both
    /// route to the SSO endpoint.
    pub fn saml_sso_url(&self, app: &SamlApp) -> String {
        match self.personality().saml.sso_url {
            Some(template) => self.url(
                &template
                    .replace("{tenant}", self.id.as_str())
                    .replace("{app_key}", &app.key)
                    .replace("{app_name}", &app.name)
                    .replace("{app_id}", &app.id),
            ),
            None => self.app_path(self.personality().saml.sso_path, app),
        }
    }

    /// The key a login signs with.
    pub fn signing_key(&self, choice: Option<&KeyChoice>) -> Result<SigningKey, TenantKeyError> {
        match choice {
            None | Some(KeyChoice::Active) => Ok(self.state.lock().keys.active().clone()),
            Some(KeyChoice::Foreign) => Ok(self.foreign_key.clone()),
            Some(KeyChoice::Kid(kid)) => self
                .state
                .lock()
                .keys
                .find(kid)
                .cloned()
                .ok_or_else(|| TenantKeyError::UnknownKid { kid: kid.clone() }),
        }
    }

    /// Publish a fresh key and sign with it; old keys stay listed. Returns the new kid.
    pub fn rotate_keys(&self, kind: KeyKind, activate: bool) -> Result<String, TenantKeyError> {
        let p = self.personality();
        let key = SigningKey::generate(
            kind,
            p.ids.kid.make(self.ids.as_ref()),
            p.saml.cert_cn,
            Validity::current(self.now(), p.saml.cert_years),
        )
        .and_then(|k| crate::keys::vendor_kid(self.vendor, k))?;
        let kid = key.kid().to_string();
        let mut st = self.state.lock();
        st.saml_rollover.push(kid.clone());
        if activate {
            st.keys.rotate(key);
        } else {
            st.keys.publish(key);
        }
        Ok(kid)
    }

    /// Take the overrides for this login: consumed unless sticky.
    pub fn take_next_login(&self) -> NextLogin {
        let mut st = self.state.lock();
        match &st.next_login {
            Some(n) if n.sticky => n.clone(),
            _ => st.next_login.take().unwrap_or_default(),
        }
    }

    pub fn log(&self, method: &str, path: &str, status: u16, note: impl Into<String>) {
        self.log_messages(method, path, status, note, Vec::new());
    }

    /// [`Tenant::log`] with the exchange's protocol messages.
    pub fn log_messages(
        &self,
        method: &str,
        path: &str,
        status: u16,
        note: impl Into<String>,
        messages: Vec<crate::respond::LogMessage>,
    ) {
        let entry = LogEntry {
            at: self.now(),
            method: method.to_string(),
            path: path.to_string(),
            status,
            note: note.into(),
            messages,
        };
        let mut st = self.state.lock();
        if st.log.len() >= LOG_CAPACITY {
            st.log.pop_front();
        }
        st.log.push_back(entry);
    }

    /// Find a registered SAML app by id, SP entity id or issuer key (Okta's SSO URL names the
    /// app by its `exk` key, S12).
    pub fn saml_app(&self, key: &str) -> Option<SamlApp> {
        self.state
            .lock()
            .saml_apps
            .iter()
            .find(|a| a.id == key || a.sp_entity_id == key || (!a.key.is_empty() && a.key == key))
            .cloned()
    }

    pub fn oidc_client(&self, client_id: &str) -> Option<OidcClient> {
        self.state
            .lock()
            .oidc_clients
            .iter()
            .find(|c| c.client_id == client_id)
            .cloned()
    }
}

/// Shared handle.
pub type SharedTenant = Arc<Tenant>;

/// An app's assertion encryption, as stored on the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppEncryption {
    /// The SP's encryption certificate, PEM.
    pub certificate: String,
    #[serde(flatten)]
    pub settings: protocols::saml::EncryptionSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("tenant {vendor}/{id} already exists")]
    TenantExists { vendor: Vendor, id: String },
    #[error("no tenant {vendor}/{id}")]
    NoSuchTenant { vendor: String, id: String },
    #[error("vendor is required")]
    VendorRequired,
    #[error("invalid tenant id {0:?}: use letters, digits, '-' and '_'")]
    BadTenantId(String),
    #[error("{0}")]
    Invalid(String),
}

impl Tenant {
    /// The app the index and open-mode logins use: the first registered one, else a wildcard.
    pub fn default_saml_app(&self) -> SamlApp {
        self.state
            .lock()
            .saml_apps
            .first()
            .cloned()
            .unwrap_or_else(|| self.open_app(None, None))
    }

    /// An ad hoc app for an unregistered SP (open mode). Its ids have the vendor's shape and
    /// are derived from the tenant id, so its URLs stay the same across runs.
    pub fn open_app(&self, sp_entity_id: Option<&str>, acs: Option<&str>) -> SamlApp {
        let seed = self
            .id
            .as_str()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        let ids = protocols::SeededIds::new(seed);
        let p = self.personality();
        SamlApp {
            id: p.ids.saml_app.make(&ids),
            name: "idpsim_app".into(),
            key: p.ids.saml_app_key.make(&ids),
            sp_entity_id: sp_entity_id.unwrap_or("").into(),
            acs_urls: acs.map(|a| vec![a.to_string()]).unwrap_or_default(),
            name_id_format: None,
            // Groups only once configured (Entra groupMembershipClaims, S2; Okta's group
            // attribute statement and Google's group mapping need a name anyway).
            send_groups: false,
            groups_attribute: None,
            group_filter: None,
            allow_idp_initiated: true,
            sp_signing_cert: None,
            encryption: None,
            attribute_statements: None,
            attribute_name_format: None,
            millis: None,
            plain_metadata: false,
            slo: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::GroupFilter;

    #[test]
    fn group_filters() {
        let names = || vec!["ml-admins".to_string(), "ml-readers".into(), "eng".into()];
        let run = |f: GroupFilter| {
            let mut n = names();
            f.retain(&mut n);
            n
        };
        assert_eq!(
            run(GroupFilter::StartsWith("ml-".into())),
            ["ml-admins", "ml-readers"]
        );
        assert_eq!(run(GroupFilter::Equals("eng".into())), ["eng"]);
        assert_eq!(run(GroupFilter::Contains("read".into())), ["ml-readers"]);
        assert_eq!(
            run(GroupFilter::Regex("ml-.*s".into())),
            ["ml-admins", "ml-readers"]
        );
        assert_eq!(
            run(GroupFilter::Regex("admins".into())),
            Vec::<String>::new(),
            "whole name"
        );
        assert!(GroupFilter::Regex("(".into()).validate().is_err());
        assert_eq!(run(GroupFilter::Regex("(".into())), Vec::<String>::new());
    }
}
