//! `idpsim report`: work on the reports of earlier runs.
//!
//! - `merge DIR... --out DIR`: the shards of one sharded run into one set of reports
//!   (harness::report::merge).
//! - `durations DIR... [--out FILE]`: record the scenario durations of runs into the file that
//!   balances the shards (harness::shard).

use harness::report::merge;
use harness::shard::{self, Durations};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Merge the report directories of the shards of one run (`idpsim run --shard i/n`) into
    /// one: summary, JUnit, cucumber JSON and results.json, as a single full run writes them
    /// apart from the times. Refuses shards of different runs or catalogues.
    Merge {
        /// The shards' report directories (each has a results.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where the merged reports go.
        #[arg(long)]
        out: PathBuf,
    },
    /// Record the scenario durations of one or more runs (their results.json) into the
    /// durations file that balances `--shard`. Entries of scenarios no longer in the catalogue
    /// are dropped; scenarios that did not run keep their recorded time.
    Durations {
        /// Report directories of runs (each has a results.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The durations file to update.
        #[arg(long, default_value = "reports/durations.json")]
        out: PathBuf,
        /// The features directory (to drop entries of scenarios that are gone).
        #[arg(long)]
        features: Option<PathBuf>,
    },
}

pub fn run(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCommand::Merge { dirs, out } => {
            let mut parts = Vec::new();
            for d in &dirs {
                parts.push((d.clone(), merge::read(d)?));
            }
            let merged = merge::merge(parts)?;
            let written = merge::write(&out, &merged, &[])?;
            let totals = harness::report::Totals::of(&merged.results);
            eprintln!(
                "merged {} shard(s): {} scenarios; reports: {} (summary {})",
                dirs.len(),
                merged.results.len(),
                out.display(),
                written.summary_md.display()
            );
            #[allow(clippy::print_stdout)] // the closing line is the command's output
            {
                println!("{}", totals.closing_line());
            }
            Ok(if totals.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        ReportCommand::Durations {
            dirs,
            out,
            features,
        } => {
            let mut d = Durations::load(&out)?;
            let mut recorded = 0;
            for dir in &dirs {
                recorded += d.record(&merge::read(dir)?.results);
            }
            let features = features.unwrap_or_else(|| {
                let local = PathBuf::from("features");
                if local.is_dir() {
                    local
                } else {
                    harness::runner::default_features_dir()
                }
            });
            d.retain(&shard::catalogue(&features)?);
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let mut text = serde_json::to_string_pretty(&d)?;
            text.push('\n');
            std::fs::write(&out, text)?;
            eprintln!(
                "{}: {recorded} durations recorded, {} scenarios in the file",
                out.display(),
                d.scenarios.values().map(|m| m.len()).sum::<usize>()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
