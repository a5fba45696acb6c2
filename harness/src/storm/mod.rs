//! `idpsim load`: a login storm. Virtual users run full SP-initiated round trips (IdP login,
//! assertion or code, SP acceptance, protected page) against a target, in a closed loop (N
//! users, each starting its next login when the last ends) or an open loop (arrivals at a
//! fixed rate, whatever the SP's pace). Latency per hop goes to HDR histograms, failures are
//! counted by kind, and afterwards the SP's own records are checked against what the storm
//! saw: nothing lost, no duplicate accounts, every session counted.
//!
//! The browsers are the harness's [`UserAgent`], on one shared connection pool, each login in
//! a fresh cookie jar; the IdPs and the target are those of `idpsim run` ([`crate::world::env`]).

mod checks;
mod journey;
mod routes;
mod rsa;
mod stats;

pub use journey::Route;
pub use rsa::rsa2048_signs_per_sec;
pub use stats::{Check, ErrorCount, ErrorKind, Hop, Measured, Percentiles, Report, RsaBaseline};

use crate::agent::UserAgent;
use crate::world::params::{Protocol, Vendor};
use crate::world::Env;
use parking_lot::Mutex;
use stats::Recorder;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The most virtual users (closed loop) or distinct users (open loop) a storm takes.
pub const MAX_USERS: usize = 100_000;
/// The highest open-loop rate, in logins per second.
pub const MAX_RATE: f64 = 100_000.0;
/// Open loop: logins in flight beyond which arrivals are skipped (and counted), so that a
/// stalled SP cannot make the storm hoard memory.
pub const MAX_IN_FLIGHT: u64 = 20_000;

/// Which protocols the routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolChoice {
    Saml,
    Oidc,
    /// Both, a route each, the users spread over them.
    Mix,
}

impl ProtocolChoice {
    pub fn protocols(self) -> Vec<Protocol> {
        match self {
            ProtocolChoice::Saml => vec![Protocol::Saml],
            ProtocolChoice::Oidc => vec![Protocol::Oidc],
            ProtocolChoice::Mix => vec![Protocol::Saml, Protocol::Oidc],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolChoice::Saml => "saml",
            ProtocolChoice::Oidc => "oidc",
            ProtocolChoice::Mix => "mix",
        }
    }
}

/// Closed or open loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    /// `users` virtual users, each running one login after another.
    Closed { users: usize },
    /// Arrivals at `rate` per second, signing in `users` distinct users in turn.
    Open { rate: f64, users: usize },
}

impl Load {
    pub fn users(self) -> usize {
        match self {
            Load::Closed { users } | Load::Open { users, .. } => users,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StormConfig {
    /// `None`: all three (black-box: every login of the profile).
    pub vendors: Option<Vec<Vendor>>,
    pub protocol: ProtocolChoice,
    pub load: Load,
    /// The measured window, after the warm-up.
    pub duration: Duration,
    pub warmup: Duration,
    /// Stop after this many logins (warm-up included), even before the duration is up.
    pub logins: Option<u64>,
    /// How long one HTTP request may take before it counts as a timeout.
    pub hop_timeout: Duration,
}

/// Input the storm refuses before it starts anything.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("--users must be between 1 and {MAX_USERS}, not {0}")]
    Users(usize),
    #[error(
        "--rate must be a number of logins per second above 0 and at most {MAX_RATE}, not {0}"
    )]
    Rate(f64),
    #[error("--duration must be above 0 (or give --logins)")]
    Duration,
    #[error("--logins must be at least 1")]
    Logins,
    #[error("--hop-timeout must be above 0")]
    HopTimeout,
    #[error("--vendor names no vendor")]
    NoVendor,
}

impl StormConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let users = self.load.users();
        if users == 0 || users > MAX_USERS {
            return Err(ConfigError::Users(users));
        }
        if let Load::Open { rate, .. } = self.load {
            if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
                return Err(ConfigError::Rate(rate));
            }
        }
        if self.logins == Some(0) {
            return Err(ConfigError::Logins);
        }
        if self.duration.is_zero() && self.logins.is_none() {
            return Err(ConfigError::Duration);
        }
        if self.hop_timeout.is_zero() {
            return Err(ConfigError::HopTimeout);
        }
        if self.vendors.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::NoVendor);
        }
        Ok(())
    }
}

