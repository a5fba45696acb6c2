//! The scenario runner behind both `idpsim run` and the `features` cargo test target.
//!
//! It starts the environment (mock IdPs, and the embedded reference SP when the profile says
//! so), runs the feature files with cucumber, scenarios concurrently (those tagged `@serial`
//! alone), and turns cucumber's event stream into [`ScenarioResult`]s: a [`Collector`] writer
//! gathers each scenario's steps, and the `after` hook hands over the World's evidence.

use crate::browser::BrowserConfig;
use crate::profile::{Expectations, Profile};
use crate::report::merge::CatalogueId;
use crate::report::snapshot::Drift;
use crate::report::Totals;
use crate::result::{Evidence, ScenarioResult, StepResult, StepStatus, Verdict};
use crate::shard::{self, Durations, Partition, Shard};
use crate::target::NOT_APPLICABLE;
use crate::world::{env, EnvConfig, IdpWorld, NO_ANSWER};
use cucumber::tag::Ext as _;
use cucumber::{cli, event, gherkin, parser, Event, World as _, Writer};
use parking_lot::Mutex;
use reference_sp::Flaw;
use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod select;

use select::{all_tags, among, inapplicable, is_stateful, relative_path};

/// What to run, against what.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub profile: Profile,
    pub expectations: Expectations,
    /// Flaws to switch on in the embedded reference SP.
    pub sp_flaws: Vec<Flaw>,
    /// The features directory.
    pub features: PathBuf,
    /// A cucumber tag expression, e.g. `@okta and not @serial`.
    pub tags: Option<String>,
    /// Only these vendors / protocols (lowercase tag names); empty: all.
    pub vendors: Vec<String>,
    pub protocols: Vec<String>,
    pub concurrency: usize,
    /// Print one line per finished scenario.
    pub verbose: bool,
    /// Run only this part of the catalogue's partition (crate::shard).
    pub shard: Option<Shard>,
    /// Recorded scenario durations, to balance the shards.
    pub durations: Durations,
    /// The HTTP agent (default) or a real Chromium for the journeys.
    pub browser: BrowserConfig,
}

/// The default features directory: `features/` at the workspace root.
pub fn default_features_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../features")
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub results: Vec<ScenarioResult>,
    pub totals: Totals,
    pub wall_time: Duration,
    /// Feature files that did not parse.
    pub parse_errors: Vec<String>,
    /// Scenarios the target cannot take part in (also in `results`, with their reason).
    pub not_applicable: usize,
    /// Per scenario (by name): run-specific strings and their stable names, for snapshots.
    pub substitutions: HashMap<String, Vec<(String, String)>>,
    /// The catalogue found on disk (before any filter), which the shards partition.
    pub catalogue: CatalogueId,
}

impl RunOutcome {
    /// Exit 0 only when every scenario passed or failed as expected, and every file parsed.
    pub fn ok(&self) -> bool {
        self.parse_errors.is_empty() && self.results.iter().all(|r| r.verdict.is_ok())
    }

    /// Compare the passed scenarios' normalised evidence with the baselines in `dir` (or write
    /// them, with `update`). `dir` is made absolute: insta would resolve a relative path
    /// against its own source file.
    pub fn check_snapshots(&self, dir: &Path, update: bool) -> std::io::Result<Vec<Drift>> {
        let dir = std::path::absolute(dir)?;
        if std::env::var_os("INSTA_OUTPUT").is_none() {
            // insta's own diff output would drown the run's; the drift list names the files.
            std::env::set_var("INSTA_OUTPUT", "none");
        }
        Ok(crate::report::snapshot::check(
            &self.results,
            &|r| crate::report::normalize::Context {
                substitutions: self
                    .substitutions
                    .get(&r.scenario)
                    .cloned()
                    .unwrap_or_default(),
            },
            &dir,
            update,
        ))
    }

    /// "N passed, N failed" and the wall time.
    pub fn closing_line(&self) -> String {
        format!(
            "{} in {:.2}s",
            self.totals.closing_line(),
            self.wall_time.as_secs_f64()
        )
    }
}

