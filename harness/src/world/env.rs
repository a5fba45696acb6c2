//! The environment every scenario of a run shares: the mock IdPs on 127.0.0.1:0, one virtual
//! clock, and the target (for `embedded`, the reference SP started in process on that clock).
//!
//! One per process: the runner starts it before the first scenario and every World borrows it.
//! Scenarios stay independent through their own IdP tenant and SP organisation; only time is
//! shared, which is why the scenarios that move it are `@serial`.

use crate::black_box::{BlackBox, Login, Proto};
use crate::browser::{BrowserConfig, BrowserKind, Chromium};
use crate::profile::Profile;
use crate::target::{Admin, Target};
use anyhow::{bail, Context as _};
use mock_idps::MockIdps;
use protocols::{Clock as _, IdGen as _, ManualClock, RandomIds, SeededIds, SystemClock};
use reference_sp::{ClockControl, Flaw, Flaws, LocalOptions, Store};
use std::sync::{Arc, OnceLock};
use tokio::task::JoinHandle;

/// What the run is pointed at.
#[derive(Debug, Clone)]
pub struct EnvConfig {
    pub profile: Profile,
    /// Flaws to switch on in the embedded reference SP (ignored for other targets).
    pub sp_flaws: Vec<Flaw>,
    /// Which browser the journeys use.
    pub browser: BrowserConfig,
}

