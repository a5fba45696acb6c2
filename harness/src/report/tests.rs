use super::normalize::{normalize, Context};
use super::*;
use crate::agent::{Decoded, Exchange};
use crate::result::{Evidence, StepResult, StepStatus, Verdict};

fn exchange(url: &str, status: u16, location: Option<&str>) -> Exchange {
    Exchange {
        method: "GET".into(),
        url: url.into(),
        form: None,
        status,
        location: location.map(str::to_string),
        content_type: None,
        set_cookies: vec![],
        body_excerpt: String::new(),
        decoded: vec![],
    }
}

fn result(name: &str, verdict: Verdict, tags: &[&str]) -> ScenarioResult {
    let failed = verdict == Verdict::Failed;
    ScenarioResult {
        feature: "Role mapping".into(),
        feature_path: "roles/mapping.feature".into(),
        scenario: name.into(),
        line: 12,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        verdict,
        deviation: (verdict == Verdict::ExpectedFailure).then(|| "known: SHA-1 refused".into()),
        reason: None,
        steps: vec![
            StepResult {
                keyword: "When ".into(),
                text: "Alice signs in to Acme through SSO".into(),
                status: StepStatus::Passed,
                error: None,
            },
            StepResult {
                keyword: "Then ".into(),
                text: "Alice is a member of Acme with role admin".into(),
                status: if failed { StepStatus::Failed } else { StepStatus::Passed },
                error: failed.then(|| "expected role admin, found read".into()),
            },
        ],
        duration_ms: 40,
        evidence: Evidence {
            actors: [(
                "Alice".to_string(),
                vec![exchange(
                    "http://127.0.0.1:4100/organizations/acme-7/sso/login",
                    302,
                    Some("http://127.0.0.1:4200/okta/t1/app/x/0oa1/sso/saml?SAMLRequest=abc&RelayState=r"),
                )],
            )]
            .into(),
            ..Evidence::default()
        },
    }
}

fn summary() -> Summary {
    Summary {
        target: "reference".into(),
        started: "2026-11-28T00:00:00Z".into(),
        wall_time_ms: 1234,
        sp_flaws: vec!["first-match-role".into()],
    }
}

#[test]
fn reports_carry_verdicts_requirements_and_failure_detail() {
    let results = vec![
        result(
            "most privileged wins (okta, saml)",
            Verdict::Failed,
            &["@okta", "@saml", "@req-ROLE-3"],
        ),
        result(
            "most privileged wins (entra, oidc)",
            Verdict::Passed,
            &["@entra", "@oidc", "@req-ROLE-3"],
        ),
        result(
            "sha1",
            Verdict::ExpectedFailure,
            &["@okta", "@saml", "@req-SAML-SIG-5"],
        ),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let w = write_all(dir.path(), &results, &summary()).expect("write");

    let junit = std::fs::read_to_string(&w.junit).expect("junit");
    assert!(junit.contains(r#"tests="3" failures="1""#), "{junit}");
    assert!(junit.contains("expected role admin, found read"));
    assert!(junit.contains("<failure message=\"Then Alice is a member of Acme with role admin\""));
    assert!(junit.contains("expected failure: known: SHA-1 refused"));

    let cj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&w.cucumber_json).expect("json")).expect("parse");
    assert_eq!(cj[0]["elements"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        cj[0]["elements"][0]["steps"][1]["result"]["status"],
        "failed"
    );

    let md = std::fs::read_to_string(&w.summary_md).expect("md");
    assert!(md.contains("| ROLE-3 | 1 | 1 | 0 | FAILS |"), "{md}");
    assert!(
        md.contains("| SAML-SIG-5 | 0 | 0 | 1 | deviates (expected) |"),
        "{md}"
    );
    assert!(md.contains("| okta | saml | 1 | 1 |"), "{md}");
    assert!(md.contains("Failed step: `Then Alice is a member of Acme with role admin`"));
    assert!(md.contains("Alice: GET http://127.0.0.1:4100/organizations/acme-7/sso/login -> 302"));

    let sj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&w.summary_json).expect("json")).expect("parse");
    assert_eq!(sj["totals"]["failed"], 1);
    assert_eq!(sj["requirements"]["ROLE-3"]["totals"]["passed"], 1);
    assert_eq!(Totals::of(&results).closing_line(), "2 passed, 1 failed");
}

#[test]
fn normalisation_replaces_what_changes_per_run() {
    let mut r = result("x", Verdict::Passed, &[]);
    r.evidence.actors.get_mut("Alice").expect("alice")[0]
        .decoded
        .push(Decoded::Oauth {
            params: vec![
                ("state".into(), "s-123".into()),
                ("client_id".into(), "acme-app".into()),
            ],
        });
    let ctx = Context {
        substitutions: vec![("acme-7".into(), "[org]".into())],
    };
    let v = normalize(&r.evidence, &ctx);
    let first = &v["actors"]["Alice"][0];
    assert_eq!(
        first["request"],
        "GET [host1]/organizations/[org]/sso/login"
    );
    assert_eq!(
        first["location"],
        "[host2]/okta/t1/app/x/0oa1/sso/saml?SAMLRequest=[message]&RelayState=r"
    );
    assert_eq!(first["decoded"][0]["oauth"]["state"], "[random]");
    assert_eq!(first["decoded"][0]["oauth"]["client_id"], "acme-app");
    // The same evidence normalises the same way twice.
    assert_eq!(v, normalize(&r.evidence, &ctx));
}

#[test]
fn snapshot_names_are_file_safe() {
    let r = result(
        "Most privileged role wins (okta, SAML)",
        Verdict::Passed,
        &[],
    );
    let n = snapshot::snapshot_name(&r);
    assert!(
        n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "{n}"
    );
    assert!(n.starts_with("roles_mapping__most_privileged"), "{n}");
}

#[test]
fn a_browser_mode_screenshot_is_linked_from_junit_and_the_summary() {
    let mut failed = result(
        "most privileged wins (okta, saml)",
        Verdict::Failed,
        &["@okta", "@saml", "@req-ROLE-3"],
    );
    failed.evidence.browser.insert(
        "Alice".into(),
        crate::browser::BrowserEvidence {
            cookies: vec![crate::browser::CookieSeen {
                name: "sp_session".into(),
                domain: "127.0.0.1".into(),
                path: "/".into(),
                http_only: true,
                secure: false,
                same_site: Some("Lax".into()),
            }],
            screenshot: Some("screenshots/most-privileged-wins-okta-saml-alice.png".into()),
        },
    );
    let passed = result("passed", Verdict::Passed, &["@okta", "@saml"]);
    let dir = tempfile::tempdir().expect("tmp");
    let w = write_all(dir.path(), &[failed, passed], &summary()).expect("write");
    let junit = std::fs::read_to_string(&w.junit).expect("junit");
    assert!(
        junit.contains("[[ATTACHMENT|screenshots/most-privileged-wins-okta-saml-alice.png]]"),
        "{junit}"
    );
    assert_eq!(junit.matches("[[ATTACHMENT|").count(), 1, "{junit}");
    let sj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&w.summary_json).expect("json")).expect("parse");
    assert_eq!(
        sj["failures"][0]["screenshots"][0],
        "screenshots/most-privileged-wins-okta-saml-alice.png"
    );
    let md = std::fs::read_to_string(&w.summary_md).expect("md");
    assert!(
        md.contains("Screenshot: [screenshots/most-privileged-wins-okta-saml-alice.png]"),
        "{md}"
    );
}