type ScenarioKey = (String, usize, String);

fn key_of(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> ScenarioKey {
    let path = feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| feature.name.clone());
    (path, scenario.position.line, scenario.name.clone())
}

struct Pending {
    feature: String,
    feature_path: String,
    scenario: String,
    line: usize,
    tags: Vec<String>,
    steps: Vec<StepResult>,
    started: Instant,
    hook_error: Option<String>,
}

/// A cucumber writer that keeps each scenario's steps and prints a line per scenario.
pub struct Collector {
    features_dir: PathBuf,
    /// Known deviations: their failures print as such, not as FAIL.
    expectations: Expectations,
    pending: HashMap<ScenarioKey, Pending>,
    done: Vec<(ScenarioKey, Pending)>,
    parse_errors: Vec<String>,
    verbose: bool,
    /// A live counter on a terminal; plain lines elsewhere (CI, pipes).
    progress: Option<indicatif::ProgressBar>,
    failures: usize,
}

impl cucumber::writer::Normalized for Collector {}

/// A spinner with the running counts, when stderr is a terminal and this is not CI.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {pos} scenarios finished, {msg} [{elapsed}]",
    ) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

fn panic_text(e: &event::StepError) -> String {
    match e {
        event::StepError::Panic(info) => info
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the step panicked".into()),
        other => other.to_string(),
    }
}

impl Collector {
    fn new(features_dir: PathBuf, expectations: Expectations, verbose: bool) -> Self {
        Self {
            features_dir,
            expectations,
            pending: HashMap::new(),
            done: Vec::new(),
            parse_errors: Vec::new(),
            progress: if verbose { progress_bar() } else { None },
            verbose,
            failures: 0,
        }
    }

    fn scenario(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: event::Scenario<IdpWorld>,
    ) {
        let key = key_of(feature, scenario);
        match ev {
            event::Scenario::Started => {
                let tags = feature
                    .tags
                    .iter()
                    .chain(rule.iter().flat_map(|r| &r.tags))
                    .chain(scenario.tags.iter())
                    .map(|t| format!("@{t}"))
                    .collect();
                let feature_path = relative_path(&self.features_dir, feature);
                self.pending.insert(
                    key,
                    Pending {
                        feature: feature.name.clone(),
                        feature_path,
                        scenario: scenario.name.clone(),
                        line: scenario.position.line,
                        tags,
                        steps: Vec::new(),
                        started: Instant::now(),
                        hook_error: None,
                    },
                );
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                let Some(p) = self.pending.get_mut(&key) else {
                    return;
                };
                let (status, error) = match ev {
                    event::Step::Started => return,
                    event::Step::Passed(..) => (StepStatus::Passed, None),
                    event::Step::Skipped => (
                        StepStatus::Skipped,
                        Some("no step definition matches this step".to_string()),
                    ),
                    event::Step::Failed(_, _, _, e) => (StepStatus::Failed, Some(panic_text(&e))),
                };
                p.steps.push(StepResult {
                    keyword: step.keyword.trim().to_string(),
                    text: step.value.clone(),
                    status,
                    error,
                });
            }
            event::Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some(p) = self.pending.get_mut(&key) {
                    let msg = info
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| info.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "the hook panicked".into());
                    p.hook_error = Some(format!("{kind} hook failed: {msg}"));
                }
            }
            event::Scenario::Finished => {
                if let Some(p) = self.pending.remove(&key) {
                    if failed(&p) {
                        self.failures += 1;
                    }
                    match &self.progress {
                        Some(pb) => {
                            pb.inc(1);
                            pb.set_message(format!("{} failed", self.failures));
                            if failed(&p) {
                                pb.println(format!(
                                    "FAIL {}:{} {}",
                                    p.feature_path, p.line, p.scenario
                                ));
                            }
                        }
                        None if self.verbose => {
                            print_line(&p, self.expectations.reason_for(&p.scenario))
                        }
                        None => {}
                    }
                    self.done.push((key, p));
                }
            }
            _ => {}
        }
    }
}

