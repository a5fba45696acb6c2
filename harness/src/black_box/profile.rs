//! The `[black_box]` part of a target profile: an SP or RP that implements no admin API. It says
//! which IdP the SP trusts (a fixed address and a tenant file, so that the SP is configured once),
//! where a browser starts each login, and how to tell a session from a refusal.

use mock_idps::config::Config as IdpConfig;
use mock_idps::personality::Vendor;
use mock_idps::{ClientId, TenantId};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Seconds each hop of a black-box journey may take, unless the profile says otherwise.
pub const DEFAULT_HOP_TIMEOUT_SECS: u64 = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlackBox {
    /// The address the in-process IdPs bind, e.g. `127.0.0.1:18480`: every URL the SP was
    /// configured with starts with `http://{idp_listen}`.
    pub idp_listen: SocketAddr,
    /// The IdPs' tenants, in the `idpsim serve --config` format (docs/serve.md), relative to the
    /// profile. `idpsim serve --listen {idp_listen} --config {idp_config}` serves the same IdPs.
    pub idp_config: PathBuf,
    /// The directory user honest logins sign in as (default: each tenant's first user).
    pub user: Option<String>,
    /// How long one hop (one request) may take before the scenario ends with "no answer".
    #[serde(default = "default_timeout")]
    pub hop_timeout_secs: u64,
    /// A command run (by `sh -c`, in the profile's folder) after an attack whose effect an RP
    /// may cache (rotated keys, a poisoned discovery document), e.g. a restart of the SP. It
    /// must return once the SP answers again.
    pub reload_command: Option<String>,
    /// The SP's error log: its new lines are kept with each scenario's evidence.
    pub error_log: Option<PathBuf>,
    /// How a session shows at the probe URL.
    pub accept: AcceptRule,
    /// What the SP saw, read from the probe answer of a signed-in browser.
    #[serde(default)]
    pub attributes: Attributes,
    /// One entry per vendor x protocol the SP is configured for.
    #[serde(rename = "login")]
    pub logins: Vec<LoginSpec>,
}

fn default_timeout() -> u64 {
    DEFAULT_HOP_TIMEOUT_SECS
}

/// The rule that tells a signed-in browser from one that is not, at the probe URL. Every rule
/// given must hold. The probe is one GET that follows no redirect: an SP that sends the browser
/// back to the IdP has no session for it.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AcceptRule {
    /// The status a signed-in probe answers (default 200).
    pub status: Option<u16>,
    /// A header that must be present and non-empty.
    pub header: Option<String>,
    /// A regular expression the body must match.
    pub body_regex: Option<String>,
    /// A JSON pointer (RFC 6901) that must name a non-null, non-empty value in a JSON body.
    pub json_pointer: Option<String>,
}

/// Where one value the SP saw is read from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub header: Option<String>,
    pub json_pointer: Option<String>,
    /// A regular expression over the body; its first group (or the whole match) is the value.
    pub regex: Option<String>,
}

/// What the SP saw of the signed-in user, when it shows it.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// The user's identifier as the SP took it (NameID, `sub`, REMOTE_USER).
    pub user: Option<Probe>,
    pub email: Option<Probe>,
    pub groups: Option<Probe>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Saml,
    Oidc,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Saml => "saml",
            Proto::Oidc => "oidc",
        }
    }
}

/// One vendor x protocol the SP trusts, and where its login starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSpec {
    pub vendor: Vendor,
    pub protocol: Proto,
    /// The tenant id in `idp_config` (default: the only tenant of that vendor).
    pub tenant: Option<String>,
    /// The URL a browser GETs to start an SP-initiated login.
    pub login_url: String,
    /// Where the accept rule is checked (default: `login_url`).
    pub probe_url: Option<String>,
    /// SAML: the SP's entity id (it picks the app in the tenant). Give this, or `sp_metadata`.
    pub sp_entity_id: Option<String>,
    /// SAML: the SP's metadata, a file (relative to the profile) or an http(s) URL; its
    /// entityID and HTTP-POST AssertionConsumerService are used.
    pub sp_metadata: Option<String>,
    /// OIDC: the RP's client id in the tenant (default: the tenant's only client).
    pub client_id: Option<String>,
    /// Whether the SP takes an unsolicited (IdP-initiated) SAML response.
    #[serde(default)]
    pub idp_initiated: bool,
    /// A URL that ends the SP's session, if it has one.
    pub logout_url: Option<String>,
}

/// A profile error that names the field.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {field}: {message}")]
pub struct FieldError {
    pub path: String,
    pub field: String,
    pub message: String,
}

