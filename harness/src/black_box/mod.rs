//! Black-box targets: real SPs and RPs that implement no admin API (docs/black-box.md).
//!
//! The SP's owner configures it once from fixed IdP values (a tenant file and an address); the
//! harness starts its IdPs there, drives logins through a browser-like agent, and judges each one
//! by whether the browser holds a session at the probe URL afterwards — never by an error body,
//! since real SPs refuse with HTML pages of their own. Steps that need the admin API report
//! themselves not applicable.

mod gate;
mod init;
mod profile;

pub use gate::{baseline, BASELINE_PATH};

pub use init::{init, InitArgs};
pub use profile::{
    tenant_of, AcceptRule, Attributes, BlackBox, FieldError, LoginSpec, Probe, Proto,
    DEFAULT_HOP_TIMEOUT_SECS,
};

use crate::agent::Page;
use mock_idps::personality::Vendor;
use mock_idps::tenant::SharedTenant;
use protocols::keys::KeySet;

/// One login of the profile, resolved against the running IdPs.
#[derive(Debug, Clone)]
pub struct Login {
    pub vendor: Vendor,
    pub protocol: Proto,
    pub tenant: SharedTenant,
    pub login_url: String,
    pub probe_url: String,
    pub logout_url: Option<String>,
    pub idp_initiated: bool,
    /// SAML: the SP's entity id and ACS URL (from the profile or the SP's metadata).
    pub sp_entity_id: Option<String>,
    pub acs_url: Option<String>,
    /// OIDC: the RP's client and its registered redirect URI.
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    /// The tenant's keys as configured, restored after any scenario that rotated them.
    pub keys: KeySet,
}

impl Login {
    pub fn label(&self) -> String {
        format!("{} over {}", self.vendor.as_str(), self.protocol.as_str())
    }
}

/// Which part of an [`AcceptRule`] the probe's answer failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotAccepted {
    #[error(
        "the probe answered {got}{}, a session answers {want}",
        location.as_deref().map(|l| format!(" (to {l})")).unwrap_or_default()
    )]
    Status {
        got: u16,
        want: u16,
        location: Option<String>,
    },
    #[error("the probe's answer has no {header} header")]
    MissingHeader { header: String },
    #[error(transparent)]
    BadBodyRegex(#[from] regex::Error),
    #[error("the probe's body does not match {regex:?}")]
    BodyMismatch { regex: String },
    #[error("the probe's JSON has nothing at {pointer}")]
    NothingAtPointer { pointer: String },
}

impl AcceptRule {
    /// Whether `page` (the probe's answer) shows a session; the error says which rule failed.
    pub fn check(&self, page: &Page) -> Result<(), NotAccepted> {
        let want = self.status.unwrap_or(200);
        let got = page.status.as_u16();
        if got != want {
            return Err(NotAccepted::Status {
                got,
                want,
                location: page.header("location").map(str::to_string),
            });
        }
        if let Some(h) = &self.header {
            if page.header(h).is_none_or(|v| v.trim().is_empty()) {
                return Err(NotAccepted::MissingHeader { header: h.clone() });
            }
        }
        if let Some(r) = &self.body_regex {
            // Invariant: checked by BlackBox::validate when the profile was loaded.
            let re = regex::Regex::new(r)?;
            if !re.is_match(&page.body) {
                return Err(NotAccepted::BodyMismatch { regex: r.clone() });
            }
        }
        if let Some(ptr) = &self.json_pointer {
            let v = page
                .json()
                .and_then(|v| v.pointer(ptr).cloned())
                .unwrap_or_default();
            let empty = v.is_null() || v.as_str() == Some("") || v == serde_json::json!([]);
            if empty {
                return Err(NotAccepted::NothingAtPointer {
                    pointer: ptr.clone(),
                });
            }
        }
        Ok(())
    }
}

impl Probe {
    /// The value this probe reads from `page`, if any.
    pub fn read(&self, page: &Page) -> Option<String> {
        if let Some(h) = &self.header {
            return page.header(h).map(str::to_string);
        }
        if let Some(p) = &self.json_pointer {
            return page.json().and_then(|v| {
                v.pointer(p).map(|x| match x {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            });
        }
        if let Some(r) = &self.regex {
            let re = regex::Regex::new(r).ok()?;
            let c = re.captures(&page.body)?;
            return c
                .get(1)
                .or_else(|| c.get(0))
                .map(|m| m.as_str().to_string());
        }
        None
    }
}

impl Attributes {
    /// Every attribute the profile shows, as `(name, value)`.
    pub fn read(&self, page: &Page) -> Vec<(&'static str, String)> {
        [
            ("user", &self.user),
            ("email", &self.email),
            ("groups", &self.groups),
        ]
        .into_iter()
        .filter_map(|(n, p)| p.as_ref().and_then(|p| p.read(page)).map(|v| (n, v)))
        .collect()
    }
}

/// SP metadata from an http(s) URL, or a file (relative to `base`), parsed.
pub async fn read_sp_metadata(
    at: &str,
    base: &std::path::Path,
) -> anyhow::Result<protocols::saml::metadata::SpMetadata> {
    use anyhow::Context as _;
    let text = if at.starts_with("http://") || at.starts_with("https://") {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        let resp = client
            .get(at)
            .send()
            .await
            .with_context(|| format!("fetching {at}"))?;
        if !resp.status().is_success() {
            anyhow::bail!("{at} answered {}", resp.status());
        }
        resp.text().await?
    } else {
        let path = base.join(at);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?
    };
    protocols::saml::metadata::parse_sp_metadata(&text)
        .map_err(|e| anyhow::anyhow!("{at} is not SAML SP metadata: {e}"))
}

#[cfg(test)]
mod tests;