pub struct Env {
    /// Virtual time of the IdPs (and of the embedded SP, which shares it).
    pub clock: ManualClock,
    pub idps: MockIdps,
    pub target: Target,
    /// Whether the target reads `clock` itself (embedded): then advancing the SP advances the
    /// IdPs too, and the harness must not advance them a second time.
    clock_shared: bool,
    /// Appended to every name a scenario creates at a persistent target, so that runs do not
    /// collide; empty for the embedded SP, whose store is new every run.
    pub run_nonce: String,
    pub sp_flaws: Vec<Flaw>,
    /// For a black-box target: its logins, resolved against the running IdPs.
    pub black_box: Option<BlackBoxEnv>,
    /// Browser mode: the WebDriver server the actors' Chromium sessions come from.
    pub browser: Option<Arc<Chromium>>,
    _tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

/// What a black-box run knows beyond the profile.
#[derive(Debug)]
pub struct BlackBoxEnv {
    pub spec: BlackBox,
    pub logins: Vec<Login>,
    /// The directory user of each tenant that honest logins sign in as, by tenant id.
    pub users: std::collections::BTreeMap<String, String>,
}

impl BlackBoxEnv {
    pub fn login(&self, vendor: mock_idps::Vendor, protocol: Proto) -> Option<&Login> {
        self.logins
            .iter()
            .find(|l| l.vendor == vendor && l.protocol == protocol)
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("idps", &self.idps.base_url())
            .field("target", &self.target.base)
            .field("clock_shared", &self.clock_shared)
            .finish()
    }
}

static ENV: OnceLock<Arc<Env>> = OnceLock::new();

/// The environment of this process, once [`start`] has run.
pub fn current() -> Option<Arc<Env>> {
    ENV.get().cloned()
}

/// Start the environment; only once per process.
pub async fn start(cfg: EnvConfig) -> anyhow::Result<Arc<Env>> {
    if ENV.get().is_some() {
        bail!("the scenario environment is already running in this process");
    }
    let env = build(cfg).await?;
    ENV.set(env.clone())
        .map_err(|_| anyhow::anyhow!("the scenario environment started twice"))?;
    Ok(env)
}

/// An environment of its own, not the process's (`idpsim load`, tests): the same IdPs and
/// target as [`start`] would give, serving until the runtime ends.
pub async fn build(cfg: EnvConfig) -> anyhow::Result<Arc<Env>> {
    // Browser mode fails here, before anything starts, when Chromium is missing.
    let browser = match cfg.browser.kind {
        BrowserKind::Http => None,
        BrowserKind::Chromium => Some(Arc::new(Chromium::start(&cfg.browser).await?)),
    };
    if cfg.profile.is_black_box() {
        return start_black_box(cfg, browser).await;
    }
    // The one wall-clock read: virtual time starts now, so that a target on real time and the
    // IdPs agree, and only moves when a scenario says so.
    let clock = ManualClock::new(SystemClock.now());
    let (idps, idp_task) =
        mock_idps::spawn_local(Arc::new(clock.clone()), Arc::new(SeededIds::new(0x1d9)))
            .await
            .context("starting the mock IdPs")?;
    let mut tasks = vec![idp_task];
    let embedded = cfg.profile.base_url == "embedded";
    let (base, clock_shared, run_nonce) = if embedded {
        let mut flaws = Flaws::none();
        for f in &cfg.sp_flaws {
            flaws = flaws.with(*f);
        }
        let (sp, sp_task) = reference_sp::spawn_local(LocalOptions {
            store: Arc::new(Store::in_memory().context("the reference SP's store")?),
            clock: Arc::new(clock.clone()),
            ids: Arc::new(SeededIds::new(0x5b)),
            flaws,
            clock_control: Some(ClockControl::Manual(clock.clone())),
        })
        .await
        .context("starting the reference SP")?;
        tasks.push(sp_task);
        (sp.base_url().to_string(), true, String::new())
    } else {
        if !cfg.sp_flaws.is_empty() {
            bail!("--sp-flaw only applies to the embedded reference SP");
        }
        (cfg.profile.base_url.clone(), false, RandomIds.hex(2))
    };
    let env = Arc::new(Env {
        clock,
        idps,
        target: Target::new(cfg.profile, base)?,
        clock_shared,
        run_nonce,
        sp_flaws: cfg.sp_flaws,
        black_box: None,
        browser,
        _tasks: tasks,
    });
    Ok(env)
}

/// A black-box target: the IdPs on the profile's fixed address with its tenant file, on real
/// time (the SP's clock cannot be moved, so the IdPs must agree with it).
async fn start_black_box(
    cfg: EnvConfig,
    browser: Option<Arc<Chromium>>,
) -> anyhow::Result<Arc<Env>> {
    if !cfg.sp_flaws.is_empty() {
        bail!("--sp-flaw only applies to the embedded reference SP");
    }
    let profile = cfg.profile;
    let bb = profile
        .black_box
        .clone()
        .context("start_black_box needs a [black_box] profile")?;
    let source = profile
        .source
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("profile.toml"));
    let idp_cfg = bb.validate(&source)?;
    let listener = tokio::net::TcpListener::bind(bb.idp_listen)
        .await
        .with_context(|| {
            format!(
                "black_box.idp_listen: cannot listen on {} (is `idpsim serve` or another run \
                 using it?)",
                bb.idp_listen
            )
        })?;
    let idps = MockIdps::new(mock_idps::Options {
        base_url: bb.idp_base(),
        clock: Arc::new(SystemClock),
        // Not seeded: a real SP remembers assertion ids and codes across runs (mellon's replay
        // cache outlives a run), so they must never repeat.
        ids: Arc::new(RandomIds),
        control_token: None,
    });
    let cfg_path = bb.idp_config_path(&source);
    idp_cfg.apply(&idps, &cfg_path.display().to_string())?;
    let idp_task = tokio::spawn(mock_idps::server::run(
        listener,
        idps.clone(),
        std::future::pending(),
    ));
    let mut logins = Vec::new();
    let mut users = std::collections::BTreeMap::new();
    for (i, spec) in bb.logins.iter().enumerate() {
        let field = |f: &str| format!("{}: black_box.login[{i}].{f}", source.display());
        let nt = crate::black_box::tenant_of(&idp_cfg, spec).map_err(anyhow::Error::msg)?;
        let id = nt.id.clone().map(String::from).with_context(|| {
            format!(
                "{}: a {} tenant has no id: pin one, so the SP's configuration stays valid",
                cfg_path.display(),
                spec.vendor.as_str()
            )
        })?;
        let tenant = idps
            .tenant(spec.vendor, &id)
            .with_context(|| format!("{}: tenant {id} did not start", field("tenant")))?;
        let user = {
            match &bb.user {
                Some(u) => tenant.user(u).map(|x| x.login).with_context(|| {
                    format!(
                        "{}: black_box.user {u:?} is not in tenant {id}",
                        source.display()
                    )
                })?,
                None => tenant
                    .users()
                    .into_iter()
                    .find(|u| u.active)
                    .map(|u| u.login)
                    .with_context(|| {
                        format!(
                            "{}: tenant {id} has no active user to sign in",
                            cfg_path.display()
                        )
                    })?,
            }
        };
        users.insert(id.clone(), user);
        let (mut sp_entity_id, mut acs_url, mut client_id, mut redirect_uri) =
            (None, None, None, None);
        match spec.protocol {
            Proto::Saml => {
                let entity = match (&spec.sp_entity_id, &spec.sp_metadata) {
                    (Some(e), _) => e.clone(),
                    (None, Some(m)) => sp_metadata_entity(&source, m)
                        .await
                        .with_context(|| field("sp_metadata"))?,
                    (None, None) => bail!("{}: missing", field("sp_entity_id")),
                };
                let app = tenant.saml_app(&entity).with_context(|| {
                    format!(
                        "{}: {entity:?} has no SAML app in tenant {id}",
                        field("sp_entity_id")
                    )
                })?;
                acs_url = app.acs_urls.first().cloned();
                sp_entity_id = Some(entity);
            }
            Proto::Oidc => {
                let clients = tenant.oidc_clients();
                let c = match &spec.client_id {
                    Some(c) => clients.iter().find(|k| k.client_id.as_str() == c),
                    None => clients.first(),
                }
                .with_context(|| {
                    format!("{}: no such client in tenant {id}", field("client_id"))
                })?;
                client_id = Some(c.client_id.to_string());
                redirect_uri = c.redirect_uris.first().cloned();
            }
        }
        let keys = tenant.keys();
        logins.push(Login {
            vendor: spec.vendor,
            protocol: spec.protocol,
            login_url: spec.login_url.clone(),
            probe_url: spec.probe_url.clone().unwrap_or(spec.login_url.clone()),
            logout_url: spec.logout_url.clone(),
            idp_initiated: spec.idp_initiated,
            tenant,
            sp_entity_id,
            acs_url,
            client_id,
            redirect_uri,
            keys,
        });
    }
    let base = profile.base_url.clone();
    let env = Arc::new(Env {
        clock: ManualClock::new(SystemClock.now()),
        idps,
        target: Target::new(profile, base)?,
        clock_shared: false,
        run_nonce: RandomIds.hex(2),
        sp_flaws: Vec::new(),
        black_box: Some(BlackBoxEnv {
            spec: bb,
            logins,
            users,
        }),
        browser,
        _tasks: vec![idp_task],
    });
    Ok(env)
}

/// The entityID of SP metadata in a file (relative to the profile) or at an http(s) URL.
async fn sp_metadata_entity(profile: &std::path::Path, at: &str) -> anyhow::Result<String> {
    let base = profile.parent().unwrap_or(std::path::Path::new("."));
    Ok(crate::black_box::read_sp_metadata(at, base)
        .await?
        .entity_id)
}

impl Env {
    /// Move time forward by `seconds` for the target (its clock capability) and the IdPs alike,
    /// so that the IdPs' assertions stay fresh for the SP.
    pub async fn advance(&self, admin: &mut Admin, seconds: i64) -> anyhow::Result<()> {
        if self.black_box.is_some() {
            bail!(
                "{}the target is a black-box SP: its clock cannot be moved",
                crate::target::NOT_APPLICABLE
            );
        }
        if !self.target.profile.capabilities.clock {
            bail!(
                "the target has no clock capability: this scenario needs virtual time \
                 (list it as an expected deviation, or give the target a clock)"
            );
        }
        admin.advance_clock(seconds).await?;
        if !self.clock_shared {
            self.clock.advance(chrono::Duration::seconds(seconds));
        }
        Ok(())
    }

    pub fn is_embedded(&self) -> bool {
        self.clock_shared
    }
}
