//! `idpsim reference-sp`: the reference target SP as a standalone server.

use anyhow::Context;
use protocols::clock::OffsetClock;
use protocols::{IdGen, RandomIds, SharedClock, SystemClock};
use reference_sp::{AppState, ClockControl, Flaw, Flaws, SpOptions, Store};
use std::net::SocketAddr;
use std::sync::Arc;

/// What the command line gave.
pub struct Args {
    pub listen: SocketAddr,
    pub db: Option<String>,
    pub flaws: Vec<Flaw>,
    pub test_clock: bool,
    pub admin_token: Option<String>,
    pub base_url: Option<String>,
}

pub async fn serve(args: Args) -> anyhow::Result<()> {
    let db = args.db.as_deref().unwrap_or(":memory:");
    let store = Store::open(db).with_context(|| format!("cannot open the database {db}"))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let ids: Arc<dyn IdGen> = Arc::new(RandomIds);
    let mut admin_token = args.admin_token;
    if admin_token.is_none() && !addr.ip().is_loopback() {
        admin_token = Some(ids.token(24));
    }
    let host = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let base_url = args
        .base_url
        .unwrap_or_else(|| format!("http://{host}"))
        .trim_end_matches('/')
        .to_string();
    let (clock, clock_control): (SharedClock, Option<ClockControl>) = if args.test_clock {
        let c = OffsetClock::new(Arc::new(SystemClock));
        (Arc::new(c.clone()), Some(ClockControl::Offset(c)))
    } else {
        (Arc::new(SystemClock), None)
    };
    let flaws: Flaws = args.flaws.iter().copied().collect();
    for f in flaws.iter() {
        eprintln!("DANGER: flaw {} is on: {}", f.name(), f.description());
    }
    if db == ":memory:" {
        eprintln!("database: in memory (use --db FILE to keep data across restarts)");
    } else {
        eprintln!("database: {db}");
    }
    if args.test_clock {
        eprintln!("test clock: POST /_admin/clock/advance is enabled");
    }
    if let Some(tok) = &admin_token {
        eprintln!("admin API token: {tok}");
    }
    let state = AppState::new(SpOptions {
        base_url: base_url.clone(),
        store: Arc::new(store),
        clock,
        ids,
        flaws,
        clock_control,
        admin_token,
    });
    #[allow(clippy::print_stdout)] // the readiness line scripts wait for
    {
        println!("listening on {base_url}");
    }
    reference_sp::run(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