fn failed(p: &Pending) -> bool {
    p.hook_error.is_some() || p.steps.iter().any(|s| s.status != StepStatus::Passed)
}

fn print_line(p: &Pending, deviation: Option<&str>) {
    let mut err = std::io::stderr().lock();
    let na = p
        .steps
        .iter()
        .find(|s| s.status != StepStatus::Passed)
        .and_then(|s| s.error.as_deref())
        .and_then(|e| e.strip_prefix(NOT_APPLICABLE));
    if let Some(why) = na {
        let _ = writeln!(err, "n/a  {}:{} {}", p.feature_path, p.line, p.scenario);
        let _ = writeln!(err, "     {why}");
        return;
    }
    if let (true, Some(why)) = (failed(p), deviation) {
        let _ = writeln!(err, "dev  {}:{} {}", p.feature_path, p.line, p.scenario);
        let _ = writeln!(err, "     listed deviation: {why}");
        return;
    }
    if failed(p) {
        let _ = writeln!(err, "FAIL {}:{} {}", p.feature_path, p.line, p.scenario);
        if let Some(h) = &p.hook_error {
            let _ = writeln!(err, "     {h}");
        }
        if let Some(s) = p.steps.iter().find(|s| s.status != StepStatus::Passed) {
            let _ = writeln!(err, "     {} {}", s.keyword, s.text);
            for line in s.error.as_deref().unwrap_or("").lines() {
                let _ = writeln!(err, "       {line}");
            }
        }
    } else {
        let _ = writeln!(err, "ok   {}:{} {}", p.feature_path, p.line, p.scenario);
    }
}

impl Writer<IdpWorld> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        ev: parser::Result<Event<event::Cucumber<IdpWorld>>>,
        _: &Self::Cli,
    ) {
        match ev {
            Err(e) => self.parse_errors.push(e.to_string()),
            Ok(ev) => match ev.value {
                event::Cucumber::Feature(f, event::Feature::Scenario(sc, rs)) => {
                    self.scenario(&f, None, &sc, rs.event)
                }
                event::Cucumber::Feature(
                    f,
                    event::Feature::Rule(r, event::Rule::Scenario(sc, rs)),
                ) => self.scenario(&f, Some(&r), &sc, rs.event),
                _ => {}
            },
        }
    }
}

/// Which scenarios one cucumber pass runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Everything (an admin-API target).
    All,
    /// A black-box target's scenarios that leave no state behind.
    Plain,
    /// Then the ones that do, last.
    Stateful,
}

/// What a finished scenario hands over: evidence, snapshot substitutions, and (black-box) the
/// fault that was never used.
type Handover = Arc<Mutex<HashMap<ScenarioKey, (Evidence, Vec<(String, String)>, Option<String>)>>>;

/// The verdict of a scenario from its steps, the fault check and the expectations.
fn verdict_of(
    steps: &[StepResult],
    not_applied: Option<String>,
    deviation: bool,
) -> (Verdict, Option<String>) {
    let first_bad = steps
        .iter()
        .find(|s| s.status != StepStatus::Passed)
        .and_then(|s| s.error.as_deref());
    let failed = first_bad.is_some();
    let (v, reason) = if let Some(why) = first_bad.and_then(|e| e.strip_prefix(NOT_APPLICABLE)) {
        return (Verdict::NotApplicable, Some(why.to_string()));
    } else if let Some(why) = not_applied {
        (Verdict::NotApplied, Some(why))
    } else if let Some(why) = first_bad.and_then(|e| e.strip_prefix(NO_ANSWER)) {
        (Verdict::NoAnswer, Some(why.to_string()))
    } else if failed {
        (Verdict::Failed, None)
    } else {
        (Verdict::Passed, None)
    };
    let v = match (v, deviation) {
        (Verdict::Passed, true) => Verdict::UnexpectedPass,
        // A fault never served is no verdict on the SP, listed or not.
        (Verdict::Failed | Verdict::NoAnswer, true) => Verdict::ExpectedFailure,
        (v, _) => v,
    };
    (v, reason)
}

