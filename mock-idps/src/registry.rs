//! The tenant registry: every tenant of every vendor under one base URL. [`MockIdps`] is the
//! Rust API the harness drives in process; the control API (`crate::control`) is the same
//! surface over HTTP, and `crate::server` serves it.

use crate::apps::{oidc_client_from, saml_app_from, stable_seed, NewOidcClient, NewSamlApp};
use crate::directory::Directory;
use crate::personality::Vendor;
use crate::tenant::{Mode, ServerError, SharedTenant, Tenant, TenantId, TenantSpec};
use parking_lot::RwLock;
use protocols::id_types::Issuer;
use protocols::{SharedClock, SharedIdGen};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Settings for a [`MockIdps`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The URL clients reach this server at, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    pub clock: SharedClock,
    pub ids: SharedIdGen,
    /// Required as a bearer token on the control API when set.
    pub control_token: Option<String>,
}

/// How to create a tenant through the Rust or control API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    pub vendor: Option<Vendor>,
    /// Unset: generated in the vendor's shape.
    pub id: Option<TenantId>,
    #[serde(default)]
    pub mode: Mode,
    /// Mail domain of seeded users (and Google's `hd`).
    pub domain: Option<String>,
    /// Number of users seeded with `fake` (default 5).
    pub seed_users: Option<usize>,
    /// Seed for the seeded users (default 42).
    pub seed: Option<u64>,
    #[serde(default)]
    pub users: Vec<crate::directory::NewUser>,
    #[serde(default)]
    pub saml_apps: Vec<NewSamlApp>,
    #[serde(default)]
    pub oidc_clients: Vec<NewOidcClient>,
    /// Sign with this key instead of the vendor's pinned ones (PEM files; in a config file,
    /// relative to it). The tenant then publishes this one key.
    pub signing_key: Option<KeyFiles>,
}

/// A private key and its certificate, as PEM files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFiles {
    pub key: std::path::PathBuf,
    pub cert: std::path::PathBuf,
}

impl KeyFiles {
    /// Load the pair; the kid is derived from the tenant, so it stays the same across runs.
    fn load(
        &self,
        tenant: &str,
        vendor: Vendor,
    ) -> Result<protocols::keys::SigningKey, ServerError> {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).map_err(|e| {
                ServerError::Invalid(format!("signing_key: cannot read {}: {e}", p.display()))
            })
        };
        let kid = vendor
            .personality()
            .ids
            .kid
            .make(&protocols::SeededIds::new(stable_seed(&[tenant, "kid"])));
        protocols::keys::SigningKey::from_pem(kid, &read(&self.key)?, &read(&self.cert)?).map_err(
            |e| {
                ServerError::Invalid(format!(
                    "signing_key: {} and {}: {e}",
                    self.key.display(),
                    self.cert.display()
                ))
            },
        )
    }
}

struct Inner {
    opts: Options,
    tenants: RwLock<BTreeMap<(Vendor, String), SharedTenant>>,
}

/// All tenants of all vendors, served from one base URL.
#[derive(Clone)]
pub struct MockIdps {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MockIdps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockIdps")
            .field("base_url", &self.inner.opts.base_url)
            .field("tenants", &self.inner.tenants.read().len())
            .finish()
    }
}

impl MockIdps {
    pub fn new(opts: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                opts,
                tenants: RwLock::new(BTreeMap::new()),
            }),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.opts.base_url
    }

    pub fn options(&self) -> &Options {
        &self.inner.opts
    }

    /// Create a tenant, with its seeded directory, apps and clients.
    pub fn create_tenant(&self, new: NewTenant) -> Result<SharedTenant, ServerError> {
        let vendor = new.vendor.ok_or(ServerError::VendorRequired)?;
        let p = vendor.personality();
        let ids = self.inner.opts.ids.clone();
        let id = new
            .id
            .clone()
            .map(String::from)
            .unwrap_or_else(|| p.ids.tenant.make(ids.as_ref()));
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ServerError::BadTenantId(id));
        }
        let domain = new
            .domain
            .clone()
            .unwrap_or_else(|| format!("{}.{}.example", id.to_ascii_lowercase(), vendor.as_str()));
        let mut directory = Directory::seeded(
            &domain,
            new.seed.unwrap_or(42),
            new.seed_users.unwrap_or(5),
            p,
            ids.as_ref(),
        );
        let own_key = match &new.signing_key {
            Some(files) => Some(files.load(&id, vendor)?),
            None => None,
        };
        for u in new.users.clone() {
            directory
                .add_user(u, p, ids.as_ref())
                .map_err(|e| ServerError::Invalid(e.to_string()))?;
        }
        let tenant = Tenant::new(
            TenantSpec {
                id: TenantId::from(id.clone()),
                vendor,
                mode: new.mode,
                domain,
                directory,
            },
            &self.inner.opts.base_url,
            self.inner.opts.clock.clone(),
            ids,
        );
        if let Some(k) = own_key {
            tenant.state.lock().keys = protocols::keys::KeySet::new(k);
        }
        for app in new.saml_apps {
            let app = saml_app_from(&tenant, app)?;
            tenant.state.lock().saml_apps.push(app);
        }
        for c in new.oidc_clients {
            let c = oidc_client_from(&tenant, c)?;
            tenant.state.lock().oidc_clients.push(c);
        }
        let tenant = Arc::new(tenant);
        let mut all = self.inner.tenants.write();
        if all.contains_key(&(vendor, id.clone())) {
            return Err(ServerError::TenantExists { vendor, id });
        }
        all.insert((vendor, id), tenant.clone());
        Ok(tenant)
    }

    pub fn tenant(&self, vendor: Vendor, id: &str) -> Option<SharedTenant> {
        self.inner
            .tenants
            .read()
            .get(&(vendor, id.to_string()))
            .cloned()
    }

    pub fn remove_tenant(&self, vendor: Vendor, id: &str) -> bool {
        self.inner
            .tenants
            .write()
            .remove(&(vendor, id.to_string()))
            .is_some()
    }

    pub fn tenants(&self) -> Vec<SharedTenant> {
        self.inner.tenants.read().values().cloned().collect()
    }

    /// The `GET /` index.
    pub fn index(&self) -> Index {
        Index {
            tenants: self.tenants().iter().map(|t| TenantIndex::of(t)).collect(),
        }
    }
}

/// The JSON index served at `GET /`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    pub tenants: Vec<TenantIndex>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantIndex {
    pub vendor: Vendor,
    pub id: TenantId,
    pub mode: Mode,
    pub saml: SamlIndex,
    pub oidc: OidcIndex,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlIndex {
    pub entity_id: String,
    pub metadata_url: String,
    pub sso_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcIndex {
    pub issuer: Issuer,
}

impl TenantIndex {
    pub(crate) fn of(t: &Tenant) -> Self {
        let p = t.personality();
        let app = t.default_saml_app();
        Self {
            vendor: t.vendor,
            id: t.id.clone(),
            mode: t.mode,
            saml: SamlIndex {
                entity_id: t.saml_entity_id(Some(&app)),
                metadata_url: t.app_path(p.saml.metadata_path, &app),
                sso_url: t.saml_sso_url(&app),
            },
            oidc: OidcIndex {
                issuer: t.oidc_issuer().into(),
            },
        }
    }
}