/// Live counts, for a progress bar.
#[derive(Debug, Default)]
pub struct Counters {
    pub started: AtomicU64,
    pub ok: AtomicU64,
    pub failed: AtomicU64,
    pub skipped: AtomicU64,
}

impl Counters {
    pub fn finished(&self) -> u64 {
        self.ok.load(Ordering::Relaxed) + self.failed.load(Ordering::Relaxed)
    }
}

/// How the storm's main wait ended.
enum Ended {
    /// Every virtual user is done (the login count is reached).
    Done,
    Deadline,
    Interrupted,
}

async fn drain(set: &mut JoinSet<()>) {
    while set.join_next().await.is_some() {}
}

/// A storm set up against a running environment, ready to run.
pub struct Storm {
    env: Arc<Env>,
    cfg: StormConfig,
    routes: Arc<Vec<Route>>,
    pub counters: Arc<Counters>,
}

impl std::fmt::Debug for Storm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storm")
            .field("routes", &self.routes)
            .finish()
    }
}

/// What one virtual user needs, shared by all.
struct Shared {
    routes: Arc<Vec<Route>>,
    client: reqwest::Client,
    recorder: Mutex<Recorder>,
    counters: Arc<Counters>,
    measure_from: Instant,
    /// Logins handed out so far, and the most there may be.
    issued: AtomicU64,
    limit: u64,
}

impl Shared {
    /// The next login's number, unless the limit is reached.
    fn ticket(&self) -> Option<u64> {
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        (n < self.limit).then_some(n)
    }

    /// Route and user of the `n`th user slot: users spread round-robin over the routes.
    fn slot(&self, n: usize) -> (usize, usize) {
        let r = self.routes.len();
        let route = n % r;
        let user = (n / r) % self.routes[route].users.len();
        (route, user)
    }