/// One cucumber pass: which scenarios, in which lane, how many at once.
struct PassSpec {
    pass: Pass,
    /// A black-box vendor lane: only that vendor's scenarios (the first lane also takes those
    /// without a vendor).
    lane: Option<&'static str>,
    first_lane: Option<&'static str>,
    concurrency: usize,
    tag_expr: Option<gherkin::tagexpr::TagOperation>,
    blocked: Vec<(String, String)>,
    not_applicable: Arc<Mutex<Vec<ScenarioResult>>>,
    /// A shard's scenarios; None: all.
    mine: Option<Arc<BTreeSet<shard::ScenarioKey>>>,
}

type PassOutput = (
    Vec<(ScenarioKey, Pending)>,
    HashMap<ScenarioKey, (Evidence, Vec<(String, String)>, Option<String>)>,
    Vec<String>,
);

async fn cucumber_pass(cfg: &RunConfig, spec: PassSpec) -> PassOutput {
    let PassSpec {
        pass,
        lane,
        first_lane,
        concurrency,
        tag_expr,
        blocked,
        not_applicable: na,
        mine,
    } = spec;
    let profile = cfg.profile.clone();
    let (vendors, protocols) = (cfg.vendors.clone(), cfg.protocols.clone());
    let features_dir = cfg.features.clone();
    let filter = move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
        // Another shard's scenario is that shard's to run or to count as not applicable.
        if let Some(mine) = &mine {
            let key = shard::ScenarioKey::new(relative_path(&features_dir, f), s.name.clone());
            if !mine.contains(&key) {
                return false;
            }
        }
        let all = all_tags(f, r, s);
        if let Some(lane) = lane {
            let vendor = all.iter().find(|t| ["okta", "entra", "google"].contains(t));
            let mine = match vendor {
                Some(v) => *v == lane,
                None => Some(lane) == first_lane,
            };
            if !mine {
                return false;
            }
        }
        if let Some(expr) = &tag_expr {
            if !expr.eval(all.iter()) {
                return false;
            }
        }
        if !among(&all, &["okta", "entra", "google"], &vendors)
            || !among(&all, &["saml", "oidc"], &protocols)
        {
            return false;
        }
        let why = inapplicable(&profile, &all).or_else(|| {
            blocked
                .iter()
                .find(|(v, p)| all.contains(&v.as_str()) && all.contains(&p.as_str()))
                .map(|(v, p)| format!("blocked: the honest {v} over {p} baseline login failed"))
        });
        if let Some(why) = why {
            // Counted once, in the first pass.
            if matches!(pass, Pass::All | Pass::Plain) {
                na.lock().push(ScenarioResult {
                    feature: f.name.clone(),
                    feature_path: relative_path(&features_dir, f),
                    scenario: s.name.clone(),
                    line: s.position.line,
                    tags: all.iter().map(|t| format!("@{t}")).collect(),
                    verdict: Verdict::NotApplicable,
                    deviation: None,
                    steps: Vec::new(),
                    reason: Some(why),
                    duration_ms: 0,
                    evidence: Evidence::default(),
                });
            }
            return false;
        }
        match pass {
            Pass::All => true,
            Pass::Plain => !is_stateful(f, s),
            Pass::Stateful => is_stateful(f, s),
        }
    };
    let handover: Handover = Arc::default();
    let after_store = handover.clone();
    let collector = IdpWorld::cucumber()
        .max_concurrent_scenarios(concurrency)
        .before(|f, _, s, w| {
            let (path, line, name) = key_of(f, s);
            let rel = path.rsplit("features/").next().unwrap_or(&path).to_string();
            let vendor = s
                .tags
                .iter()
                .chain(&f.tags)
                .find(|t| ["okta", "entra", "google"].contains(&t.as_str()))
                .cloned();
            let stateful = is_stateful(f, s);
            Box::pin(async move {
                w.name_after(&format!("{rel}:{line}:{name}"));
                w.bb_before_scenario(vendor.as_deref(), stateful).await;
            })
        })
        .after(move |f, _, s, finished, w| {
            let store = after_store.clone();
            let key = key_of(f, s);
            let stateful = is_stateful(f, s);
            let failed = match finished {
                event::ScenarioFinished::StepFailed(_, _, e) => {
                    !panic_text(e).starts_with(NOT_APPLICABLE)
                }
                event::ScenarioFinished::BeforeHookFailed(_) => true,
                _ => false,
            };
            let name = s.name.clone();
            Box::pin(async move {
                if let Some(w) = w {
                    w.finish_browsers(&name, failed).await;
                    let not_applied = w.bb_after_scenario(stateful).await;
                    let ev = w.evidence().await;
                    store
                        .lock()
                        .insert(key, (ev, w.substitutions(), not_applied));
                }
            })
        })
        .with_writer(Collector::new(
            cfg.features.clone(),
            cfg.expectations.clone(),
            cfg.verbose,
        ))
        .with_default_cli()
        .filter_run(cfg.features.clone(), filter)
        .await;
    if let Some(pb) = &collector.progress {
        pb.finish_and_clear();
    }
    let handover = std::mem::take(&mut *handover.lock());
    (collector.done, handover, collector.parse_errors)
}

