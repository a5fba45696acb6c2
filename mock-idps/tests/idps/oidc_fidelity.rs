//! Vendor fidelity of the OIDC artefacts: the structural facts of the vendor audit
//! (shared/reference/vendor-audit.md), each assertion naming its source (S-number), plus the
//! surfaces added for them (Okta custom authorization servers, Google offline access, response
//! modes) with their refusals.

use crate::common::*;
use crate::oidc::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mock_idps::control::NewOidcClient;
use mock_idps::next_login::NextLogin;
use mock_idps::{Mode, Vendor};
use protocols::jose::{decode_unverified, x5t, Jwks};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn keys(v: &BTreeMapValue) -> BTreeSet<&str> {
    v.keys().map(String::as_str).collect()
}

type BTreeMapValue = std::collections::BTreeMap<String, Value>;

fn set(items: &[&'static str]) -> BTreeSet<&'static str> {
    items.iter().copied().collect()
}

/// A path under the tenant, or an absolute one (`/entra/common/…`).
fn full(op: &Op, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        op.path(path)
    }
}

async fn json_at(op: &Op, path: &str) -> (StatusCode, Value) {
    let a = get(&op.idps, &op.path(path)).await;
    let v = serde_json::from_str(&a.body).unwrap_or(Value::Null);
    (a.status, v)
}

async fn authorize_at(op: &Op, path: &str, extra: &[(&str, &str)]) -> Answer {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    get(&op.idps, &format!("{}?{q}", full(op, path))).await
}

async fn redeem_at(op: &Op, path: &str, code: &str) -> Answer {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .finish();
    call(
        &op.idps,
        Request::post(full(op, path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(format!("{CLIENT}:{SECRET}"))),
            )
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

async fn userinfo_at(op: &Op, path: &str, bearer: &str) -> Answer {
    call(
        &op.idps,
        Request::get(full(op, path))
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

fn tokens(a: &Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    serde_json::from_str(&a.body).expect("json")
}

fn claims_of(jwt: &Value) -> BTreeMapValue {
    decode_unverified(jwt.as_str().expect("a JWT"))
        .expect("decodes")
        .claims
        .into_iter()
        .collect()
}

fn without_groups_setting() -> NewOidcClient {
    NewOidcClient {
        groups_claim: false,
        ..client(None)
    }
}

// ---------------------------------------------------------------------------------------------
// Regression guard: one test per vendor against the audit's structural facts.

#[tokio::test]
async fn guard_okta_oidc_artefacts() {
    let op = Op::new(Vendor::Okta);
    let (_, d) = json_at(&op, ".well-known/openid-configuration").await;
    let base = op.t.url("");
    assert_eq!(d["issuer"], base, "S9: org server issuer is the org URL");
    for (k, p) in [
        ("authorization_endpoint", "oauth2/v1/authorize"),
        ("token_endpoint", "oauth2/v1/token"),
        ("userinfo_endpoint", "oauth2/v1/userinfo"),
        ("jwks_uri", "oauth2/v1/keys"),
        ("end_session_endpoint", "oauth2/v1/logout"),
    ] {
        assert_eq!(d[k], op.t.url(p), "S9: org server {k}");
    }
    assert_eq!(
        d["code_challenge_methods_supported"],
        json!(["S256"]),
        "S9: Okta offers S256 only"
    );
    for m in ["query", "fragment", "form_post"] {
        assert!(
            d["response_modes_supported"]
                .as_array()
                .is_some_and(|a| a.contains(&json!(m))),
            "S9: response mode {m}"
        );
    }

    let (_, jwks) = json_at(&op, "oauth2/v1/keys").await;
    for k in jwks["keys"].as_array().expect("keys") {
        assert!(k.get("x5c").is_none(), "S9/S10: Okta JWKS has no x5c: {k}");
        assert!(k.get("x5t").is_none(), "S9/S10: Okta JWKS has no x5t: {k}");
        let kid = k["kid"].as_str().unwrap_or_default();
        assert!(
            kid.len() == 43
                && kid
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "S10: a kid of 43 base64url characters, not {kid}"
        );
    }

    // S10: the org-AS id_token's claims (profile/email scopes), no groups without a filter.
    let op = Op::with(
        Vendor::Okta,
        Mode::Strict,
        vec![without_groups_setting()],
        vec![alice()],
    );
    let (header, c) = op.id_token("openid profile email groups").await;
    assert!(header.contains_key("kid"), "S10: RS256 with kid");
    let must = set(&[
        "sub",
        "name",
        "email",
        "ver",
        "iss",
        "aud",
        "iat",
        "exp",
        "jti",
        "amr",
        "idp",
        "preferred_username",
        "auth_time",
        "at_hash",
    ]);
    assert!(
        must.is_subset(&keys(&c)),
        "S10: org-AS id_token claims, missing {:?}",
        must.difference(&keys(&c)).collect::<Vec<_>>()
    );
    assert!(
        !c.contains_key("groups"),
        "S10: scope groups alone gives no groups claim"
    );
    assert!(c["jti"].as_str().is_some_and(|j| j.starts_with("ID.")));
    for k in ["given_name", "family_name"] {
        assert!(
            !c.contains_key(k),
            "S10: the thin id_token from /token has no {k}: {c:?}"
        );
    }

    // S10: the access token is a JWT with ver, jti "AT.", cid, uid, scp.
    let code = op.code("openid profile").await;
    let t = tokens(&op.redeem(&code).await);
    let bearer = t["access_token"].as_str().expect("access token");
    let ui = userinfo_at(&op, "oauth2/v1/userinfo", bearer).await;
    let ui: Value = tokens(&ui);
    assert_eq!(
        (ui["given_name"].as_str(), ui["family_name"].as_str()),
        (Some("Alice"), Some("Archer")),
        "userinfo still releases the profile scope's names: {ui}"
    );
    let at = claims_of(&t["access_token"]);
    for k in ["ver", "jti", "cid", "uid", "scp", "iss", "aud", "exp"] {
        assert!(at.contains_key(k), "S10: access token claim {k}: {at:?}");
    }
    assert!(at["jti"].as_str().is_some_and(|j| j.starts_with("AT.")));
    assert_eq!(at["cid"], CLIENT, "S10: cid is the client");
    assert_eq!(at["aud"], base, "S10: org-AS access token audience");
}

#[tokio::test]
async fn guard_entra_oidc_artefacts() {
    let op = Op::new(Vendor::Entra);
    let (_, d) = json_at(&op, "v2.0/.well-known/openid-configuration").await;
    assert_eq!(d["issuer"], op.t.url("v2.0"), "S4/S15: v2 issuer");
    assert!(
        d.get("code_challenge_methods_supported").is_none(),
        "S5: Entra's discovery omits code_challenge_methods_supported"
    );
    assert_eq!(
        d["response_modes_supported"],
        json!(["query", "fragment", "form_post"]),
        "S5"
    );
    assert_eq!(d["subject_types_supported"], json!(["pairwise"]), "S5");
    for c in [
        "cloud_instance_name",
        "msgraph_host",
        "acr",
        "c_hash",
        "tid",
    ] {
        assert!(
            d["claims_supported"]
                .as_array()
                .is_some_and(|a| a.contains(&json!(c))),
            "S5: claims_supported lists {c}"
        );
    }

    let (_, jwks) = json_at(&op, "discovery/v2.0/keys").await;
    let set_: Jwks = serde_json::from_value(jwks).expect("jwks");
    for k in &set_.keys {
        assert!(k.x5c.is_some(), "S4: Entra keys carry x5c");
        assert_eq!(k.kid, k.x5t, "S4: Entra's kid equals its x5t");
    }
    let active = op.t.state.lock().keys.active().clone();
    assert_eq!(active.kid(), x5t(&active), "S4: the signing key too");

    let (header, c) = op.id_token("openid profile email").await;
    assert_eq!(header["kid"], json!(x5t(&active)), "S4: header kid = x5t");
    for k in ["nbf", "aio", "rh", "sid", "tid", "oid", "uti", "ver"] {
        assert!(c.contains_key(k), "S4: v2 id_token claim {k}: {c:?}");
    }
    assert_eq!(c["nbf"], c["iat"], "S4: nbf");
    assert!(
        !c.contains_key("at_hash"),
        "S4: at_hash isn't returned on ID tokens from /token"
    );
    assert!(c.contains_key("groups"), "the client has groups configured");
    let code = op.code("openid profile email").await;
    let t = tokens(&op.redeem(&code).await);
    assert_eq!(
        t["ext_expires_in"], t["expires_in"],
        "audit Entra id_token row: the token response carries ext_expires_in"
    );

    let op = Op::with(
        Vendor::Entra,
        Mode::Strict,
        vec![without_groups_setting()],
        vec![alice()],
    );
    let (_, c) = op.id_token("openid profile email").await;
    assert!(
        !c.contains_key("groups"),
        "S2/S4: no groups claim until groupMembershipClaims is set"
    );
}

#[tokio::test]
async fn guard_google_oidc_artefacts() {
    let op = Op::new(Vendor::Google);
    let (_, d) = json_at(&op, ".well-known/openid-configuration").await;
    assert_eq!(
        d["code_challenge_methods_supported"],
        json!(["plain", "S256"]),
        "S14"
    );
    assert!(
        d.get("response_modes_supported").is_none(),
        "S14: Google's discovery has no response_modes_supported"
    );
    assert_eq!(
        d["claims_supported"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect::<BTreeSet<_>>()),
        Some(set(&[
            "aud",
            "email",
            "email_verified",
            "exp",
            "family_name",
            "given_name",
            "iat",
            "iss",
            "name",
            "picture",
            "sub"
        ])),
        "S14: claims_supported"
    );
    let (_, jwks) = json_at(&op, "oauth2/v3/certs").await;
    for k in jwks["keys"].as_array().expect("keys") {
        assert!(k.get("x5c").is_none(), "S14: Google JWKS has no x5c: {k}");
        let kid = k["kid"].as_str().unwrap_or_default();
        assert!(
            kid.len() == 40 && kid.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            "audit Google JWKS row: a kid of 40 lowercase hex digits, not {kid}"
        );
    }

    let code = op.code("openid email profile").await;
    let t = tokens(&op.redeem(&code).await);
    assert_eq!(
        t["expires_in"], 3599,
        "audit Google token row: expires_in 3599"
    );
    assert!(
        t.get("ext_expires_in").is_none(),
        "only Entra sends ext_expires_in"
    );
    let c = claims_of(&t["id_token"]);
    assert_eq!(c["azp"], CLIENT, "S14: azp is always present");
    assert_eq!(c["email_verified"], true, "S14");
    assert!(c.contains_key("hd"), "S14: hd");
    let ui = op.userinfo(t["access_token"].as_str().expect("at")).await;
    let ui: Value = serde_json::from_str(&ui.body).expect("json");
    assert_eq!(ui["email_verified"], true, "S14: userinfo email_verified");
    assert_eq!(ui["hd"], c["hd"], "S14: userinfo hd");
    assert!(
        ui["picture"]
            .as_str()
            .is_some_and(|p| p.starts_with("https://lh3.googleusercontent.com/")),
        "S14: userinfo picture: {ui}"
    );
    assert!(t.get("refresh_token").is_none(), "S14: online by default");
}

// ---------------------------------------------------------------------------------------------
// Okta custom authorization servers (S9).

#[tokio::test]
async fn okta_default_custom_server_has_its_own_issuer_and_endpoints() {
    let op = Op::new(Vendor::Okta);
    let iss = op.t.url("oauth2/default");
    let (status, d) = json_at(&op, "oauth2/default/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["issuer"], iss, "S9: custom server issuer");
    for (k, p) in [
        ("authorization_endpoint", "v1/authorize"),
        ("token_endpoint", "v1/token"),
        ("userinfo_endpoint", "v1/userinfo"),
        ("jwks_uri", "v1/keys"),
        ("end_session_endpoint", "v1/logout"),
    ] {
        assert_eq!(d[k], format!("{iss}/{p}"), "S9: {k}");
    }
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]), "S9");
    assert!(
        !d["scopes_supported"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("groups"))),
        "S9: the default server has no groups scope"
    );
    let (status, m) = json_at(&op, "oauth2/default/.well-known/oauth-authorization-server").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["issuer"], iss);
    assert_eq!(m["token_endpoint"], d["token_endpoint"]);
    assert!(m.get("userinfo_endpoint").is_none(), "RFC 8414 metadata");
    // The org server is still there, unchanged.
    let (_, org) = json_at(&op, ".well-known/openid-configuration").await;
    assert_eq!(org["issuer"], op.t.url(""));

    // A code from the default server, redeemed there: JWT access token for api://default.
    let a = authorize_at(
        &op,
        "oauth2/default/v1/authorize",
        &[("scope", "openid profile")],
    )
    .await;
    let code = redirect_query(&a)["code"].clone();
    // Not at the org server: refused, and the code stays good where it was issued.
    let wrong = redeem_at(&op, "oauth2/v1/token", &code).await;
    assert_eq!(error_of(&wrong), "invalid_grant", "{}", wrong.body);
    let t = tokens(&redeem_at(&op, "oauth2/default/v1/token", &code).await);
    let idt = claims_of(&t["id_token"]);
    assert_eq!(idt["iss"], iss);
    let at = claims_of(&t["access_token"]);
    assert_eq!(at["iss"], iss);
    assert_eq!(at["aud"], "api://default", "S9: default server audience");
    assert_eq!(at["scp"], json!(["openid", "profile"]));
    let bearer = t["access_token"].as_str().expect("at");
    let ui = userinfo_at(&op, "oauth2/default/v1/userinfo", bearer).await;
    assert_eq!(ui.status, StatusCode::OK, "{}", ui.body);
    let org_ui = userinfo_at(&op, "oauth2/v1/userinfo", bearer).await;
    assert_eq!(org_ui.status, StatusCode::UNAUTHORIZED, "{}", org_ui.body);
}

#[tokio::test]
async fn okta_unknown_authorization_server_is_404_and_changes_nothing() {
    let op = Op::new(Vendor::Okta);
    let next = NextLogin {
        user: Some("alice@acme.example".into()),
        ..NextLogin::default()
    };
    op.next_login(next.clone());
    for path in [
        "oauth2/nope/.well-known/openid-configuration",
        "oauth2/nope/v1/keys",
        "oauth2/nope/v1/authorize",
    ] {
        let a = get(&op.idps, &op.path(path)).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.body);
        let v: Value = serde_json::from_str(&a.body).expect("OAuth-style JSON");
        assert_eq!(v["error"], "not_found");
        assert!(v["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("\"nope\"")));
    }
    let a = authorize_at(&op, "oauth2/nope/v1/authorize", &[("scope", "openid")]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let st = op.t.state.lock();
    assert_eq!(st.next_login.as_ref(), Some(&next), "next login not spent");
    assert!(st.codes.is_empty(), "no code minted");
}

