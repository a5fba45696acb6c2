//! The environment every scenario of a run shares: the mock IdPs on 127.0.0.1:0, one virtual
//! clock, and the target (for `embedded`, the reference SP started in process on that clock).
//!
//! One per process: the runner starts it before the first scenario and every World borrows it.
//! Scenarios stay independent through their own IdP tenant and SP organisation; only time is
//! shared, which is why the scenarios that move it are `@serial`.

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
    _tasks: Vec<JoinHandle<std::io::Result<()>>>,
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
        _tasks: tasks,
    });
    ENV.set(env.clone())
        .map_err(|_| anyhow::anyhow!("the scenario environment started twice"))?;
    Ok(env)
}

impl Env {
    /// Move time forward by `seconds` for the target (its clock capability) and the IdPs alike,
    /// so that the IdPs' assertions stay fresh for the SP.
    pub async fn advance(&self, admin: &mut Admin, seconds: i64) -> anyhow::Result<()> {
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
