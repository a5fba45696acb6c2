use super::*;

fn step(status: StepStatus, error: Option<&str>) -> StepResult {
    StepResult {
        keyword: "Then".into(),
        text: "x".into(),
        status,
        error: error.map(str::to_string),
    }
}

#[test]
fn verdicts_from_steps_faults_and_expectations() {
    let ok = [step(StepStatus::Passed, None)];
    let failed = [step(StepStatus::Failed, Some("[SAML-SIG-1]: accepted"))];
    let na = [step(
        StepStatus::Failed,
        Some("not applicable: needs the admin API"),
    )];
    let silent = [step(
        StepStatus::Failed,
        Some("no answer: GET x: timed out"),
    )];
    assert_eq!(verdict_of(&ok, None, false), (Verdict::Passed, None));
    assert_eq!(verdict_of(&failed, None, false).0, Verdict::Failed);
    assert_eq!(
        verdict_of(&na, None, false),
        (
            Verdict::NotApplicable,
            Some("needs the admin API".to_string())
        )
    );
    // Not applicable stays so, even when listed.
    assert_eq!(verdict_of(&na, None, true).0, Verdict::NotApplicable);
    assert_eq!(verdict_of(&silent, None, false).0, Verdict::NoAnswer);
    // A fault never used is no verdict, whether the steps passed or not, listed or not.
    for steps in [&ok[..], &failed[..]] {
        for listed in [false, true] {
            assert_eq!(
                verdict_of(steps, Some("unused".into()), listed),
                (Verdict::NotApplied, Some("unused".to_string()))
            );
        }
    }
    assert_eq!(verdict_of(&failed, None, true).0, Verdict::ExpectedFailure);
    assert_eq!(verdict_of(&silent, None, true).0, Verdict::ExpectedFailure);
    assert_eq!(verdict_of(&ok, None, true).0, Verdict::UnexpectedPass);
}

#[test]
fn black_box_profiles_run_only_the_security_catalogue() {
    let reference = Profile::reference();
    assert_eq!(
        inapplicable(&reference, &["security", "saml", "okta"]),
        None
    );
    assert_eq!(inapplicable(&reference, &["roles", "saml"]), None);
    let mut bb = reference.clone();
    bb.black_box = Some(
        toml::from_str(
            r#"idp_listen = "127.0.0.1:1"
                idp_config = "x.toml"
                [accept]
                status = 200
                [[login]]
                vendor = "okta"
                protocol = "saml"
                login_url = "http://127.0.0.1:2/"
                sp_entity_id = "e""#,
        )
        .expect("black box"),
    );
    bb.capabilities.clock = false;
    bb.capabilities.oidc = false;
    let why = inapplicable(&bb, &["roles", "saml"]).expect("admin semantics");
    assert!(why.contains("admin API"), "{why}");
    assert_eq!(inapplicable(&bb, &["security", "saml"]), None);
    let clock = inapplicable(&bb, &["security", "saml", "clock"]).expect("clock");
    assert!(clock.contains("clock"), "{clock}");
    let oidc = inapplicable(&bb, &["security", "oidc"]).expect("oidc");
    assert!(oidc.contains("OIDC"), "{oidc}");
}