#[tokio::test]
async fn okta_refuses_plain_pkce_and_a_missing_method() {
    let op = Op::new(Vendor::Okta);
    for method in [Some("plain"), None] {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "s"),
            ("code_challenge", VERIFIER),
        ];
        if let Some(m) = method {
            params.push(("code_challenge_method", m));
        }
        let q = redirect_query(&op.authorize(&params).await);
        assert_eq!(q["error"], "invalid_request", "S9: {method:?}");
        assert!(q["error_description"].contains("S256"), "{q:?}");
    }
    assert!(op.t.state.lock().codes.is_empty());
    // Entra and Google take plain.
    for v in [Vendor::Entra, Vendor::Google] {
        let op = Op::new(v);
        let a = op
            .authorize(&[
                ("response_type", "code"),
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("code_challenge", VERIFIER),
                ("code_challenge_method", "plain"),
            ])
            .await;
        assert!(redirect_query(&a).contains_key("code"), "{v}");
    }
}

// ---------------------------------------------------------------------------------------------
// Google offline access (S14) and the other vendors' answer to access_type.

#[tokio::test]
async fn google_refresh_token_needs_access_type_offline_and_consent() {
    let op = Op::new(Vendor::Google);
    let run = |extra: &'static [(&'static str, &'static str)]| {
        let op = &op;
        async move {
            let a = op.authorize_ok("openid email", extra).await;
            let code = redirect_query(&a)["code"].clone();
            tokens(&op.redeem(&code).await)
        }
    };
    let offline = run(&[("access_type", "offline"), ("prompt", "consent")]).await;
    let rt = offline["refresh_token"].as_str().expect("refresh_token");
    let again = op
        .token(
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(run(&[("access_type", "offline")])
        .await
        .get("refresh_token")
        .is_none());
    assert!(run(&[("access_type", "online"), ("prompt", "consent")])
        .await
        .get("refresh_token")
        .is_none());
    // Google's own scope list has no offline_access: it is dropped, no refresh token.
    let a = op.authorize_ok("openid offline_access", &[]).await;
    let t = tokens(&op.redeem(&redirect_query(&a)["code"]).await);
    assert!(t.get("refresh_token").is_none());

    let before = op.t.state.lock().codes.len();
    let bad = op
        .authorize_ok("openid", &[("access_type", "forever")])
        .await;
    let q = redirect_query(&bad);
    assert_eq!(q["error"], "invalid_request");
    assert!(q["error_description"].contains("access_type"), "{q:?}");
    assert_eq!(q["state"], "st-1");
    assert_eq!(op.t.state.lock().codes.len(), before, "no code minted");
}

