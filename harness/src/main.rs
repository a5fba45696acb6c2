//! `idpsim`: the command-line entry point.

mod keys_cmd;
mod serve;

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
    /// Regenerate the pinned key fixtures.
    Keys {
        /// Where to write the keys.
        #[arg(long, default_value = "fixtures/keys")]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            listen,
            config,
            control_token,
        } => tokio::runtime::Runtime::new()?.block_on(serve::serve(
            listen,
            config.as_deref(),
            control_token,
        )),
        Command::Keys { out } => keys_cmd::generate(&out),
    }
}
