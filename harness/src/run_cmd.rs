//! `idpsim run`: the catalogue against a target (default: the embedded reference SP), with
//! reports and snapshot checks. Exit 0 only when every scenario passed or is a listed deviation.

use harness::browser::{BrowserConfig, BrowserKind};
use harness::profile::{Expectations, Profile};
use harness::report::merge::{self, RunRecord, Selection};
use harness::report::Summary;
use harness::runner::{self, RunConfig};
use harness::shard::{Durations, Shard};
use protocols::Clock as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Target profile (TOML). Default: the embedded reference SP (fixtures/targets/reference.toml).
    #[arg(long)]
    target: Option<PathBuf>,
    /// Cucumber tag expression, e.g. "@managed and not @serial".
    #[arg(long)]
    tags: Option<String>,
    /// Only these vendors (okta, entra, google), comma-separated.
    #[arg(long, value_delimiter = ',')]
    vendor: Vec<String>,
    /// Only these protocols (saml, oidc), comma-separated.
    #[arg(long, value_delimiter = ',')]
    protocol: Vec<String>,
    /// Where the reports go.
    #[arg(long, default_value = "reports/out")]
    report: PathBuf,
    /// Scenarios run at once (those tagged @serial always run alone).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Accept the evidence of this run as the new snapshot baselines.
    #[arg(long)]
    update_snapshots: bool,
    /// Feature files. Default: ./features, else the catalogue this binary was built from.
    #[arg(long)]
    features: Option<PathBuf>,
    /// Snapshot baselines. Default: reports/snapshots/<target name>.
    #[arg(long)]
    snapshots: Option<PathBuf>,
    /// Self-test: switch on a deliberate flaw in the embedded reference SP (repeatable), to
    /// see that the catalogue catches it. See `idpsim reference-sp --help` for the names.
    #[arg(long = "sp-flaw", value_name = "NAME")]
    sp_flaw: Vec<reference_sp::Flaw>,
    /// Run only part i of n of the catalogue (1-based), e.g. 2/4: a deterministic partition
    /// balanced by recorded durations. Merge the parts with `idpsim report merge`. See
    /// docs/ci-sharding.md.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Recorded scenario durations that balance the shards. Default: reports/durations.json
    /// (here, else the workspace's); scenarios missing from it count as the median.
    #[arg(long, value_name = "FILE")]
    durations: Option<PathBuf>,
    /// Which browser signs in: the harness's HTTP agent (fast), or a real headless Chromium
    /// over WebDriver (needs chromium and chromium-driver; see docs/browser.md).
    #[arg(long, value_enum, default_value_t = BrowserKind::Http)]
    browser: BrowserKind,
    /// With --browser chromium: a WebDriver server already running (e.g.
    /// http://127.0.0.1:9515) instead of starting chromedriver.
    #[arg(long, value_name = "URL")]
    webdriver: Option<String>,
}

/// The durations file: the one given, else ./reports/durations.json, else the workspace's.
pub fn durations_path(given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let local = Path::new("reports/durations.json");
    if local.is_file() {
        local.to_path_buf()
    } else {
        runner::default_features_dir().join("../reports/durations.json")
    }
}

fn slug(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    if args.webdriver.is_some() && args.browser != BrowserKind::Chromium {
        anyhow::bail!("--webdriver needs --browser chromium");
    }
    if args.update_snapshots && args.browser != BrowserKind::Http {
        anyhow::bail!(
            "--update-snapshots: the baselines are the HTTP agent's evidence; run it without \
             --browser"
        );
    }
    let (profile, expectations) = match &args.target {
        Some(p) => Profile::load(p)?,
        None => (Profile::reference(), Expectations::default()),
    };
    let features = args.features.clone().unwrap_or_else(|| {
        let local = Path::new("features");
        if local.is_dir() {
            local.to_path_buf()
        } else {
            runner::default_features_dir()
        }
    });
    let snapshots = args
        .snapshots
        .clone()
        .unwrap_or_else(|| Path::new("reports/snapshots").join(slug(&profile.name)));
    let started = protocols::SystemClock.now().to_rfc3339();
    let durations = match args.shard {
        Some(_) => Durations::load(&durations_path(args.durations.as_deref()))?,
        None => Durations::default(),
    };
    let cfg = RunConfig {
        profile: profile.clone(),
        expectations,
        sp_flaws: args.sp_flaw.clone(),
        features,
        tags: args.tags.clone(),
        vendors: args.vendor.iter().map(|v| v.to_ascii_lowercase()).collect(),
        protocols: args
            .protocol
            .iter()
            .map(|v| v.to_ascii_lowercase())
            .collect(),
        concurrency: args.concurrency,
        verbose: true,
        shard: args.shard,
        durations,
        browser: BrowserConfig {
            kind: args.browser,
            webdriver: args.webdriver.clone(),
            report_dir: Some(args.report.clone()),
        },
    };
    let selection = Selection {
        tags: cfg.tags.clone(),
        vendors: cfg.vendors.clone(),
        protocols: cfg.protocols.clone(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = rt.block_on(runner::run(cfg))?;
    for e in &outcome.parse_errors {
        eprintln!("feature file error: {e}");
    }
    if outcome.not_applicable > 0 {
        eprintln!(
            "{} scenario(s) not applicable to this target (reasons in the summary)",
            outcome.not_applicable
        );
    }
    let summary = Summary {
        target: profile.name.clone(),
        started,
        wall_time_ms: outcome.wall_time.as_millis() as u64,
        sp_flaws: args.sp_flaw.iter().map(|f| f.name().to_string()).collect(),
    };
    let record = RunRecord {
        format: merge::FORMAT.to_string(),
        summary,
        black_box: profile.is_black_box(),
        selection,
        catalogue: outcome.catalogue.clone(),
        shard: args.shard,
        results: outcome.results.clone(),
    };
    if let Some(shard) = args.shard {
        eprintln!(
            "shard {shard}: {} of the catalogue's {} scenarios",
            outcome.results.len(),
            outcome.catalogue.scenarios
        );
    }
    // A black-box SP's pages are its own (cookies, dates, session ids), and Chromium's hops
    // are not the HTTP agent's (headers, bodies): that evidence is kept in the reports, not
    // held against the baselines.
    let browser_mode = args.browser != BrowserKind::Http;
    let drifts = if profile.is_black_box() || browser_mode {
        Vec::new()
    } else {
        outcome.check_snapshots(&snapshots, args.update_snapshots)?
    };
    // report.html shows the drift as a diff, so the reports are written after the check.
    let written = merge::write(&args.report, &record, &drifts)?;
    if args.update_snapshots {
        eprintln!("snapshots: baselines written to {}", snapshots.display());
    } else if !drifts.is_empty() {
        eprintln!(
            "snapshots: {} scenario(s) differ from their baseline in {} \
             (review the .snap.new files, or accept them with --update-snapshots):",
            drifts.len(),
            snapshots.display()
        );
        for d in drifts.iter().take(20) {
            eprintln!("  {}", d.scenario);
        }
    }
    for r in &outcome.results {
        if r.verdict == harness::result::Verdict::UnexpectedPass {
            eprintln!(
                "unexpected pass (listed as a deviation: {}): {}",
                r.deviation.as_deref().unwrap_or(""),
                r.scenario
            );
        }
    }
    eprintln!(
        "reports: {} (summary {})",
        args.report.display(),
        written.summary_md.display()
    );
    #[allow(clippy::print_stdout)] // the closing line is the command's output
    {
        println!("{}", outcome.closing_line());
    }
    Ok(if outcome.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