/// Run the catalogue. Starts the environment, so call once per process.
pub async fn run(cfg: RunConfig) -> anyhow::Result<RunOutcome> {
    let started = Instant::now();
    let env = env::start(EnvConfig {
        profile: cfg.profile.clone(),
        sp_flaws: cfg.sp_flaws.clone(),
        browser: cfg.browser.clone(),
    })
    .await?;
    let outcome = run_in(&cfg, &env, started).await;
    if let Some(chromium) = &env.browser {
        chromium.shutdown();
    }
    outcome
}

async fn run_in(
    cfg: &RunConfig,
    env: &Arc<env::Env>,
    started: Instant,
) -> anyhow::Result<RunOutcome> {
    let tag_expr: Option<gherkin::tagexpr::TagOperation> = match &cfg.tags {
        Some(t) => Some(
            t.parse()
                .map_err(|e| anyhow::anyhow!("--tags {t:?}: {e:?}"))?,
        ),
        None => None,
    };
    let keys = shard::catalogue(&cfg.features)
        .map_err(|e| anyhow::anyhow!("reading the features in {}: {e}", cfg.features.display()))?;
    let catalogue = CatalogueId {
        scenarios: keys.len(),
        digest: shard::digest(&keys),
    };
    let mine = cfg
        .shard
        .map(|shard| Arc::new(Partition::plan(&keys, &cfg.durations, shard.count).keys_of(shard)));
    // The baseline logins are not catalogue scenarios: the first shard reports them.
    let report_baselines = cfg.shard.is_none_or(|s| s.index == 1);
    let mut results: Vec<ScenarioResult> = Vec::new();
    // Black-box: the honest login of each vendor x protocol first, as a gate.
    let mut blocked: Vec<(String, String)> = Vec::new();
    if let Some(bb) = &env.black_box {
        for login in &bb.logins {
            let (v, p) = (login.vendor.as_str(), login.protocol.as_str());
            if !among(&[v, p], &["okta", "entra", "google"], &cfg.vendors)
                || !among(&[v, p], &["saml", "oidc"], &cfg.protocols)
            {
                continue;
            }
            let user = bb
                .users
                .get(login.tenant.id.as_str())
                .cloned()
                .unwrap_or_default();
            let r = crate::black_box::baseline(
                env,
                login,
                &user,
                Duration::from_secs(bb.spec.hop_timeout_secs),
            )
            .await;
            if !r.verdict.is_ok() {
                blocked.push((v.to_string(), p.to_string()));
            }
            if cfg.verbose {
                let word = if r.verdict.is_ok() { "ok  " } else { "FAIL" };
                eprintln!("{word} {}: {}", r.feature_path, r.scenario);
                if let Some(why) = &r.reason {
                    eprintln!("     {why}");
                }
            }
            if report_baselines {
                results.push(r);
            }
        }
    }
    let black_box = env.black_box.is_some();
    // Black-box scenarios share one tenant per vendor: within a vendor they take turns, and
    // the vendors run side by side (one lane each), the SP's own work being most of the time.
    // Scenarios whose attack an RP may cache run last, one at a time, each followed by the
    // profile's reload command (which may restart the whole SP).
    let lanes: Vec<Option<&'static str>> = match &env.black_box {
        Some(bb) => {
            let mut v: Vec<&'static str> = bb.logins.iter().map(|l| l.vendor.as_str()).collect();
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(Some).collect()
        }
        None => vec![None],
    };
    let passes: Vec<(Pass, Vec<Option<&'static str>>, usize)> = if black_box {
        vec![(Pass::Plain, lanes, 1), (Pass::Stateful, vec![None], 1)]
    } else {
        vec![(Pass::All, lanes, cfg.concurrency.max(1))]
    };
    let not_applicable: Arc<Mutex<Vec<ScenarioResult>>> = Arc::default();
    let mut parse_errors = Vec::new();
    let mut substitutions = HashMap::new();
    // Step failures are reported by the Collector; the default hook would print each panic a
    // second time, with a backtrace hint, in the middle of the run.
    let panic_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (pass, lanes, concurrency) in passes {
        let first_lane = lanes.first().copied().flatten();
        let runs = lanes.into_iter().map(|lane| {
            let spec = PassSpec {
                pass,
                lane,
                first_lane,
                concurrency,
                tag_expr: tag_expr.clone(),
                blocked: blocked.clone(),
                not_applicable: not_applicable.clone(),
                mine: mine.clone(),
            };
            cucumber_pass(cfg, spec)
        });
        let outputs = futures::future::join_all(runs).await;
        if pass == Pass::Stateful && outputs.iter().any(|(done, _, _)| !done.is_empty()) {
            // Leave the SP as the baselines found it: without the last attack's cached state.
            if let Err(e) = crate::world::reload_target(env).await {
                eprintln!("{e}");
            }
        }
        for (done, handover, errors) in outputs {
            parse_errors.extend(errors);
            let mut handover = handover;
            for (key, p) in done {
                let (evidence, subs, not_applied) = handover.remove(&key).unwrap_or_default();
                let mut steps = p.steps;
                if let Some(h) = p.hook_error.clone() {
                    steps.push(StepResult {
                        keyword: "Hook".into(),
                        text: "before/after".into(),
                        status: StepStatus::Failed,
                        error: Some(h),
                    });
                }
                let deviation = cfg.expectations.reason_for(&p.scenario).map(str::to_string);
                let (verdict, reason) = verdict_of(&steps, not_applied, deviation.is_some());
                substitutions.insert(p.scenario.clone(), subs);
                results.push(ScenarioResult {
                    feature: p.feature,
                    feature_path: p.feature_path,
                    scenario: p.scenario,
                    line: p.line,
                    tags: p.tags,
                    verdict,
                    deviation,
                    steps,
                    reason,
                    duration_ms: p.started.elapsed().as_millis() as u64,
                    evidence,
                });
            }
        }
    }
    std::panic::set_hook(panic_hook);
    let not_applicable = std::mem::take(&mut *not_applicable.lock());
    let na_count = not_applicable.len();
    results.extend(not_applicable);
    crate::report::merge::sort(&mut results);
    let totals = Totals::of(&results);
    Ok(RunOutcome {
        results,
        totals,
        wall_time: started.elapsed(),
        parse_errors,
        not_applicable: na_count,
        substitutions,
        catalogue,
    })
}

#[cfg(test)]
mod tests;
