//! Browser mode (`--browser chromium`, docs/browser.md): a few security scenarios in a real
//! headless Chromium, against the embedded reference SP and against Apache mod_auth_mellon,
//! must reach the verdicts the HTTP agent reaches. Chosen to cover SAML and OIDC, refused
//! attacks, an honest login that is accepted, and (at mellon) an attack it accepts.

use super::{root, Sp, TURN};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// SAML: another SP's audience (refused), RSA-SHA1 (accepted: an honest login), an unsolicited
/// InResponseTo (mellon's listed finding); OIDC: another issuer (refused), a replayed code
/// (an honest login, then the replay refused).
const TAGS: &str = "@okta and (@req-SAML-AUD-1 or @req-SAML-SIG-5 or @req-SAML-IRT-1 \
                    or @req-OIDC-ISS-1 or @req-OIDC-PKCE-1)";

struct Run {
    ok: bool,
    stderr: String,
    results: Vec<Value>,
    junit: String,
}

fn idpsim(args: &[&str], report: &Path, path: Option<&Path>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idpsim"));
    cmd.current_dir(root()).env("CI", "1").arg("run").args(args);
    cmd.arg("--report").arg(report);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let out = cmd.output().expect("run idpsim");
    let record: Value = std::fs::read(report.join("results.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    Run {
        ok: out.status.success(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        results: record["results"].as_array().cloned().unwrap_or_default(),
        junit: std::fs::read_to_string(report.join("junit.xml")).unwrap_or_default(),
    }
}

/// Scenario -> verdict.
fn verdicts(run: &Run) -> BTreeMap<String, String> {
    run.results
        .iter()
        .map(|r| {
            (
                r["scenario"].as_str().unwrap_or_default().to_string(),
                r["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn result<'a>(run: &'a Run, scenario: &str) -> &'a Value {
    run.results
        .iter()
        .find(|r| r["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no result for {scenario}: {:?}", verdicts(run)))
}

/// Run `args` with the HTTP agent and in Chromium; both must end as the expectations say, with
/// the same verdict for every scenario. The Chromium run.
fn same_verdicts(args: &[&str], dir: &Path) -> Run {
    let http = idpsim(args, &dir.join("http"), None);
    assert!(http.ok, "HTTP agent run:\n{}", http.stderr);
    let mut chromium_args = args.to_vec();
    chromium_args.extend(["--browser", "chromium"]);
    let chromium = idpsim(&chromium_args, &dir.join("chromium"), None);
    assert!(chromium.ok, "Chromium run:\n{}", chromium.stderr);
    assert_eq!(
        verdicts(&chromium),
        verdicts(&http),
        "Chromium's verdicts differ from the HTTP agent's:\n{}",
        chromium.stderr
    );
    chromium
}

#[test]
fn chromium_reaches_the_http_agents_verdicts_at_the_reference_sp() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = same_verdicts(&["--tags", TAGS], dir.path());
    let v = verdicts(&run);
    assert_eq!(v.len(), 5, "{v:?}");
    assert!(v.values().all(|x| x == "passed"), "{v:?}");

    // The evidence came from the browser: the auto-submitted SAML form's post, decoded, and
    // the SP's session cookie after the honest login.
    let aud = result(&run, "An assertion for another SP is refused (Okta)");
    let posts: Vec<&Value> = aud["evidence"]["actors"]["Alice"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["method"] == "POST").collect())
        .unwrap_or_default();
    assert!(
        posts.iter().any(|e| e["decoded"][0]["kind"] == "saml"
            && e["form"]
                .as_array()
                .is_some_and(|f| f.iter().any(|kv| kv[0] == "SAMLResponse"))),
        "no decoded SAMLResponse post in {}",
        aud["evidence"]["actors"]
    );
    let sha1 = result(
        &run,
        "An RSA-SHA1 signature is accepted, as the reference SP's policy says (Okta)",
    );
    let cookies = &sha1["evidence"]["browser"]["Alice"]["cookies"];
    assert!(
        cookies.as_array().is_some_and(|c| !c.is_empty()),
        "no cookies in Chromium after an accepted login: {}",
        sha1["evidence"]["browser"]
    );
    assert!(
        !cookies.to_string().contains("\"value\""),
        "cookie values are credentials: {cookies}"
    );

    // A failure leaves a screenshot in the report, linked from the results and junit.xml.
    let report = dir.path().join("flawed");
    let flawed = idpsim(
        &[
            "--tags",
            "@okta and @req-SAML-AUD-1",
            "--sp-flaw",
            "skip-audience-check",
            "--browser",
            "chromium",
        ],
        &report,
        None,
    );
    assert!(!flawed.ok, "the flaw went unnoticed:\n{}", flawed.stderr);
    let r = result(&flawed, "An assertion for another SP is refused (Okta)");
    assert_eq!(r["verdict"], "failed");
    let shot = r["evidence"]["browser"]["Alice"]["screenshot"]
        .as_str()
        .unwrap_or_else(|| panic!("no screenshot: {}", r["evidence"]["browser"]));
    let png = std::fs::read(report.join(shot)).expect("the screenshot file");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG: {shot}");
    assert!(
        flawed.junit.contains(&format!("[[ATTACHMENT|{shot}]]")),
        "{}",
        flawed.junit
    );
}

#[test]
fn chromium_reaches_the_http_agents_verdicts_at_mellon() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let _sp = Sp::start("mellon");
    let dir = tempfile::tempdir().expect("tmp");
    let profile = root().join("fixtures/targets/mellon.toml");
    let profile = profile.to_string_lossy();
    let run = same_verdicts(
        &["--target", &profile, "--vendor", "okta", "--tags", TAGS],
        dir.path(),
    );
    let v = verdicts(&run);
    // The refused attack, the honest login, mellon's listed finding; OIDC is not applicable.
    assert_eq!(
        v.get("An assertion for another SP is refused (Okta)")
            .map(String::as_str),
        Some("passed"),
        "{v:?}"
    );
    assert_eq!(
        v.get("A response to a request this SP never sent is refused (Okta)")
            .map(String::as_str),
        Some("expected_failure"),
        "{v:?}"
    );
    assert_eq!(
        v.get("An id_token from another issuer is refused (Okta)")
            .map(String::as_str),
        Some("not_applicable"),
        "{v:?}"
    );
}

#[test]
fn browser_mode_without_chromium_says_how_to_install_it() {
    let empty = tempfile::tempdir().expect("tmp");
    let report = tempfile::tempdir().expect("tmp");
    let started = std::time::Instant::now();
    let run = idpsim(
        &[
            "--tags",
            "@okta and @req-SAML-AUD-1",
            "--browser",
            "chromium",
        ],
        report.path(),
        Some(empty.path()),
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains("make deps")
            && run
                .stderr
                .contains("apt-get install chromium chromium-driver"),
        "{}",
        run.stderr
    );
    // At once: before any scenario ran.
    assert!(run.results.is_empty(), "{:?}", verdicts(&run));
    assert!(started.elapsed().as_secs() < 30);
}
