//! `idpsim load`: a login storm against a target (default: the embedded reference SP), with
//! latency per hop, throughput, errors by kind and checks against the SP afterwards. Exit 0
//! when every login succeeded and every check passed, 1 otherwise, 130 when interrupted
//! (the partial report is still written). docs/cli.md, docs/benchmarks.md.

// The report is this command's output.
#![allow(clippy::print_stdout)]

use harness::profile::Profile;
use harness::storm::{self, Load, ProtocolChoice, Report, RsaBaseline, Storm, StormConfig};
use harness::world::env::{self, EnvConfig};
use harness::world::params::Vendor;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ProtocolArg {
    Saml,
    Oidc,
    Mix,
}

#[derive(Debug, clap::Args)]
pub struct StormArgs {
    /// Target profile (TOML). Default: the embedded reference SP, in this process with the
    /// IdPs and the virtual users.
    #[arg(long)]
    target: Option<PathBuf>,
    /// saml, oidc, or mix (a route of each, users spread over them).
    #[arg(long, value_enum, default_value = "saml")]
    protocol: ProtocolArg,
    /// okta, entra, google, comma-separated. Default: all three (black-box target: every
    /// login of its profile).
    #[arg(long, value_delimiter = ',')]
    vendor: Vec<String>,
    /// Open loop: new logins per second, e.g. `500` or `500/s`, whatever the SP's pace.
    /// Without it, a closed loop.
    #[arg(long, value_parser = parse_rate, allow_hyphen_values = true)]
    rate: Option<f64>,
    /// Closed loop: virtual users, each starting its next login when the last ends (default
    /// 32). Open loop: distinct users signed in in turn (default 1000).
    #[arg(long, value_parser = parse_users, allow_hyphen_values = true)]
    users: Option<usize>,
    /// The measured window, e.g. 30s, 2m.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Run this long before measuring; logins started in it count in no figure.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Stop after this many logins (warm-up included), even before --duration is up.
    #[arg(long)]
    logins: Option<u64>,
    /// One request's time limit; past it, the login counts as a timeout.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    hop_timeout: Duration,
    /// Where load.json and load.om.txt (OpenMetrics text) go.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Skip the RSA-2048 signing baseline (about 1 s, measured before the storm).
    #[arg(long)]
    no_rsa_baseline: bool,
    /// Runtime worker threads. Default: one per core.
    #[arg(long)]
    threads: Option<usize>,
}

/// Why `--rate` or `--users` was refused (clap prints it after the argument).
#[derive(Debug, thiserror::Error)]
enum StormArgError {
    #[error("{given:?} is not a rate (logins per second, e.g. 200 or 200/s)")]
    NotARate { given: String },
    #[error("the rate must be above 0 logins/s, not {given}")]
    RateNotPositive { given: String },
    #[error(
        "{given} logins/s is more than this storm offers ({} at most)",
        storm::MAX_RATE
    )]
    RateTooHigh { given: String },
    #[error("{given:?} is not a number of users")]
    NotAUserCount { given: String },
    #[error("at least 1 user, not {count}")]
    TooFewUsers { count: i64 },
    #[error(
        "{count} users is more than a storm takes ({} at most)",
        storm::MAX_USERS
    )]
    TooManyUsers { count: i64 },
}

fn parse_rate(s: &str) -> Result<f64, StormArgError> {
    let given = || s.to_string();
    let n = s.trim().trim_end_matches("/s").trim();
    let rate: f64 = n
        .parse()
        .map_err(|_| StormArgError::NotARate { given: given() })?;
    if !(rate.is_finite() && rate > 0.0) {
        return Err(StormArgError::RateNotPositive { given: given() });
    }
    if rate > storm::MAX_RATE {
        return Err(StormArgError::RateTooHigh { given: given() });
    }
    Ok(rate)
}

