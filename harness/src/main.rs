//! `idpsim`: the command-line entry point.

mod flaw_cmd;
mod keys_cmd;
mod load_cmd;
mod probe_cmd;
mod reference_sp_cmd;
mod report_cmd;
mod run_cmd;
mod serve_cmd;
mod storm_cmd;
mod target_cmd;

/// mimalloc instead of the system allocator: malloc and free were 15-18% of the SAML storm's
/// and the SCIM push's profiles (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "idpsim",
    version,
    about = "SSO conformance and simulation harness"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the mock Okta, Entra and Google IdPs, with the control API under /_idpsim/.
    Serve {
        /// Address to bind. Off loopback the control API requires a bearer token.
        #[arg(long, default_value = "127.0.0.1:8080", env = "IDPSIM_LISTEN")]
        listen: SocketAddr,
        /// TOML file declaring tenants, users, apps and clients (strict mode). See docs/serve.md.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Control API bearer token (generated and printed when binding off loopback).
        #[arg(long, env = "IDPSIM_CONTROL_TOKEN")]
        control_token: Option<String>,
    },
    /// Serve the reference target SP (org SSO, Basic and Managed modes) with its admin API
    /// under /_admin/. See docs/target-api.md.
    ReferenceSp {
        /// Address to bind. Off loopback the admin API requires a bearer token.
        #[arg(long, default_value = "127.0.0.1:8090", env = "IDPSIM_SP_LISTEN")]
        listen: SocketAddr,
        /// SQLite database file (created if absent); without it, data lives in memory.
        #[arg(long, env = "IDPSIM_SP_DB")]
        db: Option<String>,
        /// Switch off one check (repeatable), to prove the scenarios catch it. Never in
        /// production. Names: see docs/target-api.md.
        #[arg(long = "danger-flaw", value_name = "NAME")]
        danger_flaw: Vec<reference_sp::Flaw>,
        /// Enable POST /_admin/clock/advance (virtual time for timeouts). Tests only.
        #[arg(long)]
        test_clock: bool,
        /// Admin API bearer token (generated and printed when binding off loopback).
        #[arg(long, env = "IDPSIM_SP_ADMIN_TOKEN")]
        admin_token: Option<String>,
        /// The URL browsers reach the SP at, when it differs from the bound address.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Run the scenario catalogue against a target (default: the embedded reference SP) and
    /// write the reports. Exit 0 only if every scenario passed or is a listed deviation.
    Run(run_cmd::RunArgs),
    /// Work on the reports of earlier runs: merge the shards of a sharded run, record the
    /// scenario durations that balance the shards. See docs/ci-sharding.md.
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
    /// Probe a SCIM 2.0 server (default: the embedded reference SP) with vendor-independent
    /// checks, each at its RFC level. See docs/scim-probes.md.
    ScimProbe(probe_cmd::ProbeArgs),
    /// Run the catalogue once per deliberate flaw of the embedded reference SP and write which
    /// scenarios catch each one (docs/flaw-coverage.md).
    FlawCoverage(flaw_cmd::Args),
    /// Push N users and M groups through a vendor's SCIM push client with bounded concurrency,
    /// report throughput and latency, then verify nothing is missing. See docs/scim-load.md.
    ScimLoad(load_cmd::LoadArgs),
    /// A login storm: full SP-initiated SAML/OIDC round trips at a rate or with N virtual
    /// users, latency per hop, throughput, errors by kind, then checks against the SP. See
    /// docs/cli.md and docs/benchmarks.md.
    Load(storm_cmd::StormArgs),
    /// Black-box targets: `target init` writes a profile and the IdP values for an SP that has
    /// no admin API. See docs/black-box.md.
    #[command(subcommand)]
    Target(target_cmd::TargetCommand),
    /// Regenerate the pinned key fixtures.
    Keys {
        /// Where to write the keys.
        #[arg(long, default_value = "fixtures/keys")]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let ok = |r: anyhow::Result<()>| r.map(|()| std::process::ExitCode::SUCCESS);
    match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Report(cmd) => report_cmd::run(cmd),
        Command::ScimLoad(args) => load_cmd::run(args),
        Command::Load(args) => storm_cmd::run(args),
        Command::FlawCoverage(args) => ok(flaw_cmd::run(args)),
        Command::ScimProbe(args) => probe_cmd::run(args),
        Command::Serve {
            listen,
            config,
            control_token,
        } => ok(tokio::runtime::Runtime::new()?.block_on(serve_cmd::serve(
            listen,
            config.as_deref(),
            control_token,
        ))),
        Command::ReferenceSp {
            listen,
            db,
            danger_flaw,
            test_clock,
            admin_token,
            base_url,
        } => ok(
            tokio::runtime::Runtime::new()?.block_on(reference_sp_cmd::serve(
                reference_sp_cmd::Args {
                    listen,
                    db,
                    flaws: danger_flaw,
                    test_clock,
                    admin_token,
                    base_url,
                },
            )),
        ),
        Command::Keys { out } => ok(keys_cmd::generate(&out)),
        Command::Target(cmd) => ok(target_cmd::run(cmd)),
    }
}
