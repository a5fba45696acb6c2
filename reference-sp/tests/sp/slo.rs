//! SAML Single Logout against the mock Okta and Entra: SP-initiated logout ends the session at
//! both ends, IdP-initiated logout ends the SP session and is answered, and unsigned, forged,
//! unknown-session and unsolicited messages are refused and end nothing. The
//! `accept-unsigned-logout` flaw is shown to be what a catalogue must catch.

use crate::common::*;
use mock_idps::saml_idp::slo::{self, Delivery, LogoutSigning, NewLogout, NewSlo};
use mock_idps::tenant::SharedTenant;
use mock_idps::Vendor;
use protocols::keys::{KeyKind, SigningKey, Validity};
use protocols::saml::logout::STATUS_UNKNOWN_PRINCIPAL;
use reference_sp::Flaw;
use reqwest::StatusCode;
use serde_json::json;

/// A managed org `slug` at `vendor` with SLO on both sides; Alice signed in. Returns the tenant
/// and her browser.
async fn signed_in(w: &World, vendor: Vendor, slug: &str) -> (SharedTenant, Browser) {
    let email = format!("alice@{slug}.example");
    w.create_org(slug, "managed", json!({})).await;
    let t = w.tenant(vendor, slug, slug, vec![idp_user(&email, &[])]);
    let key = SigningKey::generate(
        KeyKind::Rsa,
        "sp",
        "sp-slo",
        Validity::current(w.idps.options().clock.now(), 1),
    )
    .expect("key");
    let app = t.default_saml_app();
    let cfg = slo::configure(
        &t,
        &app,
        NewSlo {
            url: w
                .sp
                .org_urls(slug)
                .saml_acs
                .replace("/saml/consume", "/saml/slo"),
            certificate: Some(key.cert_pem().to_string()),
            ..NewSlo::default()
        },
    )
    .expect("slo");
    t.state
        .lock()
        .saml_apps
        .iter_mut()
        .for_each(|a| a.slo = Some(cfg.clone()));
    w.configure_sso(
        slug,
        &t,
        Protocol::Saml,
        json!({"slo": {"signing_key": key.key_pem(), "signing_certificate": key.cert_pem()}}),
    )
    .await;
    let mut b = w.browser();
    let p = b.browse(&format!("/organizations/{slug}/sso/login")).await;
    assert_eq!(p.status, StatusCode::OK, "{} {:#?}", p.body, b.hops);
    assert_eq!(b.whoami().await.status, StatusCode::OK);
    (t, b)
}

/// Carry an IdP-initiated LogoutRequest through the browser; the SP's answer page.
async fn idp_logout(b: &mut Browser, t: &SharedTenant, n: NewLogout) -> Page {
    let started = slo::idp_initiated(t, &t.default_saml_app().id, &n).expect("started");
    let page = match started.delivery {
        Delivery::Redirect(url) => b.get(&url).await,
        Delivery::Form(html) => {
            let field = |name: &str| {
                let marker = format!("name=\"{name}\" value=\"");
                let i = html.find(&marker).expect("field") + marker.len();
                html[i..i + html[i..].find('"').expect("end")].to_string()
            };
            let request = field("SAMLRequest");
            let action = {
                let i = html.find("action=\"").expect("action") + 8;
                html[i..i + html[i..].find('"').expect("end")].replace("&amp;", "&")
            };
            b.post_form(&action, &[("SAMLRequest", &request)]).await
        }
    };
    b.follow_from(page).await
}

fn alice(t: &SharedTenant) -> NewLogout {
    NewLogout {
        user: format!("alice@{}.example", t.id),
        ..NewLogout::default()
    }
}

#[tokio::test]
async fn saml_slo_1_sp_initiated_logout_ends_the_session_here_and_at_the_idp() {
    let w = World::new().await;
    for vendor in [Vendor::Okta, Vendor::Entra] {
        let slug = format!("slo1-{}", vendor.as_str());
        let (t, mut b) = signed_in(&w, vendor, &slug).await;
        assert_eq!(t.state.lock().slo.sessions.len(), 1);
        let p = b
            .post_form(&format!("/organizations/{slug}/saml/logout"), &[])
            .await;
        let p = b.follow_from(p).await;
        assert_eq!(
            p.status,
            StatusCode::OK,
            "{vendor:?}: {} {:#?}",
            p.body,
            b.hops
        );
        assert_eq!(p.json()["idp_signed_out"], true, "{vendor:?}");
        assert_eq!(
            b.whoami().await.status,
            StatusCode::UNAUTHORIZED,
            "{vendor:?}"
        );
        assert!(
            t.state.lock().slo.sessions.is_empty(),
            "{vendor:?}: IdP session gone"
        );
    }
}

