//! `idpsim`: the command-line entry point.

mod keys_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "idpsim", version, about = "SSO conformance and simulation harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage pinned key fixtures.
    Keys {
        /// Where to write the keys.
        #[arg(long, default_value = "fixtures/keys")]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Keys { out } => keys_cmd::generate(&out),
    }
}
