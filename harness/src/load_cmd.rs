//! `idpsim scim-load`: N users and M groups pushed in a vendor's SCIM dialect with bounded
//! concurrency, throughput and latency percentiles, then a check that nothing is missing.
//! Exit 1 when anything is missing. docs/scim-load.md.

// The report is this command's output.
#![allow(clippy::print_stdout)]

use harness::scim_probe::embedded;
use harness::scim_probe::load::{self, LoadConfig};
use mock_idps::scim_push::DialectId;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The target's SCIM base URL. Without it, an embedded reference SP (a Managed org) is
    /// started and loaded, and its admin API counts the members too.
    #[arg(long)]
    target_base: Option<String>,
    /// The bearer token (required with --target-base).
    #[arg(long, env = "IDPSIM_SCIM_TOKEN")]
    token: Option<String>,
    /// okta (catalogue app), okta-custom, entra, entra-aad (aadOptscim062020).
    #[arg(long, default_value = "okta")]
    dialect: String,
    #[arg(long, default_value_t = 1000)]
    users: usize,
    #[arg(long, default_value_t = 20)]
    groups: usize,
    /// Members per group (user i of group g is (g * M + i) mod users). Default: user i is in
    /// group i mod groups.
    #[arg(long)]
    members_per_group: Option<usize>,
    /// Run once per org size (users), each into a fresh org, and print the per-size table,
    /// e.g. 1000,5000,10000. Overrides --users.
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<usize>,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Random users (and groups) checked attribute by attribute afterwards.
    #[arg(long, default_value_t = 50)]
    spot_checks: usize,
    /// Where scim-load.md and scim-load.json go.
    #[arg(long)]
    report: Option<PathBuf>,
}

fn dialect(s: &str) -> anyhow::Result<DialectId> {
    Ok(match s {
        "okta" | "okta-catalogue" => DialectId::OktaCatalogue,
        "okta-custom" => DialectId::OktaCustom,
        "entra" => DialectId::EntraDefault,
        "entra-aad" | "entra-aadoptscim062020" => DialectId::EntraAadOptScim062020,
        other => anyhow::bail!("unknown dialect {other:?} (okta, okta-custom, entra, entra-aad)"),
    })
}

pub fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let d = dialect(&args.dialect)?;
    if args.sizes.contains(&0) {
        anyhow::bail!("--sizes: every org size must be at least 1 user");
    }
    let sizes = if args.sizes.is_empty() {
        vec![args.users]
    } else {
        args.sizes.clone()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut reports = Vec::new();
    for users in sizes {
        let report = rt.block_on(async {
            let mut cfg = LoadConfig {
                base_url: String::new(),
                token: String::new(),
                dialect: d,
                users,
                groups: args.groups,
                members_per_group: args.members_per_group,
                concurrency: args.concurrency,
                spot_checks: args.spot_checks,
                admin: None,
            };
            let _sp;
            match &args.target_base {
                Some(base) => {
                    cfg.base_url = base.clone();
                    cfg.token = args
                        .token
                        .clone()
                        .ok_or_else(|| anyhow::anyhow!("--token is required with --target-base"))?;
                }
                None => {
                    // A fresh SP per size: the org holds exactly this many users.
                    let sp = embedded::start("load").await?;
                    cfg.base_url = sp.scim_base.clone();
                    cfg.token = sp.token.clone();
                    cfg.admin = Some((sp.admin(), sp.org.clone()));
                    _sp = sp;
                }
            }
            load::run(cfg).await
        })?;
        println!("{}", report.markdown());
        reports.push(report);
    }
    let mut md: String = reports
        .iter()
        .map(|r| r.markdown())
        .collect::<Vec<_>>()
        .join("\n");
    if reports.len() > 1 {
        let table = load::sizes_markdown(&reports);
        println!("Per org size:\n\n{table}");
        md = format!("Per org size:\n\n{table}\n{md}");
    }
    if let Some(dir) = &args.report {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("scim-load.md"), &md)?;
        let json = if reports.len() == 1 {
            serde_json::to_string_pretty(&reports[0])?
        } else {
            serde_json::to_string_pretty(&reports)?
        };
        std::fs::write(dir.join("scim-load.json"), json)?;
    }
    Ok(if reports.iter().all(|r| r.complete) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