#[tokio::test]
async fn saml_slo_2_idp_initiated_logout_ends_the_session_and_is_answered() {
    let w = World::new().await;
    for vendor in [Vendor::Okta, Vendor::Entra] {
        let slug = format!("slo2-{}", vendor.as_str());
        let (t, mut b) = signed_in(&w, vendor, &slug).await;
        let p = idp_logout(&mut b, &t, alice(&t)).await;
        assert_eq!(
            p.status,
            StatusCode::OK,
            "{vendor:?}: {} {:#?}",
            p.body,
            b.hops
        );
        assert_eq!(
            b.whoami().await.status,
            StatusCode::UNAUTHORIZED,
            "{vendor:?}"
        );
        let answer = t.state.lock().slo.logouts[0]
            .response
            .clone()
            .expect("answered");
        assert!(
            answer.status.ends_with(":Success"),
            "{vendor:?}: {answer:?}"
        );
        assert_eq!(answer.signature, "verified", "{vendor:?}");
    }
}

#[tokio::test]
async fn saml_slo_3_4_5_unsigned_forged_and_unknown_session_logout_requests_end_nothing() {
    let w = World::new().await;
    for vendor in [Vendor::Okta, Vendor::Entra] {
        let slug = format!("slo3-{}", vendor.as_str());
        let (t, mut b) = signed_in(&w, vendor, &slug).await;
        for (what, sign, code) in [
            ("unsigned", LogoutSigning::None, "logout-unsigned"),
            (
                "another key",
                LogoutSigning::Foreign,
                "logout-bad-signature",
            ),
        ] {
            // Each IdP-initiated logout ends the IdP's record; sign in again at the IdP only.
            let p = idp_logout(&mut b, &t, NewLogout { sign, ..alice(&t) }).await;
            assert_eq!(
                p.status,
                StatusCode::FORBIDDEN,
                "{vendor:?} {what}: {}",
                p.body
            );
            assert_eq!(p.code(), code, "{vendor:?} {what}");
            assert_eq!(
                b.whoami().await.status,
                StatusCode::OK,
                "{vendor:?} {what}: still signed in"
            );
            let p = b.browse(&format!("/organizations/{slug}/sso/login")).await;
            assert_eq!(p.status, StatusCode::OK);
        }
        let p = idp_logout(
            &mut b,
            &t,
            NewLogout {
                session_index: Some("_never".into()),
                ..alice(&t)
            },
        )
        .await;
        assert_eq!(p.status, StatusCode::OK, "{vendor:?}: {}", p.body);
        assert_eq!(
            b.whoami().await.status,
            StatusCode::OK,
            "{vendor:?}: unknown session ends nothing"
        );
        let answer = t
            .state
            .lock()
            .slo
            .logouts
            .last()
            .and_then(|l| l.response.clone())
            .expect("answered");
        assert_eq!(
            answer.sub_status.as_deref(),
            Some(STATUS_UNKNOWN_PRINCIPAL),
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn saml_slo_3_the_accept_unsigned_logout_flaw_lets_an_unsigned_request_end_the_session() {
    let w = World::with_flaw(Flaw::AcceptUnsignedLogout).await;
    let (t, mut b) = signed_in(&w, Vendor::Okta, "slo4").await;
    let p = idp_logout(
        &mut b,
        &t,
        NewLogout {
            sign: LogoutSigning::None,
            ..alice(&t)
        },
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(b.whoami().await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn saml_slo_6_unsolicited_or_malformed_logout_responses_are_refused_and_metadata_lists_slo() {
    let w = World::new().await;
    let (t, b) = signed_in(&w, Vendor::Okta, "slo5").await;
    let p = t.personality();
    let mut el = protocols::saml::logout::build_logout_response(
        &protocols::saml::logout::LogoutResponseSpec {
            id: "_r".into(),
            issue_instant: t.now(),
            destination: Some(
                w.sp.org_urls("slo5")
                    .saml_acs
                    .replace("/saml/consume", "/saml/slo"),
            ),
            in_response_to: "_never-sent".into(),
            issuer: t.saml_entity_id(Some(&t.default_saml_app())),
            status: protocols::saml::response::uri::STATUS_SUCCESS.into(),
            sub_status: None,
            status_message: None,
            protocol_prefix: p.saml.protocol_prefix.into(),
            assertion_prefix: p.saml.assertion_prefix.into(),
        },
    );
    let key = t.signing_key(None).expect("key");
    protocols::saml::logout::sign_message(
        &mut el,
        &key,
        protocols::saml::SignatureAlgorithm::RsaSha256,
    )
    .expect("sign");
    let b64 = protocols::saml::b64_encode(el.to_document().as_bytes());
    let p = b
        .post_form("/organizations/slo5/saml/slo", &[("SAMLResponse", &b64)])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(p.code(), "logout-response-unsolicited");
    for bad in [
        "SAMLRequest=%%%",
        "SAMLResponse=bm90IGRlZmxhdGU%3D",
        "RelayState=x",
    ] {
        let p = b.get(&format!("/organizations/slo5/saml/slo?{bad}")).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{bad}: {}", p.body);
        assert_eq!(p.code(), "logout-unreadable", "{bad}");
    }
    assert_eq!(b.whoami().await.status, StatusCode::OK, "nothing ended");
    let md = b.get("/organizations/slo5/saml/metadata").await;
    assert!(md.body.contains("SingleLogoutService"), "{}", md.body);
    assert!(
        md.body.contains("/organizations/slo5/saml/slo"),
        "{}",
        md.body
    );
}
