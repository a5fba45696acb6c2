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
fn a_pem_made_per_run_normalises_whole_whatever_its_last_line() {
    let mut r = result("x", Verdict::Passed, &[]);
    let pem = |tail: &str| {
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n{tail}\n-----END PRIVATE KEY-----\n",
            "A".repeat(64)
        )
    };
    r.evidence.target_calls =
        vec![serde_json::json!({"decryption_key": pem("8EnHIQ0W0mq6kjPaIxHB4wA=")})];
    let first = normalize(&r.evidence, &Context::default());
    r.evidence.target_calls =
        vec![serde_json::json!({"decryption_key": pem("QOX2WKxTAxj8ADUU7BDGkNdg")})];
    let second = normalize(&r.evidence, &Context::default());
    assert_eq!(
        first["target_calls"][0]["decryption_key"],
        "[pem PRIVATE KEY]\n"
    );
    assert_eq!(first, second);
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

fn html_of(results: &[ScenarioResult]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let record = merge::RunRecord {
        format: merge::FORMAT.into(),
        summary: summary(),
        black_box: false,
        selection: merge::Selection::default(),
        catalogue: merge::CatalogueId {
            scenarios: results.len(),
            digest: "abc".into(),
        },
        shard: None,
        results: results.to_vec(),
    };
    merge::write(dir.path(), &record, &[]).expect("write");
    std::fs::read_to_string(dir.path().join("report.html")).expect("report.html")
}

/// A NameID and a claim an attacker chose reach the page as text, never as markup.
#[test]
fn report_html_escapes_attacker_controlled_xml_and_claims() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.sig",
        b64.encode(br#"{"alg":"none"}"#),
        b64.encode(br#"{"sub":"<script>alert('claim')</script>","email":"x@y"}"#)
    );
    let mut r = result(
        "<script>alert('name')</script>",
        Verdict::Failed,
        &["@okta", "@saml", "@req-SAML-1"],
    );
    let alice = r.evidence.actors.get_mut("Alice").expect("alice");
    alice[0].decoded.push(Decoded::Saml {
        field: "SAMLResponse".into(),
        xml: r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><script>alert('nameid')</script></saml:NameID></samlp:Response>"#.into(),
    });
    alice[0].body_excerpt = format!("id_token={jwt}");
    r.steps[1].error = Some("expected <b>refusal</b>, got <script>alert('step')</script>".into());
    let html = html_of(&[r]);
    for who in ["name", "nameid", "claim", "step"] {
        assert!(
            !html.contains(&format!("<script>alert('{who}')")),
            "{who} reached the page unescaped"
        );
    }
    assert!(html.contains("&lt;script&gt;alert("), "shown as text");
    // The nameid arrives through the pretty-printed XML and the claim through the decoded JWT.
    assert!(html.contains("alert(&#x27;nameid&#x27;)"), "{html}");
    assert!(html.contains("alert(&#x27;claim&#x27;)"), "claim decoded");
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own filter script"
    );
    assert!(
        !html.contains("<link") && !html.contains(" src="),
        "self-contained"
    );
}

#[test]
fn report_html_has_the_matrix_failures_first_and_certification() {
    let results = vec![
        result(
            "passes (entra, oidc)",
            Verdict::Passed,
            &["@entra", "@oidc", "@req-ROLE-3"],
        ),
        result(
            "fails (okta, saml)",
            Verdict::Failed,
            &["@okta", "@saml", "@req-ROLE-3"],
        ),
        result(
            "sha1",
            Verdict::ExpectedFailure,
            &["@okta", "@saml", "@req-SAML-SIG-5"],
        ),
    ];
    let html = html_of(&results);
    // One row per requirement, one column per vendor × protocol present.
    assert_eq!(html.matches("class=\"req-row\"").count(), 2);
    assert!(html.contains(r#"<td class="cell fail" data-status="fail" data-vendor="okta" data-protocol="saml" data-verdicts="failed""#), "{html}");
    assert!(html.contains(r#"<td class="cell deviation" data-status="deviation" data-vendor="okta" data-protocol="saml" data-verdicts="expected_failure""#));
    // Failures before deviations, each with its step and expected/actual.
    let fail = html
        .find("<b>fails (okta, saml)</b>")
        .expect("failure card");
    let dev = html.find("<b>sha1</b>").expect("deviation card");
    assert!(fail < dev);
    assert!(html.contains("expected role admin, found read"));
    assert!(html.contains(r#"<dd id="cert-target">reference</dd>"#));
    assert!(html.contains("3 scenarios, digest abc"));
    assert!(html.contains(r#"<span class="num" id="total-failed">1</span>"#));
}

#[test]
fn report_html_shows_snapshot_drift_as_a_diff() {
    let results = vec![result("x", Verdict::Passed, &[])];
    let drift = snapshot::Drift {
        scenario: "x".into(),
        message: "snapshot assertion failed".into(),
        old: Some("role: admin\nname: a\n".into()),
        new: Some("role: read\nname: a\n".into()),
    };
    let html = html::render(
        &summary(),
        &merge::CatalogueId::default(),
        false,
        &results,
        &[drift],
    )
    .expect("render");
    assert!(
        html.contains(r#"<div class="del">role: admin</div>"#),
        "{html}"
    );
    assert!(html.contains(r#"<div class="ins">role: read</div>"#));
    assert!(html.contains(r#"<div class="eq">name: a</div>"#));
}
