//! The SP's shared state, below every router: [`AppState`] (the store, clock, ids, flaws and
//! the OIDC RP), the options it is built from, test clock control, and an organisation's URLs.
//! `crate::app` only assembles the routers over it.

use crate::flaws::Flaws;
use crate::oidc_rp::OidcRp;
use crate::scim::ScimState;
use crate::scim_adapter::StorePlatform;
use crate::store::Store;
use chrono::Duration;
use protocols::clock::OffsetClock;
use protocols::id_types::EntityId;
use protocols::{ManualClock, SharedClock, SharedIdGen};
use std::sync::Arc;

/// How the test-only clock endpoint moves time. Absent unless the SP was started with the
/// explicit test flag; then `POST /_admin/clock/advance` exists.
#[derive(Debug, Clone)]
pub enum ClockControl {
    /// Virtual time shared with in-process IdPs (tests).
    Manual(ManualClock),
    /// The wall clock seen through an offset (`idpsim reference-sp --test-clock`).
    Offset(OffsetClock),
}

impl ClockControl {
    pub fn advance(&self, by: Duration) {
        match self {
            ClockControl::Manual(c) => c.advance(by),
            ClockControl::Offset(c) => c.set_offset(c.offset() + by),
        }
    }
}

/// Everything the SP is started with.
#[derive(Debug, Clone)]
pub struct SpOptions {
    /// The URL browsers reach the SP at, e.g. `http://127.0.0.1:8090`; entity ids and ACS URLs
    /// derive from it.
    pub base_url: String,
    pub store: Arc<Store>,
    pub clock: SharedClock,
    pub ids: SharedIdGen,
    pub flaws: Flaws,
    pub clock_control: Option<ClockControl>,
    /// Required as a bearer token on `/_admin/` when set.
    pub admin_token: Option<String>,
}

pub(crate) struct Inner {
    pub base_url: String,
    pub store: Arc<Store>,
    pub clock: SharedClock,
    pub ids: SharedIdGen,
    pub flaws: Flaws,
    pub clock_control: Option<ClockControl>,
    pub admin_token: Option<String>,
    pub oidc: OidcRp,
    /// The platform as the SCIM server sees it; the admin API links groups through it too.
    pub scim_platform: Arc<StorePlatform>,
}

/// Where the SCIM router is nested: `{base}/scim/v2/organizations/{org}` is an org's SCIM base.
pub const SCIM_PREFIX: &str = "/scim/v2/organizations";

/// Shared state of the running SP.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("base_url", &self.inner.base_url)
            .field("store", &self.inner.store)
            .field("flaws", &self.inner.flaws)
            .field("test_clock", &self.inner.clock_control.is_some())
            .finish()
    }
}

impl AppState {
    pub fn new(opts: SpOptions) -> Self {
        // The RP never follows redirects: an IdP answering discovery or the token endpoint
        // with a redirect is refused, not chased.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        let scim_platform = Arc::new(StorePlatform::new(
            opts.clock.clone(),
            opts.ids.clone(),
            opts.flaws.clone(),
        ));
        Self {
            inner: Arc::new(Inner {
                base_url: opts.base_url.trim_end_matches('/').to_string(),
                store: opts.store,
                clock: opts.clock,
                ids: opts.ids,
                flaws: opts.flaws,
                clock_control: opts.clock_control,
                admin_token: opts.admin_token,
                oidc: OidcRp::new(http),
                scim_platform,
            }),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    pub fn flaws(&self) -> &Flaws {
        &self.inner.flaws
    }

    pub fn ids(&self) -> &SharedIdGen {
        &self.inner.ids
    }

    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Now as stored: unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.inner.clock.now().timestamp()
    }

    pub(crate) fn https(&self) -> bool {
        self.inner.base_url.starts_with("https://")
    }

    /// The SCIM base URL of an organisation, what the IdP's provisioning is pointed at.
    pub fn scim_base_url(&self, slug: &str) -> String {
        format!("{}{SCIM_PREFIX}/{slug}", self.inner.base_url)
    }

    /// The SCIM server's view of this SP: the store's connection (one mutex for both), the
    /// store-backed platform, and the same clock, ids and flaws.
    pub fn scim_state(&self) -> ScimState {
        ScimState {
            conn: self.inner.store.connection(),
            platform: self.inner.scim_platform.clone(),
            clock: self.inner.clock.clone(),
            ids: self.inner.ids.clone(),
            flaws: self.inner.flaws.clone(),
            base_url: format!("{}{SCIM_PREFIX}", self.inner.base_url),
        }
    }

    /// The user-facing URLs of an organisation.
    pub fn org_urls(&self, slug: &str) -> OrgUrls {
        OrgUrls::new(&self.inner.base_url, slug)
    }
}

/// An organisation's user-facing URLs: what a vendor registers at the IdP and what a target
/// profile lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrgUrls {
    pub sso_login: String,
    pub join: String,
    pub saml_acs: String,
    pub saml_metadata: String,
    /// The SP entity id (= the metadata URL).
    pub sp_entity_id: EntityId,
    pub oidc_redirect: String,
}

impl OrgUrls {
    pub fn new(base: &str, slug: &str) -> Self {
        let org = format!("{}/organizations/{slug}", base.trim_end_matches('/'));
        Self {
            sso_login: format!("{org}/sso/login"),
            join: format!("{org}/sso/join"),
            saml_acs: format!("{org}/saml/consume"),
            saml_metadata: format!("{org}/saml/metadata"),
            sp_entity_id: format!("{org}/saml/metadata").into(),
            oidc_redirect: format!("{org}/oidc/consume"),
        }
    }
}

/// What `crate::app::spawn_local` needs; the base URL comes from the bound port.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    pub store: Arc<Store>,
    pub clock: SharedClock,
    pub ids: SharedIdGen,
    pub flaws: Flaws,
    pub clock_control: Option<ClockControl>,
}