    async fn one_login(&self, slot: usize) {
        let (route, user) = self.slot(slot);
        let r = &self.routes[route];
        self.counters.started.fetch_add(1, Ordering::Relaxed);
        let measured = Instant::now() >= self.measure_from;
        let agent = UserAgent::on_shared_client("storm", self.client.clone());
        let outcome = journey::login(&agent, r, &r.users[user]).await;
        if outcome.is_ok() {
            self.counters.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.recorder.lock().record(route, user, measured, &outcome);
    }
}

impl Storm {
    /// Set up the routes (organisations, tenants, users) for `cfg`, after checking it.
    pub async fn prepare(env: Arc<Env>, cfg: StormConfig) -> anyhow::Result<Self> {
        cfg.validate()?;
        let routes = cfg.protocol.protocols();
        let n_routes = cfg.vendors.as_ref().map_or(3, Vec::len) * routes.len();
        let per_route = cfg.load.users().div_ceil(n_routes.max(1));
        let routes =
            routes::prepare(&env, cfg.vendors.as_deref(), &routes, per_route.max(1)).await?;
        Ok(Self {
            env,
            cfg,
            routes: Arc::new(routes),
            counters: Arc::new(Counters::default()),
        })
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Run the storm until its duration or login count is reached, or until `interrupt`
    /// resolves (Ctrl-C): then in-flight logins are abandoned and the report is partial.
    /// Afterwards, the checks against the SP.
    pub async fn run(&self, interrupt: impl Future<Output = ()>) -> anyhow::Result<Report> {
        let cfg = &self.cfg;
        let client = UserAgent::shared_client(cfg.hop_timeout)?;
        let began = Instant::now();
        let measure_from = began + cfg.warmup;
        let end = measure_from + cfg.duration;
        let shared = Arc::new(Shared {
            routes: self.routes.clone(),
            client,
            recorder: Mutex::new(Recorder::new(self.routes.len())),
            counters: self.counters.clone(),
            measure_from,
            issued: AtomicU64::new(0),
            limit: cfg.logins.unwrap_or(u64::MAX),
        });
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut set = JoinSet::new();
        match cfg.load {
            Load::Closed { users } => {
                for vu in 0..users {
                    // With a login count, each user gets its share up front, so that who signs
                    // in how often does not depend on scheduling.
                    let quota = cfg.logins.map_or(u64::MAX, |n| {
                        let u = users as u64;
                        n / u + u64::from((vu as u64) < n % u)
                    });
                    let (shared, stop) = (shared.clone(), stop_rx.clone());
                    set.spawn(async move {
                        let mut done = 0;
                        while done < quota && !*stop.borrow() {
                            shared.one_login(vu).await;
                            done += 1;
                        }
                    });
                }
            }
            Load::Open { rate, users } => {
                let (shared, mut stop) = (shared.clone(), stop_rx.clone());
                set.spawn(async move {
                    let mut arrivals = JoinSet::new();
                    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                    loop {
                        tokio::select! {
                            _ = tick.tick() => {}
                            _ = stop.changed() => break,
                        }
                        // Reap what finished, so the set holds only logins in flight.
                        while arrivals.try_join_next().is_some() {}
                        let Some(n) = shared.ticket() else { break };
                        if arrivals.len() as u64 >= MAX_IN_FLIGHT {
                            shared.counters.skipped.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        let shared = shared.clone();
                        let slot = usize::try_from(n).unwrap_or(0) % users;
                        arrivals.spawn(async move { shared.one_login(slot).await });
                    }
                    while arrivals.join_next().await.is_some() {}
                });
            }
        }
        tokio::pin!(interrupt);
        let ended = tokio::select! {
            _ = drain(&mut set) => Ended::Done,
            _ = tokio::time::sleep_until(end) => Ended::Deadline,
            _ = &mut interrupt => Ended::Interrupted,
        };
        let finished_at = Instant::now();
        let _ = stop_tx.send(true);
        let partial = match ended {
            Ended::Done => false,
            Ended::Interrupted => true,
            Ended::Deadline => {
                // Logins under way finish (each hop is bounded by the hop timeout), unless
                // interrupted meanwhile.
                let grace = tokio::time::sleep(cfg.hop_timeout * 4);
                tokio::select! {
                    _ = drain(&mut set) => false,
                    _ = grace => false,
                    _ = &mut interrupt => true,
                }
            }
        };
        // Whatever still runs is abandoned, and counted as unfinished.
        set.abort_all();
        drain(&mut set).await;
        let window = finished_at.saturating_duration_since(measure_from);
        let (measured, errors, tallies) = {
            let rec = shared.recorder.lock();
            let secs = window.as_secs_f64();
            let m = Measured {
                seconds: secs,
                ok: rec.measured_ok,
                failed: rec.measured_failed,
                throughput_per_sec: if secs > 0.0 {
                    rec.measured_ok as f64 / secs
                } else {
                    0.0
                },
                latency: rec.latency(),
            };
            (m, rec.errors(), rec.routes.clone())
        };
        let c = &self.counters;
        let started = c.started.load(Ordering::Relaxed);
        let finished = c.finished();
        let checks = if partial {
            vec![Check {
                name: "checks against the SP".into(),
                passed: None,
                detail: "not run: the storm was interrupted".into(),
            }]
        } else {
            checks::run(&self.env, &self.routes, &tallies, started - finished).await
        };
        Ok(Report {
            partial,
            target: self.env.target.profile.name.clone(),
            protocol: cfg.protocol.as_str().to_string(),
            vendors: {
                let mut v: Vec<String> = self
                    .routes
                    .iter()
                    .filter_map(|r| r.label.split('/').next().map(str::to_string))
                    .collect();
                v.dedup();
                v
            },
            mode: match cfg.load {
                Load::Closed { .. } => "closed",
                Load::Open { .. } => "open",
            }
            .to_string(),
            users: cfg.load.users(),
            rate_per_sec: match cfg.load {
                Load::Open { rate, .. } => Some(rate),
                Load::Closed { .. } => None,
            },
            warmup_secs: cfg.warmup.as_secs_f64(),
            started,
            finished,
            unfinished: started - finished,
            skipped: c.skipped.load(Ordering::Relaxed),
            routes: self
                .routes
                .iter()
                .zip(&tallies)
                .map(|(r, t)| stats::RouteCount {
                    route: r.label.clone(),
                    ok: t.ok,
                    failed: t.failed,
                })
                .collect(),
            measured,
            errors,
            checks,
            rsa: None,
        })
    }
}
