//! The whole scenario catalogue against the embedded reference SP, as a cargo test target
//! (harness = false): `cargo test -p harness --test features`. Scenarios run concurrently; the
//! process fails when any scenario fails. `IDPSIM_TAGS` narrows the run with a tag expression.

// The summary lines are this binary's output, on stdout like cargo's own harness.
#![allow(clippy::print_stdout)]

use harness::profile::{Expectations, Profile};
use harness::runner::{self, RunConfig};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cfg = RunConfig {
        profile: Profile::reference(),
        expectations: Expectations::default(),
        sp_flaws: Vec::new(),
        features: runner::default_features_dir(),
        tags: std::env::var("IDPSIM_TAGS").ok().filter(|t| !t.is_empty()),
        vendors: Vec::new(),
        protocols: Vec::new(),
        concurrency: 8,
        verbose: std::env::var_os("IDPSIM_QUIET").is_none(),
        shard: None,
        durations: Default::default(),
        browser: Default::default(),
    };
    let outcome = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(runner::run(cfg)))
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("features: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    for e in &outcome.parse_errors {
        eprintln!("feature file error: {e}");
    }
    // The evidence of every passed scenario must match its committed baseline.
    let baselines = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reports/snapshots/idpsim-reference-sp");
    let update = std::env::var_os("IDPSIM_UPDATE_SNAPSHOTS").is_some();
    let drifts = match outcome.check_snapshots(&baselines, update) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("features: snapshots: {e}");
            return ExitCode::FAILURE;
        }
    };
    for d in &drifts {
        eprintln!("snapshot drift: {}", d.scenario);
    }
    if !drifts.is_empty() {
        eprintln!(
            "{} scenario(s) differ from their baselines in {}: review, then accept with \
             IDPSIM_UPDATE_SNAPSHOTS=1 cargo test -p harness --test features",
            drifts.len(),
            baselines.display()
        );
    }
    let t = &outcome.totals;
    let ok = outcome.ok() && drifts.is_empty();
    // The line cargo's own harness prints, which CI sums across test binaries.
    println!(
        "test result: {}. {} passed; {} failed; 0 ignored; 0 measured; 0 filtered out; finished in {:.2}s",
        if ok { "ok" } else { "FAILED" },
        t.passed + t.expected_failures + t.unexpected_passes,
        t.failed,
        outcome.wall_time.as_secs_f64()
    );
    println!("{}", outcome.closing_line());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