impl BlackBox {
    /// Check what serde cannot: URLs, rules, and that every login names something the IdP
    /// config has. `profile` is the profile's own path (relative paths are relative to it).
    pub fn validate(&self, profile: &Path) -> Result<IdpConfig, FieldError> {
        let err = |field: &str, message: String| FieldError {
            path: profile.display().to_string(),
            field: field.to_string(),
            message,
        };
        if self.logins.is_empty() {
            return Err(err(
                "black_box.login",
                "at least one [[black_box.login]] is needed".into(),
            ));
        }
        if self.hop_timeout_secs == 0 || self.hop_timeout_secs > 300 {
            return Err(err(
                "black_box.hop_timeout_secs",
                format!("{} is not within 1..=300", self.hop_timeout_secs),
            ));
        }
        let a = &self.accept;
        if a.status.is_none()
            && a.header.is_none()
            && a.body_regex.is_none()
            && a.json_pointer.is_none()
        {
            return Err(err(
                "black_box.accept",
                "give at least one of status, header, body_regex, json_pointer".into(),
            ));
        }
        if let Some(r) = &a.body_regex {
            regex::Regex::new(r).map_err(|e| err("black_box.accept.body_regex", e.to_string()))?;
        }
        if let Some(p) = &a.json_pointer {
            if !p.is_empty() && !p.starts_with('/') {
                return Err(err(
                    "black_box.accept.json_pointer",
                    format!("{p:?} is not a JSON pointer (it starts with '/')"),
                ));
            }
        }
        for (name, p) in [
            ("user", &self.attributes.user),
            ("email", &self.attributes.email),
            ("groups", &self.attributes.groups),
        ] {
            if let Some(p) = p {
                let field = format!("black_box.attributes.{name}");
                let n = [
                    p.header.is_some(),
                    p.json_pointer.is_some(),
                    p.regex.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count();
                if n != 1 {
                    return Err(err(
                        &field,
                        "give exactly one of header, json_pointer, regex".into(),
                    ));
                }
                if let Some(r) = &p.regex {
                    regex::Regex::new(r).map_err(|e| err(&field, e.to_string()))?;
                }
            }
        }
        let cfg_path = self.idp_config_path(profile);
        let cfg =
            IdpConfig::load(&cfg_path).map_err(|e| err("black_box.idp_config", e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for (i, l) in self.logins.iter().enumerate() {
            let field = |f: &str| format!("black_box.login[{i}].{f}");
            if !seen.insert((l.vendor, l.protocol)) {
                return Err(err(
                    &field("vendor"),
                    format!(
                        "a second login for {} over {}",
                        l.vendor.as_str(),
                        l.protocol.as_str()
                    ),
                ));
            }
            for (f, u) in [
                ("login_url", Some(&l.login_url)),
                ("probe_url", l.probe_url.as_ref()),
                ("logout_url", l.logout_url.as_ref()),
            ] {
                if let Some(u) = u {
                    let parsed =
                        url::Url::parse(u).map_err(|e| err(&field(f), format!("{u:?}: {e}")))?;
                    if !matches!(parsed.scheme(), "http" | "https") {
                        return Err(err(&field(f), format!("{u:?} is not an http(s) URL")));
                    }
                }
            }
            let tenant = tenant_of(&cfg, l).map_err(|m| err(&field("tenant"), m.to_string()))?;
            match l.protocol {
                Proto::Saml => {
                    if l.sp_entity_id.is_some() == l.sp_metadata.is_some() {
                        return Err(err(
                            &field("sp_entity_id"),
                            "a SAML login names the SP by sp_entity_id or sp_metadata (one)".into(),
                        ));
                    }
                    if let Some(id) = &l.sp_entity_id {
                        if !tenant
                            .saml_apps
                            .iter()
                            .any(|a| a.sp_entity_id.as_str() == id)
                        {
                            return Err(err(
                                &field("sp_entity_id"),
                                format!(
                                    "{id:?} has no SAML app in tenant {} of {}",
                                    tenant.id.as_ref().map_or("?", TenantId::as_str),
                                    cfg_path.display()
                                ),
                            ));
                        }
                    }
                }
                Proto::Oidc => {
                    if l.client_id.is_none() && tenant.oidc_clients.len() != 1 {
                        return Err(err(
                            &field("client_id"),
                            format!(
                                "tenant {} has {} OIDC clients: name one",
                                tenant.id.as_ref().map_or("?", TenantId::as_str),
                                tenant.oidc_clients.len()
                            ),
                        ));
                    }
                    if let Some(c) = &l.client_id {
                        if !tenant
                            .oidc_clients
                            .iter()
                            .any(|k| k.client_id.as_ref().map(ClientId::as_str) == Some(c.as_str()))
                        {
                            return Err(err(
                                &field("client_id"),
                                format!("{c:?} is not a client of the tenant"),
                            ));
                        }
                    }
                }
            }
        }
        Ok(cfg)
    }

    pub fn idp_config_path(&self, profile: &Path) -> PathBuf {
        profile
            .parent()
            .unwrap_or(Path::new("."))
            .join(&self.idp_config)
    }

    /// The base URL of the in-process IdPs.
    pub fn idp_base(&self) -> String {
        format!("http://{}", self.idp_listen)
    }

    pub fn login(&self, vendor: Vendor, protocol: Proto) -> Option<&LoginSpec> {
        self.logins
            .iter()
            .find(|l| l.vendor == vendor && l.protocol == protocol)
    }
}

/// Why no tenant of the IdP config fits a login.
#[derive(Debug, thiserror::Error)]
pub enum TenantChoiceError {
    #[error("no {vendor} tenant {id:?} in the IdP config")]
    NoSuchTenant { vendor: &'static str, id: String },
    #[error("the IdP config has {count} {vendor} tenants: name one")]
    Ambiguous { count: usize, vendor: &'static str },
}

/// The tenant of `idp_config` a login uses.
pub fn tenant_of<'a>(
    cfg: &'a IdpConfig,
    l: &LoginSpec,
) -> Result<&'a mock_idps::NewTenant, TenantChoiceError> {
    let of_vendor: Vec<_> = cfg
        .tenants
        .iter()
        .filter(|t| t.vendor == Some(l.vendor))
        .collect();
    match &l.tenant {
        Some(id) => of_vendor
            .into_iter()
            .find(|t| t.id.as_ref().map(TenantId::as_str) == Some(id.as_str()))
            .ok_or_else(|| TenantChoiceError::NoSuchTenant {
                vendor: l.vendor.as_str(),
                id: id.clone(),
            }),
        None if of_vendor.len() == 1 => Ok(of_vendor[0]),
        None => Err(TenantChoiceError::Ambiguous {
            count: of_vendor.len(),
            vendor: l.vendor.as_str(),
        }),
    }
}
