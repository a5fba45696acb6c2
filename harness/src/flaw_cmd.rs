//! `idpsim flaw-coverage`: run the catalogue against the embedded reference SP once per
//! deliberate flaw (`reference_sp::Flaw::ALL`) and write which scenarios catch each one.
//!
//! The scenario environment is one per process, so each flaw runs in a child process of this
//! same binary (`idpsim flaw-coverage --one <flaw>`), which runs the catalogue in process
//! through `harness::runner` with that flaw switched on and prints the failed scenarios as
//! JSON. The parent collects them and writes the Markdown table.

// The table (without --out) and a child's results (without --one-out) are the command's output.
#![allow(clippy::print_stdout)]

use anyhow::{bail, Context as _};
use harness::profile::{Expectations, Profile};
use harness::result::Verdict;
use harness::runner::{self, RunConfig};
use reference_sp::Flaw;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Write the Markdown table here (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The features directory.
    #[arg(long)]
    features: Option<PathBuf>,
    /// How many flaws run at once (each in its own process).
    #[arg(long, default_value_t = 4)]
    jobs: usize,
    /// Internal: run the catalogue with this one flaw and print the failures as JSON.
    #[arg(long, hide = true)]
    one: Option<Flaw>,
    /// Internal: where `--one` writes its JSON (the XML library writes to stdout).
    #[arg(long, hide = true)]
    one_out: Option<PathBuf>,
}

/// The requirement ids (or, without one, the scenario names) shown per flaw.
const SHOWN: usize = 6;

pub fn run(args: Args) -> anyhow::Result<()> {
    let features = args
        .features
        .clone()
        .unwrap_or_else(runner::default_features_dir);
    if let Some(flaw) = args.one {
        let failed = serde_json::to_string(&one(flaw, &features)?)?;
        return match &args.one_out {
            Some(p) => write(p, &failed),
            None => {
                println!("{failed}");
                Ok(())
            }
        };
    }
    let exe = std::env::current_exe().context("locating the idpsim binary")?;
    let tmp = std::env::temp_dir().join(format!("idpsim-flaw-coverage-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let mut rows: Vec<(Flaw, Vec<Value>)> = Vec::new();
    for chunk in Flaw::ALL.chunks(args.jobs.max(1)) {
        let children = chunk
            .iter()
            .map(|f| {
                let child = Command::new(&exe)
                    .args(["flaw-coverage", "--one", f.name(), "--features"])
                    .arg(&features)
                    .arg("--one-out")
                    .arg(tmp.join(f.name()))
                    .env("RUST_LOG", "off")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .with_context(|| format!("starting the run for {}", f.name()))?;
                Ok((*f, child))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (f, child) in children {
            let out = child.wait_with_output()?;
            if !out.status.success() {
                bail!("the run with flaw {} did not finish", f.name());
            }
            let path = tmp.join(f.name());
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("the run with flaw {} wrote no results", f.name()))?;
            let failed: Vec<Value> = serde_json::from_str(&text)
                .with_context(|| format!("the run with flaw {} wrote {text:?}", f.name()))?;
            let _ = std::fs::remove_file(&path);
            eprintln!("{}: {} scenario(s) fail", f.name(), failed.len());
            rows.push((f, failed));
        }
    }
    let _ = std::fs::remove_dir(&tmp);
    let md = table(&rows);
    match &args.out {
        Some(p) => write(p, &md)?,
        None => print!("{md}"),
    }
    let uncaught: Vec<&str> = rows
        .iter()
        .filter(|(_, f)| f.is_empty())
        .map(|(f, _)| f.name())
        .collect();
    if !uncaught.is_empty() {
        eprintln!("uncaught: {}", uncaught.join(", "));
    }
    Ok(())
}

fn write(p: &Path, md: &str) -> anyhow::Result<()> {
    std::fs::write(p, md).with_context(|| format!("writing {}", p.display()))
}

/// Run the whole catalogue with `flaw` on; the scenarios that failed.
fn one(flaw: Flaw, features: &Path) -> anyhow::Result<Vec<Value>> {
    let cfg = RunConfig {
        profile: Profile::reference(),
        expectations: Expectations::default(),
        sp_flaws: vec![flaw],
        features: features.to_path_buf(),
        tags: None,
        vendors: Vec::new(),
        protocols: Vec::new(),
        concurrency: 8,
        verbose: false,
        shard: None,
        durations: Default::default(),
        browser: Default::default(),
    };
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(runner::run(cfg))?;
    if !outcome.parse_errors.is_empty() {
        bail!("feature files did not parse: {:?}", outcome.parse_errors);
    }
    Ok(outcome
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Failed)
        .map(|r| {
            json!({
                "scenario": r.scenario,
                "feature": r.feature_path,
                "requirements": r.requirements(),
                "security": r.tags.iter().any(|t| t.trim_start_matches('@') == "security"),
            })
        })
        .collect())
}

fn table(rows: &[(Flaw, Vec<Value>)]) -> String {
    let mut md = String::from(
        "# Flaw coverage\n\n\
         Generated by `idpsim flaw-coverage --out docs/flaw-coverage.md`; do not edit by hand.\n\n\
         Each row runs the whole catalogue against the embedded reference SP with one deliberate\n\
         flaw switched on (`idpsim run --sp-flaw NAME`). A flaw is caught when at least one\n\
         scenario fails; the table names the requirements (or scenarios) that catch it, security\n\
         scenarios first.\n\n\
         | flaw | what it switches off | failing scenarios | caught by |\n|---|---|---|---|\n",
    );
    for (flaw, failed) in rows {
        let mut ordered: Vec<&Value> = failed.iter().filter(|v| v["security"] == true).collect();
        ordered.extend(failed.iter().filter(|v| v["security"] != true));
        let mut shown: Vec<String> = Vec::new();
        for v in ordered {
            let reqs: Vec<String> = v["requirements"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let label = if reqs.is_empty() {
                v["scenario"].as_str().unwrap_or_default().to_string()
            } else {
                reqs.join(", ")
            };
            if !shown.contains(&label) {
                shown.push(label);
            }
        }
        let total = shown.len();
        shown.truncate(SHOWN);
        let mut by = if shown.is_empty() {
            "**uncaught**".to_string()
        } else {
            shown.join("; ")
        };
        if total > SHOWN {
            let _ = write!(by, "; … ({} more)", total - SHOWN);
        }
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} |",
            flaw.name(),
            flaw.description().replace('|', "\\|"),
            failed.len(),
            by
        );
    }
    let caught = rows.iter().filter(|(_, f)| !f.is_empty()).count();
    let _ = writeln!(md, "\n{caught} of {} flaws caught.", rows.len());
    md
}
