//! The black-box catalogue against real third-party SPs: Apache httpd with mod_auth_mellon
//! (SAML) and mod_auth_openidc (OIDC), from Debian, configured by fixtures/targets/apache and
//! started on loopback for the test (and stopped after it, pass or fail).
//!
//! Each run must end as its expectations file says (every finding about the SP listed with a
//! reason), and its verdict table must equal the one committed in docs/black-box.md: any change
//! in a verdict fails. `IDPSIM_UPDATE_VERDICTS=1` rewrites the committed tables instead.
//!
//! Both SPs trust IdPs on the same fixed address, so the runs that start one take turns
//! ([`TURN`]). Browser mode's runs against the same SPs are in black_box/browser.rs.

#[path = "black_box/browser.rs"]
mod browser;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Held by every test that starts an Apache SP or listens on the black-box IdP address.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sp_sh() -> PathBuf {
    root().join("fixtures/targets/apache/sp.sh")
}

/// A started SP, stopped when dropped.
struct Sp(&'static str);

impl Sp {
    fn start(name: &'static str) -> Self {
        let out = Command::new(sp_sh())
            .args(["start", name])
            .output()
            .expect("run sp.sh");
        assert!(
            out.status.success(),
            "starting {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Sp(name)
    }
}

impl Drop for Sp {
    fn drop(&mut self) {
        let out = Command::new(sp_sh()).args(["stop", self.0]).output();
        if let Ok(o) = out {
            if !o.status.success() {
                eprintln!(
                    "stopping {}: {}",
                    self.0,
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
    }
}

struct Run {
    ok: bool,
    stderr: String,
    stdout: String,
    summary: Value,
    verdicts: String,
}

fn idpsim_run(profile: &Path, report: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_idpsim"))
        .current_dir(root())
        .env("CI", "1")
        .args(["run", "--target"])
        .arg(profile)
        .arg("--report")
        .arg(report)
        .output()
        .expect("run idpsim");
    let summary = std::fs::read(report.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    Run {
        ok: out.status.success(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        summary,
        verdicts: std::fs::read_to_string(report.join("verdicts.md")).unwrap_or_default(),
    }
}

const DOC: &str = "docs/black-box.md";

/// The committed table of `name` in docs/black-box.md, between its markers.
fn committed_table(doc: &str, name: &str) -> Option<(usize, usize)> {
    let open = format!("<!-- verdicts:{name} -->\n");
    let close = format!("<!-- /verdicts:{name} -->");
    let a = doc.find(&open)? + open.len();
    let b = doc[a..].find(&close)? + a;
    Some((a, b))
}

/// The verdict tables of a run, without their title: what docs/black-box.md holds.
fn tables(verdicts: &str) -> String {
    verdicts
        .split_once("\n## ")
        .map(|(_, rest)| format!("### {rest}").replace("\n## ", "\n### "))
        .unwrap_or_default()
}

fn check_catalogue(name: &'static str, totals_want: impl Fn(&Value)) {
    let _sp = Sp::start(name);
    let report = tempfile::tempdir().expect("tmp");
    let started = std::time::Instant::now();
    let run = idpsim_run(
        &root().join(format!("fixtures/targets/{name}.toml")),
        report.path(),
    );
    let took = started.elapsed();
    eprintln!("{name}: black-box catalogue in {:.1} s", took.as_secs_f64());
    let totals = &run.summary["totals"];
    assert!(
        run.ok,
        "{name}: the run did not end as its expectations say:\n{}\n{}\n{}",
        run.stdout, run.stderr, run.verdicts
    );
    assert_eq!(
        totals["unexpected_passes"], 0,
        "{name}: a listed finding no longer happens: {totals}\n{}",
        run.stderr
    );
    assert_eq!(totals["not_applied"], 0, "{name}: {totals}");
    assert_eq!(totals["no_answer"], 0, "{name}: {totals}");
    totals_want(totals);
    // Every vendor's honest login passed the gate.
    let text = std::fs::read_to_string(report.path().join("summary.md")).expect("summary");
    assert!(text.contains("Security catalogue grade"), "{text}");

    let doc_path = root().join(DOC);
    let doc = std::fs::read_to_string(&doc_path).expect("docs/black-box.md");
    let fresh = tables(&run.verdicts);
    assert!(
        !fresh.is_empty(),
        "{name}: no verdict table:\n{}",
        run.verdicts
    );
    let (a, b) = committed_table(&doc, name)
        .unwrap_or_else(|| panic!("{DOC} has no <!-- verdicts:{name} --> section"));
    if std::env::var_os("IDPSIM_UPDATE_VERDICTS").is_some() {
        let updated = format!("{}{fresh}{}", &doc[..a], &doc[b..]);
        std::fs::write(&doc_path, updated).expect("write docs");
        return;
    }
    assert_eq!(
        doc[a..b],
        fresh,
        "{name}: a verdict changed from the table in {DOC} (run with IDPSIM_UPDATE_VERDICTS=1 \
         after reviewing, and list new findings in fixtures/targets/{name}.expectations.toml)"
    );
}

/// A profile for bad-input runs, in a temporary folder next to a copy of the IdP config.
fn bad_profile(dir: &Path, login_url: &str, entity: &str, idp_cfg: &str) -> PathBuf {
    std::fs::write(dir.join("idp.toml"), idp_cfg).expect("idp");
    let p = dir.join("bad.toml");
    std::fs::write(
        &p,
        format!(
            r#"name = "bad"
[black_box]
idp_listen = "127.0.0.1:18480"
idp_config = "idp.toml"
hop_timeout_secs = 3
[black_box.accept]
header = "X-Idpsim-User"
[[black_box.login]]
vendor = "okta"
protocol = "saml"
login_url = "{login_url}"
sp_entity_id = "{entity}"
"#
        ),
    )
    .expect("profile");
    p
}

fn bad_input() {
    let idp =
        std::fs::read_to_string(root().join("fixtures/targets/apache/idp.toml")).expect("idp.toml");
    let mellon_entity = "http://127.0.0.1:18481/okta/mellon/metadata";
    let dir = tempfile::tempdir().expect("tmp");
    let report = dir.path().join("report");

    // Nothing listens: the gate names the hop and says "no answer"; the run fails, no hang.
    let p = bad_profile(
        dir.path(),
        "http://127.0.0.1:18489/okta/protected/",
        mellon_entity,
        &idp,
    );
    let run = idpsim_run(&p, &report);
    assert!(!run.ok, "an unreachable SP passed:\n{}", run.stderr);
    assert!(
        run.stderr.contains("no answer") && run.stderr.contains("127.0.0.1:18489"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.summary["totals"]["no_answer"], 1,
        "{}",
        run.summary["totals"]
    );

    let _sp = Sp::start("mellon");
    // A login URL that never sends the browser to the IdP.
    let p = bad_profile(
        dir.path(),
        "http://127.0.0.1:18481/okta/mellon/metadata",
        mellon_entity,
        &idp,
    );
    let run = idpsim_run(&p, &report);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("did not send the browser to the IdP"),
        "{}",
        run.stderr
    );
    // An SP whose entity id is not the one the IdP registered: the IdP refuses its request,
    // and the gate says so.
    let wrong = idp.replace(mellon_entity, "http://127.0.0.1:18481/okta/wrong/metadata");
    let p = bad_profile(
        dir.path(),
        "http://127.0.0.1:18481/okta/protected/",
        "http://127.0.0.1:18481/okta/wrong/metadata",
        &wrong,
    );
    let run = idpsim_run(&p, &report);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("the IdP refused the SP's request"),
        "{}",
        run.stderr
    );
    // Every catalogue row of a blocked pair is reported not applicable, with the reason.
    assert!(
        run.summary["not_applicable"]
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["reason"]
                .as_str()
                .is_some_and(|s| s.starts_with("blocked")))),
        "{}",
        run.summary["not_applicable"]
    );
}

#[test]
fn apache_mellon_and_openidc_hold_the_black_box_catalogue() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    check_catalogue("mellon", |t| {
        assert!(t["passed"].as_u64().unwrap_or(0) > 60, "{t}");
        assert!(t["not_applicable"].as_u64().unwrap_or(0) > 0, "{t}");
    });
    check_catalogue("openidc", |t| {
        assert!(t["passed"].as_u64().unwrap_or(0) > 40, "{t}");
    });
    bad_input();
}
