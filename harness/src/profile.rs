//! Target profiles: where a target SP lives, its user-facing URL shapes, what it can do, and the
//! deviations it is known to have. TOML; fixtures/targets/reference.toml is the worked example.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// The SP's base URL, or `"embedded"` for the in-process reference SP.
    pub base_url: String,
    /// The target admin API (docs/target-api.md). `{base}` is replaced.
    #[serde(default = "default_admin")]
    pub admin_url: String,
    /// Bearer token for the admin API, if it wants one.
    pub admin_token: Option<String>,
    pub endpoints: Endpoints,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Known deviations, relative to this file.
    pub expectations: Option<PathBuf>,
}

fn default_admin() -> String {
    "{base}/_admin".into()
}

/// URL templates; `{base}`, `{org}`, `{owner}`, `{repo}`, `{namespace}` are replaced.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub sso_login: String,
    pub saml_acs: String,
    pub saml_entity_id: String,
    pub oidc_callback: String,
    pub join: String,
    pub password_login: String,
    pub whoami: String,
    pub resource: String,
    pub create_content: String,
    pub scim_base: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// The admin API can advance the SP's clock.
    #[serde(default)]
    pub clock: bool,
    #[serde(default = "yes")]
    pub saml: bool,
    #[serde(default = "yes")]
    pub oidc: bool,
    #[serde(default = "yes")]
    pub scim: bool,
    #[serde(default = "yes")]
    pub basic: bool,
    #[serde(default = "yes")]
    pub managed: bool,
    #[serde(default = "yes")]
    pub idp_initiated: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            clock: false,
            saml: true,
            oidc: true,
            scim: true,
            basic: true,
            managed: true,
            idp_initiated: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// One known deviation: a scenario expected to fail, and why.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// The scenario name, exactly as in the feature file (with the outline's example values).
    pub scenario: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(default, rename = "deviation")]
    pub deviations: Vec<Deviation>,
}

impl Expectations {
    pub fn reason_for(&self, scenario: &str) -> Option<&str> {
        self.deviations
            .iter()
            .find(|d| d.scenario == scenario)
            .map(|d| d.reason.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: deviation for {scenario:?} has an empty reason")]
    NoReason { path: String, scenario: String },
}

fn read(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
        path: path.display().to_string(),
        source,
    })
}

impl Profile {
    /// The reference profile compiled into the binary.
    pub fn reference() -> Self {
        // Invariant: the embedded file is checked by the `reference_profile_parses` test.
        toml::from_str(include_str!("../../fixtures/targets/reference.toml"))
            .unwrap_or_else(|e| panic!("fixtures/targets/reference.toml: {e}"))
    }

    pub fn load(path: &Path) -> Result<(Self, Expectations), ProfileError> {
        let p = path.display().to_string();
        let profile: Profile = toml::from_str(&read(path)?).map_err(|e| ProfileError::Parse {
            path: p.clone(),
            message: e.to_string(),
        })?;
        let expectations = match &profile.expectations {
            None => Expectations::default(),
            Some(rel) => {
                let file = path.parent().unwrap_or(Path::new(".")).join(rel);
                let fp = file.display().to_string();
                let e: Expectations =
                    toml::from_str(&read(&file)?).map_err(|e| ProfileError::Parse {
                        path: fp.clone(),
                        message: e.to_string(),
                    })?;
                if let Some(d) = e.deviations.iter().find(|d| d.reason.trim().is_empty()) {
                    return Err(ProfileError::NoReason {
                        path: fp,
                        scenario: d.scenario.clone(),
                    });
                }
                e
            }
        };
        Ok((profile, expectations))
    }

    /// Fill a URL template.
    pub fn url(&self, template: &str, base: &str, vars: &BTreeMap<&str, &str>) -> String {
        let mut out = template.replace("{base}", base.trim_end_matches('/'));
        for (k, v) in vars {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_profile_parses() {
        let p = Profile::reference();
        assert_eq!(p.base_url, "embedded");
        assert!(p.capabilities.clock);
        let url = p.url(
            &p.endpoints.sso_login,
            "http://127.0.0.1:9/",
            &BTreeMap::from([("org", "acme")]),
        );
        assert_eq!(url, "http://127.0.0.1:9/organizations/acme/sso/login");
    }

    #[test]
    fn a_deviation_needs_a_reason() {
        let dir = tempfile::tempdir().expect("tmp");
        let prof = dir.path().join("t.toml");
        let text = format!(
            "expectations = \"exp.toml\"\n{}",
            include_str!("../../fixtures/targets/reference.toml")
        );
        std::fs::write(&prof, text).expect("write");
        std::fs::write(
            dir.path().join("exp.toml"),
            "[[deviation]]\nscenario = \"x\"\nreason = \" \"\n",
        )
        .expect("write");
        let e = Profile::load(&prof).expect_err("empty reason");
        assert!(matches!(e, ProfileError::NoReason { .. }), "{e}");
        std::fs::write(
            dir.path().join("exp.toml"),
            "[[deviation]]\nscenario = \"x\"\nreason = \"SHA-1 refused by policy\"\n",
        )
        .expect("write");
        let (_, exp) = Profile::load(&prof).expect("loads");
        assert_eq!(exp.reason_for("x"), Some("SHA-1 refused by policy"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let prof = dir.path().join("t.toml");
        std::fs::write(&prof, "name = \"x\"\nbase_url = \"y\"\ncolour = 1\n").expect("write");
        let e = Profile::load(&prof).expect_err("unknown key");
        assert!(e.to_string().contains("colour"), "{e}");
    }
}
