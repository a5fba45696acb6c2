//! `idpsim load`: short storms with a fixed number of logins against the embedded reference
//! SP and against a deliberately faulty one, the report files, and the input it refuses.
//! No assertion on speed: that is docs/benchmarks.md's business.

use harness::profile::Profile;
use harness::storm::{
    ConfigError, ErrorKind, Hop, Load, ProtocolChoice, Report, Storm, StormConfig,
};
use harness::world::env::{self, EnvConfig};
use harness::world::params::Vendor;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn config(load: Load, logins: u64) -> StormConfig {
    StormConfig {
        vendors: None,
        protocol: ProtocolChoice::Saml,
        load,
        // An upper bound only: the storms here stop at their login count.
        duration: Duration::from_secs(600),
        warmup: Duration::ZERO,
        logins: Some(logins),
        hop_timeout: Duration::from_secs(30),
    }
}

async fn storm(profile: Profile, cfg: StormConfig) -> Report {
    let env = env::build(EnvConfig {
        profile,
        sp_flaws: Vec::new(),
        browser: Default::default(),
    })
    .await
    .expect("environment");
    let storm = Storm::prepare(env, cfg).await.expect("storm setup");
    storm.run(std::future::pending()).await.expect("storm")
}

fn assert_clean(r: &Report, logins: u64) {
    assert!(!r.partial);
    assert!(r.errors.is_empty(), "errors: {:#?}", r.errors);
    assert_eq!(r.started, logins);
    assert_eq!(r.finished, logins);
    assert_eq!(r.unfinished, 0);
    assert_eq!(r.measured.ok, logins);
    assert_eq!(r.measured.failed, 0);
    for hop in ["sp_start", "idp", "sp_accept", "probe", "round_trip"] {
        let p = &r.measured.latency[hop];
        assert_eq!(p.count, logins, "{hop}");
        assert!(p.p50_ms <= p.p99_ms && p.p99_ms <= p.max_ms, "{hop}: {p:?}");
    }
    assert!(r.checks.len() >= 4, "{:#?}", r.checks);
    for c in &r.checks {
        assert_eq!(c.passed, Some(true), "{c:?}");
    }
    assert!(r.checks_passed());
}

