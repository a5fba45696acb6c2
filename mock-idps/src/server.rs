//! The mock IdPs as one axum app: every tenant of every vendor behind one listener, plus the
//! control API under `/_idpsim/`. [`MockIdps`] is also the Rust API the harness drives in process.

use crate::directory::Directory;
use crate::personality::Vendor;
use crate::routes::{route, Endpoint};
use crate::tenant::{Mode, SamlApp, SharedTenant, Tenant, TenantSpec};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use parking_lot::RwLock;
use protocols::{SharedClock, SharedIdGen};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A note a handler attaches to its response for the tenant's request log.
#[derive(Debug, Clone)]
pub struct LogNote(pub String);

/// Attach a log note to a response.
pub fn noted(mut resp: Response, note: impl Into<String>) -> Response {
    resp.extensions_mut().insert(LogNote(note.into()));
    resp
}

/// A protocol message of one exchange, kept in the tenant's request log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMessage {
    /// `AuthnRequest` or `SAMLResponse` (XML), or `id_token` (the JWT of a token answer).
    pub kind: String,
    pub content: String,
}

/// Messages a handler attaches to its response for the tenant's request log.
#[derive(Debug, Clone, Default)]
pub struct LogMessages(pub Vec<LogMessage>);

/// Add a message to a response's log messages.
pub fn with_message(mut resp: Response, kind: &str, content: impl Into<String>) -> Response {
    let msg = LogMessage {
        kind: kind.to_string(),
        content: content.into(),
    };
    match resp.extensions_mut().get_mut::<LogMessages>() {
        Some(m) => m.0.push(msg),
        None => {
            resp.extensions_mut().insert(LogMessages(vec![msg]));
        }
    }
    resp
}

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
    pub id: Option<String>,
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
    pub saml_apps: Vec<crate::control::NewSamlApp>,
    #[serde(default)]
    pub oidc_clients: Vec<crate::control::NewOidcClient>,
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
            .make(&protocols::SeededIds::new(crate::control::stable_seed(&[
                tenant, "kid",
            ])));
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
                id: id.clone(),
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
            let app = crate::control::saml_app_from(&tenant, app)?;
            tenant.state.lock().saml_apps.push(app);
        }
        for c in new.oidc_clients {
            let c = crate::control::oidc_client_from(&tenant, c)?;
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

    /// The axum app: `GET /`, the control API and every tenant's endpoints.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(index))
            .nest("/_idpsim", crate::control::router(self.clone()))
            .route("/{vendor}/{tenant}", any(tenant_root))
            .route("/{vendor}/{tenant}/{*rest}", any(tenant_endpoint))
            .with_state(self.clone())
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
    pub id: String,
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
    pub issuer: String,
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
                issuer: t.oidc_issuer(),
            },
        }
    }
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
        let seed = self.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let ids = protocols::SeededIds::new(seed);
        let p = self.personality();
        SamlApp {
            id: p.ids.saml_app.make(&ids),
            name: "idpsim_app".into(),
            key: p.ids.saml_app_key.make(&ids),
            sp_entity_id: sp_entity_id.unwrap_or("").to_string(),
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

/// `GET /`: the console for a browser (its Accept prefers HTML), the JSON index otherwise.
async fn index(State(idps): State<MockIdps>, headers: axum::http::HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let mut resp = if crate::console::prefers_html(accept) {
        match crate::console::render(idps.options().control_token.is_some()) {
            Ok(page) => axum::response::Html(page).into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("console template: {e}"),
            )
                .into_response(),
        }
    } else {
        Json(idps.index()).into_response()
    };
    resp.headers_mut()
        .insert(header::VARY, axum::http::HeaderValue::from_static("accept"));
    resp
}

async fn tenant_root(
    State(idps): State<MockIdps>,
    Path((vendor, tenant)): Path<(String, String)>,
    req: Request,
) -> Response {
    dispatch(idps, vendor, tenant, String::new(), req).await
}

async fn tenant_endpoint(
    State(idps): State<MockIdps>,
    Path((vendor, tenant, rest)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    dispatch(idps, vendor, tenant, rest, req).await
}

pub(crate) fn query_map(query: Option<&str>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

async fn dispatch(
    idps: MockIdps,
    vendor: String,
    tenant: String,
    rest: String,
    req: Request,
) -> Response {
    if vendor == "_idpsim" {
        return crate::control::unknown_endpoint();
    }
    let Some(t) = vendor
        .parse::<Vendor>()
        .ok()
        .and_then(|v| idps.tenant(v, &tenant))
    else {
        // Entra's /common and /organizations serve every tenant of the vendor.
        if let Ok(v) = vendor.parse::<Vendor>() {
            if v.personality().oidc.multi_tenant.contains(&tenant.as_str()) {
                return crate::oidc::multi_tenant::serve(&idps, v, &tenant, &rest, req).await;
            }
        }
        return not_found(&format!("no tenant {vendor}/{tenant}"));
    };
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = query_map(req.uri().query());
    let slo = crate::saml_idp::slo::route(&t, &rest, req.method(), req.uri().query());
    let resp = match (slo, route(t.personality(), &rest, &query)) {
        (Some(app), _) => crate::saml_idp::slo::serve(t.clone(), app, req).await,
        (None, Some(Endpoint::Oidc(e, srv))) => crate::oidc::serve(t.clone(), e, srv, req).await,
        (None, Some(ep)) => crate::saml_idp::serve(t.clone(), ep, req).await,
        (None, None) => not_found(&format!(
            "{} has no endpoint at /{rest}",
            t.personality().display_name
        )),
    };
    let note = resp
        .extensions()
        .get::<LogNote>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    let messages = resp
        .extensions()
        .get::<LogMessages>()
        .map(|m| m.0.clone())
        .unwrap_or_default();
    t.log_messages(&method, &path, resp.status().as_u16(), note, messages);
    resp
}

pub(crate) fn not_found(msg: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(msg.to_string()),
    )
        .into_response()
}

/// Serve `idps` on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    idps: MockIdps,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, idps.router())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Bind `127.0.0.1:0`, create the server with `clock` and `ids`, and serve in the background.
/// For tests and the in-process harness.
pub async fn spawn_local(
    clock: SharedClock,
    ids: SharedIdGen,
) -> std::io::Result<(MockIdps, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let idps = MockIdps::new(Options {
        base_url: format!("http://{addr}"),
        clock,
        ids,
        control_token: None,
    });
    let handle = tokio::spawn(run(listener, idps.clone(), std::future::pending()));
    Ok((idps, handle))
}

/// Whether `uri` is an http(s) URL on a loopback host (open mode's redirect_uri rule).
pub fn is_loopback_redirect(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
