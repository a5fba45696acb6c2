//! `idpsim serve`: the mock IdPs as a standalone server.

use anyhow::Context;
use mock_idps::config::Config;
use mock_idps::{MockIdps, Options};
use protocols::{IdGen, RandomIds, SystemClock};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub async fn serve(
    listen: SocketAddr,
    config: Option<&Path>,
    token: Option<String>,
) -> anyhow::Result<()> {
    let (config, source) = match config {
        Some(p) => (Config::load(p)?, p.display().to_string()),
        None => (Config::open_default(), "defaults".to_string()),
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let ids: Arc<dyn IdGen> = Arc::new(RandomIds);
    let mut control_token = token.or(config.control_token.clone());
    if control_token.is_none() && !addr.ip().is_loopback() {
        control_token = Some(ids.token(24));
    }
    let host = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let idps = MockIdps::new(Options {
        base_url: format!("http://{host}"),
        clock: Arc::new(SystemClock),
        ids,
        control_token: control_token.clone(),
    });
    config.apply(&idps, &source)?;
    for t in idps.index().tenants {
        eprintln!(
            "{:<6} {:<38} saml {}  oidc {}",
            t.vendor.as_str(),
            t.id,
            t.saml.metadata_url,
            t.oidc.issuer
        );
    }
    if let Some(tok) = &control_token {
        eprintln!("control API token: {tok}");
    }
    #[allow(clippy::print_stdout)] // the readiness line scripts wait for
    {
        println!("listening on http://{host}");
    }
    mock_idps::server::run(listener, idps, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