/// What an OpenMetrics text must look like: declared families, well-formed samples, and
/// `# EOF` once, at the end.
fn assert_openmetrics(text: &str) -> BTreeMap<String, f64> {
    let sample = regex::Regex::new(
        r#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*)?\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$"#,
    )
    .expect("regex");
    assert!(text.ends_with("# EOF\n"), "no final # EOF");
    assert_eq!(text.matches("# EOF").count(), 1);
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    let mut values = BTreeMap::new();
    for line in text.lines().filter(|l| *l != "# EOF") {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kw, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            match kw {
                "TYPE" => {
                    let t = parts.next().unwrap_or("");
                    assert!(
                        ["counter", "gauge", "summary", "histogram", "unknown"].contains(&t),
                        "{line}"
                    );
                    assert!(families.insert(name.into(), t.into()).is_none(), "{line}");
                }
                "HELP" | "UNIT" => assert!(families.contains_key(name), "{line}"),
                _ => panic!("unknown comment line {line:?}"),
            }
            continue;
        }
        let c = sample
            .captures(line)
            .unwrap_or_else(|| panic!("malformed sample {line:?}"));
        let name = &c[1];
        let family = families
            .keys()
            .find(|f| {
                name == f.as_str()
                    || ["_total", "_count", "_sum"]
                        .iter()
                        .any(|s| name == format!("{f}{s}"))
            })
            .unwrap_or_else(|| panic!("sample {line:?} of no declared family"));
        if families[family] == "counter" {
            assert!(name.ends_with("_total"), "{line}");
        }
        let v: f64 = line
            .rsplit(' ')
            .next()
            .unwrap_or("")
            .parse()
            .expect("value");
        values.insert(
            line.rsplit_once(' ').map(|x| x.0).unwrap_or("").to_string(),
            v,
        );
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saml_storm_over_three_vendors_gets_every_user_in_once() {
    let logins = 24;
    let r = storm(
        Profile::reference(),
        config(Load::Closed { users: 6 }, logins),
    )
    .await;
    assert_clean(&r, logins);
    assert_eq!(r.vendors, ["okta", "entra", "google"]);
    assert_eq!(r.routes.len(), 3);
    for route in &r.routes {
        assert_eq!(route.ok, 8, "{route:?}");
        assert_eq!(route.failed, 0);
    }
    let nothing_lost = r
        .checks
        .iter()
        .find(|c| c.name == "okta/saml: nothing lost")
        .expect("a nothing-lost check per route");
    assert!(
        nothing_lost.detail.starts_with("2 account(s)"),
        "{nothing_lost:?}"
    );
    let sessions = r
        .checks
        .iter()
        .find(|c| c.name == "entra/saml: every session counted")
        .expect("a sessions check per route");
    assert!(sessions.detail.starts_with("8 session(s)"), "{sessions:?}");

    let dir = tempfile::tempdir().expect("tempdir");
    r.write(dir.path()).expect("write the report");
    let json = std::fs::read_to_string(dir.path().join("load.json")).expect("load.json");
    let back: Report = serde_json::from_str(&json).expect("load.json parses");
    assert_eq!(
        (
            back.started,
            back.finished,
            &back.routes,
            &back.errors,
            &back.checks
        ),
        (r.started, r.finished, &r.routes, &r.errors, &r.checks)
    );
    assert_eq!(back.measured.ok, 24);
    assert!(back.measured.latency.contains_key("round_trip"));
    let om = std::fs::read_to_string(dir.path().join("load.om.txt")).expect("load.om.txt");
    let values = assert_openmetrics(&om);
    assert_eq!(values["idpsim_load_logins_total{outcome=\"ok\"}"], 24.0);
    assert_eq!(values["idpsim_load_logins_total{outcome=\"failed\"}"], 0.0);
    assert_eq!(values["idpsim_load_partial"], 0.0);
    assert_eq!(
        values["idpsim_load_latency_seconds_count{hop=\"idp\"}"],
        24.0
    );
    assert_eq!(
        values["idpsim_load_check_passed{check=\"google/saml: no duplicate accounts\"}"],
        1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_storm_signs_in_over_saml_and_oidc() {
    let mut cfg = config(Load::Closed { users: 4 }, 16);
    cfg.vendors = Some(vec![Vendor::Okta, Vendor::Entra]);
    cfg.protocol = ProtocolChoice::Mix;
    let r = storm(Profile::reference(), cfg).await;
    assert_clean(&r, 16);
    let routes: Vec<&str> = r.routes.iter().map(|x| x.route.as_str()).collect();
    assert_eq!(
        routes,
        ["okta/saml", "okta/oidc", "entra/saml", "entra/oidc"]
    );
    assert!(r.routes.iter().all(|x| x.ok == 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_loop_storm_runs_its_arrivals() {
    let mut cfg = config(
        Load::Open {
            rate: 500.0,
            users: 5,
        },
        15,
    );
    cfg.vendors = Some(vec![Vendor::Google]);
    cfg.protocol = ProtocolChoice::Oidc;
    let r = storm(Profile::reference(), cfg).await;
    assert_clean(&r, 15);
    assert_eq!(r.mode, "open");
    assert_eq!(r.rate_per_sec, Some(500.0));
    assert_eq!(r.skipped, 0);
    let accounts = r
        .checks
        .iter()
        .find(|c| c.name == "google/oidc: nothing lost")
        .expect("check");
    assert!(accounts.detail.starts_with("5 account(s)"), "{accounts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_storm_still_reports_what_ran_marked_partial() {
    let env = env::build(EnvConfig {
        profile: Profile::reference(),
        sp_flaws: Vec::new(),
        browser: Default::default(),
    })
    .await
    .expect("environment");
    let mut cfg = config(Load::Closed { users: 2 }, 1_000_000);
    cfg.vendors = Some(vec![Vendor::Okta]);
    let storm = Storm::prepare(env, cfg).await.expect("setup");
    let counters = storm.counters.clone();
    // Ctrl-C, as soon as a few logins are done.
    let interrupt = async move {
        while counters.finished() < 3 {
            tokio::task::yield_now().await;
        }
    };
    let r = storm.run(interrupt).await.expect("storm");
    assert!(r.partial);
    assert!(r.finished >= 3 && r.finished < 1_000_000, "{}", r.finished);
    assert_eq!(r.started, r.finished + r.unfinished);
    assert_eq!(r.checks.len(), 1);
    assert_eq!(r.checks[0].passed, None);
    assert!(r.checks_passed(), "a check not run is no failed check");
    let dir = tempfile::tempdir().expect("tempdir");
    r.write(dir.path()).expect("write");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("load.json")).expect("json"))
            .expect("parses");
    assert_eq!(json["partial"], true);
    let om = std::fs::read_to_string(dir.path().join("load.om.txt")).expect("om");
    assert_eq!(assert_openmetrics(&om)["idpsim_load_partial"], 1.0);
}

/// A reference SP that answers 503 to every second SAML acceptance, before it reads it.
async fn faulty_sp() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = reference_sp::AppState::new(reference_sp::SpOptions {
        base_url: base.clone(),
        store: Arc::new(reference_sp::Store::in_memory().expect("store")),
        clock: Arc::new(protocols::SystemClock),
        ids: Arc::new(protocols::RandomIds),
        flaws: reference_sp::Flaws::none(),
        clock_control: None,
        admin_token: None,
    });
    let seen = Arc::new(AtomicU64::new(0));
    let app = reference_sp::app(state).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let seen = seen.clone();
            async move {
                if req.uri().path().ends_with("/saml/consume")
                    && seen.fetch_add(1, Ordering::Relaxed) % 2 == 1
                {
                    return axum::response::IntoResponse::into_response((
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        "overloaded",
                    ));
                }
                next.run(req).await
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sp_that_fails_half_the_logins_gets_an_honest_error_count() {
    let mut profile = Profile::reference();
    profile.base_url = faulty_sp().await;
    profile.name = "faulty reference SP".into();
    let mut cfg = config(Load::Closed { users: 1 }, 10);
    cfg.vendors = Some(vec![Vendor::Okta]);
    let r = storm(profile, cfg).await;
    assert!(!r.partial);
    assert_eq!(r.started, 10);
    assert_eq!(r.finished, 10);
    assert_eq!(r.measured.ok, 5);
    assert_eq!(r.measured.failed, 5);
    assert_eq!(r.errors.len(), 1, "{:#?}", r.errors);
    let e = &r.errors[0];
    assert_eq!(
        (e.kind, e.status, e.hop, e.count),
        (ErrorKind::ServerError, Some(503), Hop::SpAccept, 5)
    );
    assert!(e.example.contains("overloaded"), "{}", e.example);
    // The SP kept what it accepted: one account, five sessions.
    for c in &r.checks {
        assert_eq!(c.passed, Some(true), "{c:?}");
    }
    assert_eq!(r.measured.latency["round_trip"].count, 5);
}

#[test]
fn bad_configurations_are_refused_before_anything_starts() {
    let cases = [
        (Load::Closed { users: 0 }, ConfigError::Users(0)),
        (
            Load::Closed { users: 10_000_000 },
            ConfigError::Users(10_000_000),
        ),
        (
            Load::Open {
                rate: 0.0,
                users: 5,
            },
            ConfigError::Rate(0.0),
        ),
        (
            Load::Open {
                rate: -3.0,
                users: 5,
            },
            ConfigError::Rate(-3.0),
        ),
        (
            Load::Open {
                rate: f64::INFINITY,
                users: 5,
            },
            ConfigError::Rate(f64::INFINITY),
        ),
    ];
    for (load, want) in cases {
        assert_eq!(config(load, 10).validate(), Err(want), "{load:?}");
    }
    let mut cfg = config(Load::Closed { users: 1 }, 10);
    cfg.logins = None;
    cfg.duration = Duration::ZERO;
    assert_eq!(cfg.validate(), Err(ConfigError::Duration));
    let mut cfg = config(Load::Closed { users: 1 }, 0);
    assert_eq!(cfg.validate(), Err(ConfigError::Logins));
    cfg.logins = Some(1);
    cfg.vendors = Some(Vec::new());
    assert_eq!(cfg.validate(), Err(ConfigError::NoVendor));
}

fn idpsim(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idpsim"))
        .arg("load")
        .args(args)
        .output()
        .expect("run idpsim");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_refuses_bad_input_with_a_clear_error() {
    for (args, says) in [
        (&["--rate", "0"][..], "above 0"),
        (&["--rate", "0/s"][..], "above 0"),
        (&["--rate", "fast"][..], "is not a rate"),
        (&["--users", "-5"][..], "at least 1 user"),
        (&["--users", "0"][..], "at least 1 user"),
        (&["--users", "99999999999"][..], "more than a storm takes"),
        (&["--duration", "0s", "--no-rsa-baseline"][..], "--duration"),
        (
            &["--vendor", "ping", "--no-rsa-baseline"][..],
            "unknown vendor",
        ),
    ] {
        let (code, stderr) = idpsim(args);
        assert!(
            matches!(code, Some(1) | Some(2)),
            "{args:?}: exit {code:?}, {stderr}"
        );
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unreachable_target_is_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/targets/reference.toml"),
    )
    .expect("reference profile");
    let profile = reference.replace(
        "base_url = \"embedded\"",
        &format!("base_url = \"http://127.0.0.1:{port}\""),
    );
    let path = dir.path().join("gone.toml");
    std::fs::write(&path, profile).expect("write profile");
    let (code, stderr) = idpsim(&[
        "--target",
        path.to_str().expect("utf-8 path"),
        "--no-rsa-baseline",
        "--hop-timeout",
        "5s",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("setting up"), "{stderr}");
    assert!(stderr.contains(&port.to_string()), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
