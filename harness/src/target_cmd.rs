//! `idpsim target ...`: set up a black-box target (docs/black-box.md).

use clap::{Args, Subcommand, ValueEnum};
use harness::black_box::{self, InitArgs, Proto};
use mock_idps::personality::Vendor;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum TargetCommand {
    /// Write a black-box profile and its IdP tenant file for an SP, and print the values to
    /// configure the SP with (entity id, SSO and metadata URLs, certificate, issuer, client).
    Init(InitCli),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum VendorArg {
    Okta,
    Entra,
    Google,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ProtocolArg {
    Saml,
    Oidc,
}

#[derive(Args)]
pub struct InitCli {
    /// The IdP(s) the SP will trust (repeatable, or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', required = true)]
    vendor: Vec<VendorArg>,
    #[arg(long, value_enum)]
    protocol: ProtocolArg,
    /// The URL a browser GETs to start a login at the SP (a protected page).
    #[arg(long)]
    login_url: String,
    /// SAML: the SP's metadata, a file or an http(s) URL.
    #[arg(long, conflicts_with_all = ["sp_entity_id", "acs_url"])]
    sp_metadata: Option<String>,
    /// SAML: the SP's entity id (with --acs-url).
    #[arg(long, requires = "acs_url")]
    sp_entity_id: Option<String>,
    /// SAML: the SP's HTTP-POST AssertionConsumerService URL.
    #[arg(long, requires = "sp_entity_id")]
    acs_url: Option<String>,
    /// OIDC: the RP's redirect URI.
    #[arg(long)]
    redirect_uri: Option<String>,
    /// The fixed address the IdPs will listen on during runs.
    #[arg(long, default_value = "127.0.0.1:18480")]
    idp_listen: SocketAddr,
    /// A name for the target (the profile is `<name>.toml`).
    #[arg(long, default_value = "my-sp")]
    name: String,
    /// The folder to write into.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Overwrite files a previous init wrote.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: TargetCommand) -> anyhow::Result<()> {
    match cmd {
        TargetCommand::Init(a) => {
            let args = InitArgs {
                name: a.name,
                vendors: a
                    .vendor
                    .iter()
                    .map(|v| match v {
                        VendorArg::Okta => Vendor::Okta,
                        VendorArg::Entra => Vendor::Entra,
                        VendorArg::Google => Vendor::Google,
                    })
                    .collect(),
                protocol: match a.protocol {
                    ProtocolArg::Saml => Proto::Saml,
                    ProtocolArg::Oidc => Proto::Oidc,
                },
                login_url: a.login_url,
                sp_metadata: a.sp_metadata,
                sp_entity_id: a.sp_entity_id,
                acs_url: a.acs_url,
                redirect_uri: a.redirect_uri,
                idp_listen: a.idp_listen,
                out: a.out,
                force: a.force,
            };
            let rt = tokio::runtime::Runtime::new()?;
            let text = rt.block_on(black_box::init(args))?;
            #[allow(clippy::print_stdout)] // the values to paste are the command's output
            {
                print!("{text}");
            }
            Ok(())
        }
    }
}