fn parse_users(s: &str) -> Result<usize, StormArgError> {
    let n: i64 = s.trim().parse().map_err(|_| StormArgError::NotAUserCount {
        given: s.to_string(),
    })?;
    if n < 1 {
        return Err(StormArgError::TooFewUsers { count: n });
    }
    match usize::try_from(n) {
        Ok(u) if u <= storm::MAX_USERS => Ok(u),
        _ => Err(StormArgError::TooManyUsers { count: n }),
    }
}

fn vendor(s: &str) -> anyhow::Result<Vendor> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "okta" => Vendor::Okta,
        "entra" => Vendor::Entra,
        "google" => Vendor::Google,
        other => anyhow::bail!("unknown vendor {other:?} (okta, entra, google)"),
    })
}

fn progress_bar(cfg: &StormConfig) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        return None;
    }
    let (len, template) = match cfg.logins {
        Some(n) => (n, "{bar:30} {pos}/{len} logins, {msg} [{elapsed}]"),
        None => (
            (cfg.warmup + cfg.duration).as_secs().max(1),
            "{bar:30} {pos}/{len}s, {msg} [{elapsed}]",
        ),
    };
    let pb = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style);
    }
    Some(pb)
}

pub fn run(args: StormArgs) -> anyhow::Result<ExitCode> {
    let vendors = if args.vendor.is_empty() {
        None
    } else {
        Some(
            args.vendor
                .iter()
                .map(String::as_str)
                .map(vendor)
                .collect::<anyhow::Result<Vec<_>>>()?,
        )
    };
    let load = match args.rate {
        Some(rate) => Load::Open {
            rate,
            users: args.users.unwrap_or(1000),
        },
        None => Load::Closed {
            users: args.users.unwrap_or(32),
        },
    };
    let cfg = StormConfig {
        vendors,
        protocol: match args.protocol {
            ProtocolArg::Saml => ProtocolChoice::Saml,
            ProtocolArg::Oidc => ProtocolChoice::Oidc,
            ProtocolArg::Mix => ProtocolChoice::Mix,
        },
        load,
        duration: args.duration,
        warmup: args.warmup,
        logins: args.logins,
        hop_timeout: args.hop_timeout,
    };
    cfg.validate()?;
    let profile = match &args.target {
        Some(p) => Profile::load(p)?.0,
        None => Profile::reference(),
    };
    let signs = if args.no_rsa_baseline {
        None
    } else {
        Some(storm::rsa2048_signs_per_sec(Duration::from_secs(1))?)
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.enable_all().build()?;
    let mut report: Report = rt.block_on(async {
        let env = env::build(EnvConfig {
            profile,
            sp_flaws: Vec::new(),
            browser: Default::default(),
        })
        .await?;
        let storm = Storm::prepare(env, cfg.clone()).await?;
        let pb = progress_bar(&cfg);
        let ticker = pb.clone().map(|pb| {
            let counters = storm.counters.clone();
            let by_logins = cfg.logins.is_some();
            tokio::spawn(async move {
                let begun = tokio::time::Instant::now();
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let ok = counters.ok.load(Ordering::Relaxed);
                    let failed = counters.failed.load(Ordering::Relaxed);
                    pb.set_position(if by_logins {
                        ok + failed
                    } else {
                        begun.elapsed().as_secs()
                    });
                    pb.set_message(format!("{ok} ok, {failed} failed"));
                }
            })
        });
        let interrupt = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let report = storm.run(interrupt).await;
        if let Some(t) = ticker {
            t.abort();
        }
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        report
    })?;
    report.rsa = signs.map(|s| RsaBaseline {
        signs_per_sec: s,
        ratio: report.measured.throughput_per_sec / s,
        how: "openssl crate, one thread, SHA-256, before the storm".into(),
    });
    println!("{}", report.text());
    if let Some(dir) = &args.report {
        report.write(dir)?;
        println!("report: {}", dir.display());
    }
    Ok(if report.partial {
        ExitCode::from(130)
    } else if report.checks_passed() && report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
