//! The `idpsim serve --config FILE` format: TOML declaring tenants with their users, groups,
//! registered SAML apps and OIDC clients. See docs/serve.md.

use crate::personality::Vendor;
use crate::registry::{MockIdps, NewTenant};
use crate::tenant::Mode;
use crate::tenant::ServerError;
use protocols::{IdGen, SeededIds};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Bearer token for the control API. Required (generated when absent) off loopback.
    pub control_token: Option<String>,
    #[serde(default)]
    pub tenants: Vec<NewTenant>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: tenant #{index}: {source}")]
    Tenant {
        path: String,
        index: usize,
        #[source]
        source: ServerError,
    },
}

impl Config {
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: p.clone(),
            source,
        })?;
        let mut cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: p,
            message: e.to_string(),
        })?;
        // Key files are relative to the config file.
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        for t in &mut cfg.tenants {
            if let Some(k) = &mut t.signing_key {
                k.key = dir.join(&k.key);
                k.cert = dir.join(&k.cert);
            }
        }
        Ok(cfg)
    }

    /// One open tenant per vendor, with stable vendor-shaped ids.
    pub fn open_default() -> Self {
        let ids = SeededIds::new(2026);
        Self {
            control_token: None,
            tenants: Vendor::ALL
                .iter()
                .map(|v| NewTenant {
                    vendor: Some(*v),
                    id: Some(v.personality().ids.tenant.make(&ids as &dyn IdGen).into()),
                    mode: Mode::Open,
                    ..NewTenant::default()
                })
                .collect(),
        }
    }

    /// Create every tenant; stops at the first bad one and names it.
    ///
    /// A user of a tenant with a pinned id gets an id derived from the tenant and the user's
    /// login when the file gives none, so that the OIDC `sub` and the SAML persistent NameID an
    /// SP configured once keys its accounts on stay the same across restarts.
    pub fn apply(&self, idps: &MockIdps, path: &str) -> Result<(), ConfigError> {
        for (index, t) in self.tenants.iter().enumerate() {
            let mut t = t.clone();
            if let (Some(tid), Some(vendor)) = (t.id.clone(), t.vendor) {
                let shape = vendor.personality().ids.user;
                for u in t.users.iter_mut().filter(|u| u.id.is_none()) {
                    if let Some(login) = u.login.clone().or(u.email.clone()) {
                        let seed = crate::control::stable_seed(&[tid.as_str(), &login]);
                        u.id = Some(shape.make(&SeededIds::new(seed) as &dyn IdGen));
                    }
                }
            }
            idps.create_tenant(t)
                .map_err(|source| ConfigError::Tenant {
                    path: path.to_string(),
                    index,
                    source,
                })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_strict_tenant() {
        let c: Config = toml::from_str(
            r#"
            [[tenants]]
            vendor = "entra"
            id = "contoso"
            mode = "strict"
            [[tenants.users]]
            login = "alice@contoso.example"
            groups = ["ml-admins"]
            [[tenants.saml_apps]]
            sp_entity_id = "https://sp.example/saml"
            acs_urls = ["https://sp.example/acs"]
            [[tenants.oidc_clients]]
            client_id = "c1"
            client_secret = "s1"
            redirect_uris = ["https://sp.example/cb"]
            "#,
        )
        .expect("parse");
        assert_eq!(c.tenants[0].vendor, Some(Vendor::Entra));
        assert_eq!(c.tenants[0].mode, Mode::Strict);
        assert_eq!(c.tenants[0].users[0].groups, vec!["ml-admins"]);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = toml::from_str::<Config>("[[tenants]]\nvendor = \"okta\"\nflavour = 1\n")
            .expect_err("unknown key");
        assert!(e.to_string().contains("flavour"), "{e}");
    }

    #[test]
    fn users_of_pinned_tenants_keep_their_ids_across_restarts() {
        let c: Config = toml::from_str(
            r#"
            [[tenants]]
            vendor = "okta"
            id = "acme"
            seed_users = 0
            [[tenants.users]]
            login = "alice@acme.example"
            [[tenants.users]]
            login = "bob@acme.example"
            id = "00upinned000000000001"
            "#,
        )
        .expect("parse");
        let ids_of = |gen: u64| {
            let idps = MockIdps::new(crate::Options {
                base_url: "http://127.0.0.1:1".into(),
                clock: std::sync::Arc::new(protocols::SystemClock),
                ids: std::sync::Arc::new(SeededIds::new(gen)),
                control_token: None,
            });
            c.apply(&idps, "t.toml").expect("apply");
            let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
            let st = t.state.lock();
            st.directory
                .users()
                .iter()
                .map(|u| (u.login.clone(), u.id.clone()))
                .collect::<Vec<_>>()
        };
        // Two starts with different id generators (serve draws random ones).
        let (a, b) = (ids_of(1), ids_of(2));
        assert_eq!(a, b);
        assert!(a[0].1.starts_with("00u") && a[0].1.len() == 20, "{a:?}");
        assert_eq!(a[1].1, "00upinned000000000001");
    }

    #[test]
    fn a_tenant_can_sign_with_key_files_of_its_own() {
        let dir = tempfile::tempdir().expect("tmp");
        let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/keys");
        for f in ["attacker.key.pem", "attacker.crt.pem"] {
            std::fs::copy(keys.join(f), dir.path().join(f)).expect("copy");
        }
        let file = dir.path().join("idp.toml");
        let toml_text = |key: &str| {
            format!(
                "[[tenants]]\nvendor = \"google\"\nid = \"own\"\n\
                 signing_key = {{ key = \"{key}\", cert = \"attacker.crt.pem\" }}\n"
            )
        };
        std::fs::write(&file, toml_text("attacker.key.pem")).expect("write");
        let c = Config::load(&file).expect("load");
        let idps = MockIdps::new(crate::Options {
            base_url: "http://127.0.0.1:1".into(),
            clock: std::sync::Arc::new(protocols::SystemClock),
            ids: std::sync::Arc::new(SeededIds::new(1)),
            control_token: None,
        });
        c.apply(&idps, "idp.toml").expect("apply");
        let t = idps.tenant(Vendor::Google, "own").expect("tenant");
        let want = std::fs::read_to_string(keys.join("attacker.crt.pem")).expect("cert");
        let st = t.state.lock();
        assert_eq!(st.keys.all().len(), 1);
        assert_eq!(st.keys.active().cert_pem().trim(), want.trim());
        drop(st);
        // A missing file is named.
        std::fs::write(&file, toml_text("missing.pem")).expect("write");
        let c = Config::load(&file).expect("load");
        let e = c
            .apply(&idps, "idp.toml")
            .expect_err("missing key file")
            .to_string();
        assert!(
            e.contains("signing_key") && e.contains("missing.pem"),
            "{e}"
        );
    }

    #[test]
    fn default_ids_are_stable() {
        let a = Config::open_default();
        let b = Config::open_default();
        assert_eq!(a.tenants[1].id, b.tenants[1].id);
        assert_eq!(a.tenants.len(), 3);
    }

    #[test]
    fn the_acme_fixture_loads_and_applies() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/tenants/acme.toml");
        let c = Config::load(&path).expect("fixture parses");
        let idps = MockIdps::new(crate::registry::Options {
            base_url: "http://idp.test".into(),
            clock: std::sync::Arc::new(protocols::ManualClock::fixed()),
            ids: std::sync::Arc::new(SeededIds::new(1)),
            control_token: None,
        });
        c.apply(&idps, "acme.toml").expect("applies");
        let okta = idps.tenant(Vendor::Okta, "acme").expect("okta tenant");
        assert_eq!(okta.state.lock().directory.users().len(), 2);
        assert!(okta
            .saml_app("http://127.0.0.1:3000/saml/metadata")
            .is_some());
        assert!(okta.oidc_client("acme-app").is_some());
        // Applying twice names the clash.
        let e = c.apply(&idps, "acme.toml").expect_err("duplicate");
        assert!(e.to_string().contains("tenant #0"), "{e}");
    }
}
