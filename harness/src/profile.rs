//! Target profiles: where a target SP lives, its user-facing URL shapes, what it can do, and the
//! deviations it is known to have. TOML; fixtures/targets/reference.toml is the worked example.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// The SP's base URL, or `"embedded"` for the in-process reference SP. A black-box profile
    /// may leave it out (the origin of its first login URL is used).
    #[serde(default)]
    pub base_url: String,
    /// The target admin API (docs/target-api.md). `{base}` is replaced.
    #[serde(default = "default_admin")]
    pub admin_url: String,
    /// Bearer token for the admin API, if it wants one.
    pub admin_token: Option<String>,
    /// The user-facing URL shapes of an admin-API target (a black-box profile has none).
    #[serde(default)]
    pub endpoints: Endpoints,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Known deviations, relative to this file.
    pub expectations: Option<PathBuf>,
    /// An SP without the admin API (docs/black-box.md).
    pub black_box: Option<crate::black_box::BlackBox>,
    /// Where the profile was loaded from (relative paths in it are relative to its folder).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

fn default_admin() -> String {
    "{base}/_admin".into()
}

/// URL templates; `{base}`, `{org}`, `{owner}`, `{repo}`, `{namespace}` are replaced.
#[derive(Debug, Clone, Default, Deserialize)]
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
    #[error(transparent)]
    Field(#[from] crate::black_box::FieldError),
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
        let mut profile: Profile =
            toml::from_str(&read(path)?).map_err(|e| ProfileError::Parse {
                path: p.clone(),
                message: e.to_string(),
            })?;
        profile.source = Some(path.to_path_buf());
        profile.check_shape(path)?;
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

    /// An admin-API profile needs its endpoints and a base URL; a black-box one needs neither,
    /// and its own fields must hold together (a bad one is named).
    fn check_shape(&mut self, path: &Path) -> Result<(), ProfileError> {
        let field = |f: &str, m: &str| {
            ProfileError::Field(crate::black_box::FieldError {
                path: path.display().to_string(),
                field: f.to_string(),
                message: m.to_string(),
            })
        };
        match &self.black_box {
            Some(bb) => {
                bb.validate(path)?;
                if self.base_url.is_empty() {
                    let first = url::Url::parse(&bb.logins[0].login_url)
                        .map_err(|e| field("black_box.login[0].login_url", &e.to_string()))?;
                    self.base_url = first.origin().ascii_serialization();
                }
                // A black-box SP has no admin API, no clock control and no SCIM server the
                // harness can reach; what it does support is declared by its logins.
                let has = |p| bb.logins.iter().any(|l| l.protocol == p);
                self.capabilities = Capabilities {
                    clock: false,
                    saml: has(crate::black_box::Proto::Saml),
                    oidc: has(crate::black_box::Proto::Oidc),
                    scim: false,
                    basic: true,
                    managed: true,
                    idp_initiated: bb.logins.iter().any(|l| l.idp_initiated),
                };
            }
            None => {
                if self.base_url.is_empty() {
                    return Err(field(
                        "base_url",
                        "missing (an admin-API target needs it; a black-box one has [black_box])",
                    ));
                }
                let e = &self.endpoints;
                for (name, v) in [
                    ("sso_login", &e.sso_login),
                    ("saml_acs", &e.saml_acs),
                    ("saml_entity_id", &e.saml_entity_id),
                    ("oidc_callback", &e.oidc_callback),
                    ("join", &e.join),
                    ("password_login", &e.password_login),
                    ("whoami", &e.whoami),
                    ("resource", &e.resource),
                    ("create_content", &e.create_content),
                    ("scim_base", &e.scim_base),
                ] {
                    if v.is_empty() {
                        return Err(field(&format!("endpoints.{name}"), "missing"));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn is_black_box(&self) -> bool {
        self.black_box.is_some()
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