#[tokio::test]
async fn okta_and_entra_ignore_access_type() {
    // RFC 6749 3.1: unknown parameters are ignored; refresh tokens follow offline_access.
    for v in [Vendor::Okta, Vendor::Entra] {
        let op = Op::new(v);
        let a = op
            .authorize_ok(
                "openid",
                &[("access_type", "offline"), ("prompt", "consent")],
            )
            .await;
        let t = tokens(&op.redeem(&redirect_query(&a)["code"]).await);
        assert!(t.get("refresh_token").is_none(), "{v}");
        let a = op
            .authorize_ok("openid offline_access", &[("access_type", "bogus")])
            .await;
        let t = tokens(&op.redeem(&redirect_query(&a)["code"]).await);
        assert!(t.get("refresh_token").is_some(), "{v}");
    }
}

// ---------------------------------------------------------------------------------------------
// Response modes.

#[tokio::test]
async fn form_post_and_fragment_where_the_vendor_offers_them() {
    for v in [Vendor::Okta, Vendor::Entra] {
        let op = Op::new(v);
        let a = op
            .authorize_ok("openid", &[("response_mode", "form_post")])
            .await;
        assert_eq!(a.status, StatusCode::OK, "{v}: {}", a.body);
        assert!(a.headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/html")));
        assert!(
            a.body
                .contains(&format!("<form method=\"post\" action=\"{REDIRECT}\">")),
            "{v}: {}",
            a.body
        );
        assert!(a.body.contains("name=\"code\""), "{}", a.body);
        assert!(
            a.body.contains("name=\"state\" value=\"st-1\""),
            "{}",
            a.body
        );
        // The posted code redeems like any other.
        let code = a
            .body
            .split("name=\"code\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("code field")
            .to_string();
        tokens(&op.redeem(&code).await);
    }
    for v in Vendor::ALL {
        let op = Op::new(v);
        let a = op
            .authorize_ok("openid", &[("response_mode", "fragment")])
            .await;
        let loc = location(&a);
        assert!(loc.query().is_none(), "{v}: {loc}");
        let frag: std::collections::BTreeMap<String, String> =
            url::form_urlencoded::parse(loc.fragment().expect("fragment").as_bytes())
                .into_owned()
                .collect();
        assert!(frag.contains_key("code"), "{v}");
        assert_eq!(frag["state"], "st-1");
    }
    // Errors travel in the mode asked for.
    let op = Op::new(Vendor::Entra);
    let a = op
        .authorize_ok("email", &[("response_mode", "form_post")])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.body.contains("name=\"error\" value=\"invalid_scope\""),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn unsupported_response_mode_is_refused_at_the_redirect_uri() {
    // Google's code flow offers query and fragment only (S14: no response_modes_supported).
    let op = Op::new(Vendor::Google);
    for mode in ["form_post", "okta_post_message", "nonsense"] {
        let a = op.authorize_ok("openid", &[("response_mode", mode)]).await;
        let q = redirect_query(&a);
        assert_eq!(q["error"], "invalid_request", "{mode}");
        assert!(q["error_description"].contains("response_mode"), "{q:?}");
    }
    assert!(op.t.state.lock().codes.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Entra's v1.0 and multi-tenant endpoints (S4, S5, S15).

#[tokio::test]
async fn entra_v1_and_multi_tenant_endpoints() {
    let op = Op::new(Vendor::Entra);
    let (status, v1) = json_at(&op, ".well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v1["issuer"], "https://sts.windows.net/acme/",
        "S15: v1 issuer"
    );
    assert_eq!(v1["token_endpoint"], op.t.url("oauth2/token"));
    assert_eq!(v1["jwks_uri"], op.t.url("discovery/keys"));
    let a = authorize_at(&op, "oauth2/authorize", &[("scope", "openid")]).await;
    let code = redirect_query(&a)["code"].clone();
    let t = tokens(&redeem_at(&op, "oauth2/token", &code).await);
    let h = decode_unverified(t["id_token"].as_str().expect("jwt")).expect("decodes");
    assert_eq!(h.claims["ver"], "1.0");
    assert_eq!(h.claims["iss"], "https://sts.windows.net/acme/");
    assert_eq!(h.header["x5t"], h.header["kid"], "S15: kid and x5t in v1");

    for segment in ["common", "organizations"] {
        let a = get(
            &op.idps,
            &format!("/entra/{segment}/v2.0/.well-known/openid-configuration"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let d: Value = serde_json::from_str(&a.body).expect("json");
        assert_eq!(
            d["issuer"],
            format!("{BASE}/entra/{{tenantid}}/v2.0"),
            "S5: multi-tenant issuer template"
        );
        assert_eq!(
            d["authorization_endpoint"],
            format!("{BASE}/entra/{segment}/oauth2/v2.0/authorize")
        );
    }
    let a = get(&op.idps, "/entra/common/.well-known/openid-configuration").await;
    let d: Value = serde_json::from_str(&a.body).expect("json");
    assert_eq!(d["issuer"], "https://sts.windows.net/{tenantid}/");
    let keys = get(&op.idps, "/entra/common/discovery/v2.0/keys").await;
    let set_: Jwks = serde_json::from_str(&keys.body).expect("jwks");
    assert!(set_.keys.iter().all(|k| k.kid == k.x5t), "S4");

    // A sign-in through /common lands in the client's tenant, with that tenant's issuer.
    let a = authorize_at(
        &op,
        "/entra/common/oauth2/v2.0/authorize",
        &[("scope", "openid")],
    )
    .await;
    let code = redirect_query(&a)["code"].clone();
    let t = tokens(&redeem_at(&op, "/entra/common/oauth2/v2.0/token", &code).await);
    assert_eq!(claims_of(&t["id_token"])["iss"], op.t.oidc_issuer());
    let ui = userinfo_at(
        &op,
        "/entra/common/oidc/userinfo",
        t["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(ui.status, StatusCode::OK, "{}", ui.body);
    // A client no tenant knows: an error page, nothing minted.
    let before = op.t.state.lock().codes.len();
    let a = get(
        &op.idps,
        "/entra/common/oauth2/v2.0/authorize?client_id=stranger&redirect_uri=https%3A%2F%2Fx.example&response_type=code&scope=openid",
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(op.t.state.lock().codes.len(), before);
}
