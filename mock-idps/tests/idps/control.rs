//! The control API: it steers tenants, and bad calls are refused with a JSON error and change
//! nothing.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use mock_idps::{MockIdps, Options, Vendor};
use protocols::{Clock, ManualClock, SeededIds};
use serde_json::Value;
use std::sync::Arc;

fn json(a: &Answer) -> Value {
    serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", a.body))
}

async fn make(idps: &MockIdps, body: &str) -> Answer {
    send_json(idps, "POST", "/_idpsim/tenants", body).await
}

#[tokio::test]
async fn create_list_and_index() {
    let (idps, _) = idps();
    let a = make(&idps, r#"{"vendor":"okta","id":"acme"}"#).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = make(&idps, r#"{"vendor":"entra"}"#).await;
    assert_eq!(a.status, StatusCode::CREATED);
    let entra_id = json(&a)["id"].as_str().expect("id").to_string();
    assert_eq!(entra_id.len(), 36, "Entra tenant ids are GUIDs");
    let index = json(&get(&idps, "/").await);
    let tenants = index["tenants"].as_array().expect("tenants");
    assert_eq!(tenants.len(), 2);
    let okta = tenants
        .iter()
        .find(|t| t["vendor"] == "okta")
        .expect("okta");
    let entra = tenants
        .iter()
        .find(|t| t["vendor"] == "entra")
        .expect("entra");
    assert_eq!(okta["vendor"], "okta");
    assert_eq!(okta["oidc"]["issuer"], "http://idp.test/okta/acme");
    assert!(okta["saml"]["entity_id"]
        .as_str()
        .expect("s")
        .starts_with("http://www.okta.com/exk"));
    assert!(okta["saml"]["metadata_url"]
        .as_str()
        .expect("s")
        .ends_with("/sso/saml/metadata"));
    assert_eq!(
        entra["saml"]["entity_id"],
        format!("https://sts.windows.net/{entra_id}/")
    );
    let dup = make(&idps, r#"{"vendor":"okta","id":"acme"}"#).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn malformed_calls_are_refused_with_a_message_and_change_nothing() {
    let (idps, _) = idps();
    make(&idps, r#"{"vendor":"google","id":"g1"}"#).await;
    let base = "/_idpsim/tenants/google/g1";
    let cases = [
        (
            "POST",
            "/_idpsim/tenants",
            "{not json",
            StatusCode::BAD_REQUEST,
            "invalid JSON",
        ),
        (
            "POST",
            "/_idpsim/tenants",
            r#"{"vendor":"okta","colour":1}"#,
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            "POST",
            "/_idpsim/tenants",
            r#"{"vendor":"myspace"}"#,
            StatusCode::BAD_REQUEST,
            "myspace",
        ),
        (
            "POST",
            "/_idpsim/tenants",
            r#"{"vendor":"okta","id":"../x"}"#,
            StatusCode::BAD_REQUEST,
            "tenant id",
        ),
        (
            "PUT",
            &format!("{base}/next-login"),
            r#"{"saml":{"sign":"Sideways"}}"#,
            StatusCode::BAD_REQUEST,
            "Sideways",
        ),
        (
            "PUT",
            &format!("{base}/next-login"),
            r#"{"user":"nobody@nowhere"}"#,
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "PUT",
            &format!("{base}/clock"),
            r#"{"offset_secs":"soon"}"#,
            StatusCode::BAD_REQUEST,
            "invalid type",
        ),
        (
            "PUT",
            &format!("{base}/clock"),
            r#"{"offset_secs":9223372036854775807}"#,
            StatusCode::BAD_REQUEST,
            "100 years",
        ),
        (
            "POST",
            &format!("{base}/saml-apps"),
            r#"{"sp_entity_id":"x","acs_urls":["not a url"]}"#,
            StatusCode::BAD_REQUEST,
            "not a URL",
        ),
        (
            "POST",
            &format!("{base}/oidc-clients"),
            r#"{"redirect_uris":[]}"#,
            StatusCode::BAD_REQUEST,
            "redirect_uris",
        ),
        (
            "POST",
            &format!("{base}/users"),
            r#"{"login":""}"#,
            StatusCode::BAD_REQUEST,
            "login",
        ),
        (
            "GET",
            "/_idpsim/tenants/okta/none",
            "",
            StatusCode::NOT_FOUND,
            "no tenant",
        ),
        (
            "GET",
            "/_idpsim/nothing-here",
            "",
            StatusCode::NOT_FOUND,
            "control endpoint",
        ),
    ];
    for (method, uri, body, status, needle) in cases {
        let a = send_json(&idps, method, uri, body).await;
        assert_eq!(a.status, status, "{method} {uri} {body}: {}", a.body);
        let v = json(&a);
        assert!(
            v["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{method} {uri}: {v}"
        );
    }
    let detail = json(&get(&idps, base).await);
    assert_eq!(detail["next_login"], Value::Null);
    assert_eq!(detail["clock_offset_secs"], 0);
    assert_eq!(detail["saml_apps"], 0);
    assert_eq!(detail["oidc_clients"], 0);
    assert_eq!(detail["users"], 5);
    assert_eq!(
        json(&get(&idps, "/").await)["tenants"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn users_groups_clock_keys_and_log() {
    let (idps, clock) = idps();
    make(&idps, r#"{"vendor":"okta","id":"acme","seed_users":0}"#).await;
    let base = "/_idpsim/tenants/okta/acme";
    let a = send_json(
        &idps,
        "POST",
        &format!("{base}/users"),
        r#"{"login":"bob@acme.example","groups":["eng"]}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert!(json(&a)["id"].as_str().expect("id").starts_with("00u"));
    let a = send_json(
        &idps,
        "PUT",
        &format!("{base}/groups/ml-admins/members/bob@acme.example"),
        "",
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let groups = json(&get(&idps, &format!("{base}/groups")).await);
    assert_eq!(
        groups["groups"].as_array().map(Vec::len),
        Some(3),
        "Everyone, eng, ml-admins"
    );
    let a = send_json(
        &idps,
        "PATCH",
        &format!("{base}/users/bob@acme.example"),
        r#"{"active":false}"#,
    )
    .await;
    assert_eq!(json(&a)["active"], false);

    let a = send_json(
        &idps,
        "PUT",
        &format!("{base}/clock"),
        r#"{"offset_secs":-3600}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let t = idps.tenant(Vendor::Okta, "acme").expect("t");
    assert_eq!(clock.now() - t.now(), chrono::Duration::hours(1));

    let before = json(&get(&idps, &format!("{base}/keys")).await);
    assert_eq!(before["keys"].as_array().map(Vec::len), Some(2));
    let a = send_json(
        &idps,
        "POST",
        &format!("{base}/keys/rotate"),
        r#"{"kind":"ec"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let kid = json(&a)["kid"].as_str().expect("kid").to_string();
    let after = json(&get(&idps, &format!("{base}/keys")).await);
    let keys = after["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 3, "old keys stay listed for the overlap");
    assert!(keys
        .iter()
        .any(|k| k["kid"] == kid.as_str() && k["active"] == true));

    get(&idps, "/okta/acme/nowhere").await;
    let log = json(&get(&idps, &format!("{base}/log")).await);
    let last = log["log"]
        .as_array()
        .and_then(|l| l.last())
        .expect("entry")
        .clone();
    assert_eq!(last["status"], 404);
    assert_eq!(last["path"], "/okta/acme/nowhere");
}

#[tokio::test]
async fn a_control_token_is_enforced_when_set() {
    let idps = MockIdps::new(Options {
        base_url: BASE.into(),
        clock: Arc::new(ManualClock::fixed()),
        ids: Arc::new(SeededIds::new(1)),
        control_token: Some("s3cret".into()),
    });
    let a = make(&idps, r#"{"vendor":"okta"}"#).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(json(&a)["message"].as_str().expect("m").contains("Bearer"));
    let req = |tok: &str| {
        Request::post("/_idpsim/tenants")
            .header("authorization", format!("Bearer {tok}"))
            .body(Body::from(r#"{"vendor":"okta"}"#))
            .expect("req")
    };
    assert_eq!(
        call(&idps, req("wrong")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(idps.tenants().is_empty());
    assert_eq!(call(&idps, req("s3cret")).await.status, StatusCode::CREATED);
}

mod hostile_bodies {
    //! Property test: no body makes a control route answer 5xx or panic, and a refused call
    //! leaves the tenant as it was.
    use super::*;
    use proptest::prelude::*;

    const ROUTES: &[(&str, &str)] = &[
        ("POST", "/_idpsim/tenants"),
        ("PUT", "/_idpsim/tenants/okta/p1/next-login"),
        ("PUT", "/_idpsim/tenants/okta/p1/clock"),
        ("POST", "/_idpsim/tenants/okta/p1/users"),
        ("PATCH", "/_idpsim/tenants/okta/p1/users/x"),
        ("POST", "/_idpsim/tenants/okta/p1/groups"),
        ("POST", "/_idpsim/tenants/okta/p1/saml-apps"),
        ("POST", "/_idpsim/tenants/okta/p1/oidc-clients"),
        ("POST", "/_idpsim/tenants/okta/p1/keys/rotate"),
    ];

    fn body() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,200}",
            r#"\{("[a-z_]{1,12}": ?(null|true|-?[0-9]{1,20}|"[^"\\]{0,20}"|\[\]|\{\}),? ?){0,4}\}"#,
            Just(
                r#"{"saml":{"sign":"Both","alg":"RsaSha1"},"oidc":{"claims":{"a":1}}}"#.to_string()
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn no_body_breaks_the_control_api(route in 0..ROUTES.len(), body in body()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
            rt.block_on(async {
                let (idps, _) = idps();
                let created = make(&idps, r#"{"vendor":"okta","id":"p1","seed_users":1}"#).await;
                prop_assert_eq!(created.status, StatusCode::CREATED);
                let before = get(&idps, "/_idpsim/tenants/okta/p1").await.body;
                let (method, uri) = ROUTES[route];
                let a = send_json(&idps, method, uri, &body).await;
                prop_assert!(a.status.as_u16() < 500, "{} {} {:?}: {} {}", method, uri, body, a.status, a.body);
                if a.status.is_client_error() {
                    let after = get(&idps, "/_idpsim/tenants/okta/p1").await.body;
                    prop_assert_eq!(before, after, "a refused call changed the tenant");
                }
                Ok(())
            })?;
        }
    }
}

/// `GET /` is the console for a browser and the JSON index for everything else.
#[tokio::test]
async fn the_index_is_html_for_browsers_and_json_for_curl() {
    let (idps, _) = idps();
    let browser = call(
        &idps,
        Request::get("/")
            .header(
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            )
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(browser.status, StatusCode::OK);
    assert!(browser.headers["content-type"]
        .to_str()
        .is_ok_and(|v| v.starts_with("text/html")));
    assert!(browser.body.contains("<title>idpsim console</title>"));
    assert_eq!(browser.headers["vary"], "accept");
    for accept in [None, Some("*/*"), Some("application/json")] {
        let mut req = Request::get("/");
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let a = call(&idps, req.body(Body::empty()).expect("request")).await;
        let index: serde_json::Value = serde_json::from_str(&a.body)
            .unwrap_or_else(|e| panic!("{accept:?}: not JSON ({e}): {}", a.body));
        assert!(index["tenants"].is_array(), "{accept:?}");
    }
}
