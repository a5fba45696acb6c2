//! `idpsim scim-probe`: the vendor-independent SCIM server probes against any endpoint (or the
//! embedded reference SP), with a Markdown and JSON report. Exit 1 on any MUST failure.

// The report summary is this command's output.
#![allow(clippy::print_stdout)]

use harness::scim_probe::{self, embedded, Level};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The SCIM base URL (e.g. https://sp.example/scim/v2/organizations/acme). Without it, an
    /// embedded reference SP is started and probed.
    #[arg(long)]
    base: Option<String>,
    /// The bearer token (required with --base).
    #[arg(long, env = "IDPSIM_SCIM_TOKEN")]
    token: Option<String>,
    /// Where scim-probes.md and scim-probes.json go.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt.block_on(async {
        match args.base {
            Some(base) => {
                let token = args
                    .token
                    .ok_or_else(|| anyhow::anyhow!("--token is required with --base"))?;
                scim_probe::run(&base, &token).await
            }
            None => {
                let sp = embedded::start("probe").await?;
                scim_probe::run(&sp.scim_base, &sp.token).await
            }
        }
    })?;
    let md = report.markdown();
    if let Some(dir) = &args.report {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("scim-probes.md"), &md)?;
        std::fs::write(
            dir.join("scim-probes.json"),
            serde_json::to_string_pretty(&report)?,
        )?;
    }
    print!("{md}");
    Ok(if report.failures(Level::Must).is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
