//! The OIDC provider of each vendor: a real RP library completes the code flow over a socket, and
//! router-level tests feed the endpoints bad input and check the exact refusal.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use mock_idps::control::NewOidcClient;
use mock_idps::directory::NewUser;
use mock_idps::next_login::NextLogin;
use mock_idps::personality::TokenAuth;
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::jose::{decode_unverified, verify, Jwks};
use protocols::ManualClock;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub(crate) const CLIENT: &str = "app-client";
pub(crate) const SECRET: &str = "app-secret";
pub(crate) const REDIRECT: &str = "https://app.example/callback";
pub(crate) const LOGOUT_TO: &str = "https://app.example/signed-out";
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub(crate) fn client(auth: Option<TokenAuth>) -> NewOidcClient {
    NewOidcClient {
        client_id: Some(CLIENT.into()),
        client_secret: Some(SECRET.into()),
        redirect_uris: vec![REDIRECT.into()],
        auth_method: auth,
        require_pkce: false,
        post_logout_redirect_uris: vec![LOGOUT_TO.into()],
        groups_claim: true,
    }
}

pub(crate) fn alice() -> NewUser {
    NewUser {
        login: Some("alice@acme.example".into()),
        given_name: Some("Alice".into()),
        family_name: Some("Archer".into()),
        groups: vec!["ml-admins".into(), "ml-readers".into()],
        roles: vec!["admin".into()],
        ..NewUser::default()
    }
}

/// One tenant behind a router with a pinned clock and seeded ids.
pub(crate) struct Op {
    pub(crate) idps: MockIdps,
    pub(crate) clock: ManualClock,
    pub(crate) t: SharedTenant,
}

impl Op {
    pub(crate) fn new(vendor: Vendor) -> Self {
        Self::with(vendor, Mode::Strict, vec![client(None)], vec![alice()])
    }

    pub(crate) fn with(
        vendor: Vendor,
        mode: Mode,
        clients: Vec<NewOidcClient>,
        users: Vec<NewUser>,
    ) -> Self {
        let (idps, clock) = idps();
        let t = idps
            .create_tenant(NewTenant {
                vendor: Some(vendor),
                id: Some("acme".into()),
                mode,
                seed_users: Some(0),
                users,
                oidc_clients: clients,
                ..NewTenant::default()
            })
            .expect("tenant");
        Self { idps, clock, t }
    }

    pub(crate) fn path(&self, p: &str) -> String {
        path_of(&self.t.url(p))
    }

    pub(crate) fn next_login(&self, n: NextLogin) {
        self.t.state.lock().next_login = Some(n);
    }

    pub(crate) async fn authorize(&self, params: &[(&str, &str)]) -> Answer {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let uri = format!(
            "{}?{q}",
            self.path(self.t.personality().oidc.authorize_path)
        );
        get(&self.idps, &uri).await
    }

    /// A well-formed request for `scope`, with PKCE S256, plus `extra` parameters.
    pub(crate) async fn authorize_ok(&self, scope: &str, extra: &[(&str, &str)]) -> Answer {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        self.authorize(&params).await
    }

    pub(crate) async fn code(&self, scope: &str) -> String {
        let a = self.authorize_ok(scope, &[]).await;
        let q = redirect_query(&a);
        q.get("code")
            .cloned()
            .unwrap_or_else(|| panic!("no code in {q:?}"))
    }

    pub(crate) async fn token(&self, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut req = Request::post(self.path(self.t.personality().oidc.token_path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            req = req.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
            );
        }
        call(&self.idps, req.body(Body::from(body)).expect("request")).await
    }

    /// Redeem `code` with client_secret_post and the right verifier.
    pub(crate) async fn redeem(&self, code: &str) -> Answer {
        self.token(
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await
    }

    pub(crate) async fn id_token(
        &self,
        scope: &str,
    ) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
        let code = self.code(scope).await;
        let a = self.redeem(&code).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let body: Value = serde_json::from_str(&a.body).expect("json");
        let tok = body["id_token"].as_str().expect("id_token");
        let d = decode_unverified(tok).expect("decodes");
        (
            d.header.into_iter().collect(),
            d.claims.into_iter().collect(),
        )
    }

    pub(crate) async fn userinfo(&self, bearer: &str) -> Answer {
        call(
            &self.idps,
            Request::get(self.path(self.t.personality().oidc.userinfo_path))
                .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }
}

pub(crate) fn location(a: &Answer) -> url::Url {
    assert_eq!(
        a.status,
        StatusCode::FOUND,
        "expected a redirect: {}",
        a.body
    );
    let loc = a.headers[header::LOCATION].to_str().expect("ascii");
    url::Url::parse(loc).expect("absolute URL")
}

pub(crate) fn redirect_query(a: &Answer) -> BTreeMap<String, String> {
    location(a).query_pairs().into_owned().collect()
}

pub(crate) fn error_of(a: &Answer) -> String {
    let v: Value = serde_json::from_str(&a.body).unwrap_or_else(|_| panic!("not JSON: {}", a.body));
    v["error"].as_str().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------------
// A real RP library, over a socket.

mod real_rp {
    use super::*;
    use openidconnect::core::{
        CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
    };
    use openidconnect::reqwest;
    use openidconnect::{
        AccessTokenHash, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
        Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
    };
    use protocols::{SeededIds, SystemClock};
    use std::sync::Arc;

    const RP_REDIRECT: &str = "http://127.0.0.1:9/callback";

    async fn code_flow(vendor: Vendor, auth: AuthType, scopes: &[&str]) {
        code_flow_at(vendor, None, auth, scopes).await;
    }

    /// The flow against the org server, or the custom authorization server `server`.
    async fn code_flow_at(vendor: Vendor, server: Option<&str>, auth: AuthType, scopes: &[&str]) {
        // openidconnect checks exp against the wall clock, so this server runs on it.
        let (idps, _server) =
            mock_idps::spawn_local(Arc::new(SystemClock), Arc::new(SeededIds::new(3)))
                .await
                .expect("server");
        let t = idps
            .create_tenant(NewTenant {
                vendor: Some(vendor),
                id: Some("acme".into()),
                mode: Mode::Strict,
                seed_users: Some(1),
                users: vec![alice()],
                oidc_clients: vec![NewOidcClient {
                    redirect_uris: vec![RP_REDIRECT.into()],
                    require_pkce: true,
                    ..client(None)
                }],
                ..NewTenant::default()
            })
            .expect("tenant");
        t.state.lock().next_login = Some(NextLogin {
            user: Some("alice@acme.example".into()),
            ..NextLogin::default()
        });

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let issuer_url = match server {
            Some(id) => t.url(&format!("oauth2/{id}")),
            None => t.oidc_issuer(),
        };
        let issuer = IssuerUrl::new(issuer_url.clone()).expect("issuer URL");
        let meta = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .expect("discovery");
        let rp = CoreClient::from_provider_metadata(
            meta,
            ClientId::new(CLIENT.into()),
            Some(ClientSecret::new(SECRET.into())),
        )
        .set_redirect_uri(RedirectUrl::new(RP_REDIRECT.into()).expect("redirect URL"))
        .set_auth_type(auth);

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = rp.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in scopes {
            req = req.add_scope(Scope::new((*s).into()));
        }
        let (auth_url, csrf, nonce) = req.set_pkce_challenge(challenge).url();

        let resp = http.get(auth_url).send().await.expect("authorize");
        assert_eq!(resp.status(), reqwest::StatusCode::FOUND);
        let loc = resp.headers()[reqwest::header::LOCATION]
            .to_str()
            .expect("ascii")
            .to_string();
        let loc = url::Url::parse(&loc).expect("location");
        assert!(loc.as_str().starts_with(RP_REDIRECT), "{loc}");
        let q: BTreeMap<String, String> = loc.query_pairs().into_owned().collect();
        assert_eq!(q.get("state"), Some(csrf.secret()));
        let code = q.get("code").expect("code").clone();

        let tokens = rp
            .exchange_code(AuthorizationCode::new(code))
            .expect("token endpoint")
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .expect("token exchange");
        let id_token = tokens.id_token().expect("id_token");
        let verifier = rp.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &nonce)
            .expect("id_token verifies");
        // S4: Entra's id_tokens from /token carry no at_hash; the others' must match.
        assert_eq!(
            claims.access_token_hash().is_some(),
            vendor != Vendor::Entra,
            "{vendor}"
        );
        if let Some(expected) = claims.access_token_hash() {
            let actual = AccessTokenHash::from_token(
                tokens.access_token(),
                id_token.signing_alg().expect("alg"),
                id_token.signing_key(&verifier).expect("key"),
            )
            .expect("hash");
            assert_eq!(&actual, expected);
        }
        assert_eq!(claims.issuer().as_str(), issuer_url);

        let info: CoreUserInfoClaims = rp
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .expect("userinfo endpoint")
            .request_async(&http)
            .await
            .expect("userinfo");
        assert_eq!(info.subject(), claims.subject());
        if scopes.contains(&"email") {
            assert_eq!(info.email().map(|e| e.as_str()), Some("alice@acme.example"));
        }
        let log = t.state.lock().log.clone();
        assert!(log
            .iter()
            .any(|e| e.note.starts_with("code issued to alice@acme.example")));
    }

    #[tokio::test]
    async fn okta_code_flow_with_client_secret_basic() {
        code_flow(
            Vendor::Okta,
            AuthType::BasicAuth,
            &["profile", "email", "groups"],
        )
        .await;
    }

    #[tokio::test]
    async fn okta_custom_authorization_server_code_flow() {
        code_flow_at(
            Vendor::Okta,
            Some("default"),
            AuthType::BasicAuth,
            &["profile", "email", "offline_access"],
        )
        .await;
    }

    #[tokio::test]
    async fn entra_code_flow_with_client_secret_post() {
        code_flow(Vendor::Entra, AuthType::RequestBody, &["profile", "email"]).await;
    }

    #[tokio::test]
    async fn google_code_flow_with_client_secret_post() {
        code_flow(Vendor::Google, AuthType::RequestBody, &["email", "profile"]).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery and keys.

#[tokio::test]
async fn discovery_follows_each_vendor() {
    for vendor in Vendor::ALL {
        let op = Op::new(vendor);
        let p = vendor.personality();
        let a = get(&op.idps, &op.path(p.oidc.discovery_path)).await;
        assert_eq!(a.status, StatusCode::OK);
        let d: Value = serde_json::from_str(&a.body).expect("json");
        assert_eq!(d["issuer"], op.t.oidc_issuer());
        assert_eq!(d["token_endpoint"], op.t.url(p.oidc.token_path));
        let methods: Vec<&str> = p.oidc.token_auth.iter().map(|m| m.as_str()).collect();
        assert_eq!(d["token_endpoint_auth_methods_supported"], json!(methods));
        // S9: Okta S256 only; S5: Entra does not list them; S14: Google plain and S256.
        let pkce = match vendor {
            Vendor::Okta => json!(["S256"]),
            Vendor::Entra => Value::Null,
            Vendor::Google => json!(["plain", "S256"]),
        };
        assert_eq!(d["code_challenge_methods_supported"], pkce, "{vendor}");
        assert_eq!(d["response_types_supported"], json!(["code"]));
        assert_eq!(
            d.get("end_session_endpoint").is_some(),
            p.oidc.end_session_path.is_some()
        );

        let jwks = get(&op.idps, &op.path(p.oidc.jwks_path)).await;
        let set: Jwks = serde_json::from_str(&jwks.body).expect("jwks");
        assert_eq!(set.keys.len(), p.oidc.published_keys, "{vendor}");
    }
    let okta: Value = serde_json::from_str(
        &get(
            &Op::new(Vendor::Okta).idps,
            "/okta/acme/.well-known/openid-configuration",
        )
        .await
        .body,
    )
    .expect("json");
    assert_eq!(
        okta["token_endpoint_auth_methods_supported"][0],
        "client_secret_basic"
    );
}

// ---------------------------------------------------------------------------------------------
// Authorize: what never redirects, and what does.

#[tokio::test]
async fn rfc6749_4_1_2_1_unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let op = Op::new(Vendor::Okta);
    let a = op
        .authorize(&[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", "openid"),
            ("state", "s"),
        ])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.headers.get(header::LOCATION).is_none());
    assert!(a.body.contains("not registered"), "{}", a.body);
    let note =
        op.t.state
            .lock()
            .log
            .back()
            .map(|e| e.note.clone())
            .unwrap_or_default();
    assert!(note.contains("error page"), "{note}");
}

#[tokio::test]
async fn rfc6749_4_1_2_1_unknown_client_gets_an_error_page() {
    let op = Op::new(Vendor::Entra);
    let a = op
        .authorize(&[
            ("response_type", "code"),
            ("client_id", "who-is-this"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.headers.get(header::LOCATION).is_none());
    assert!(a.body.contains("unknown client"), "{}", a.body);
    // Missing or repeated client parameters are pages too.
    let a = op
        .authorize(&[("response_type", "code"), ("redirect_uri", REDIRECT)])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = op
        .authorize(&[
            ("client_id", CLIENT),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn open_mode_takes_any_client_on_loopback_only() {
    let op = Op::with(Vendor::Okta, Mode::Open, vec![], vec![alice()]);
    let base = [
        ("response_type", "code"),
        ("client_id", "anything"),
        ("scope", "openid"),
    ];
    let mut ok = base.to_vec();
    ok.push(("redirect_uri", "http://localhost:3000/cb"));
    let code = redirect_query(&op.authorize(&ok).await)["code"].clone();
    let mut far = base.to_vec();
    far.push(("redirect_uri", "https://app.example/cb"));
    assert_eq!(op.authorize(&far).await.status, StatusCode::BAD_REQUEST);
    // Any secret will do, but some client authentication must be there.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://localhost:3000/cb"),
    ];
    let none = op.token(None, &form).await;
    assert_eq!(error_of(&none), "invalid_client");
    let ok = op.token(Some(("anything", "whatever")), &form).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test]
async fn rfc6749_4_1_2_1_later_errors_redirect_with_error_and_state() {
    let op = Op::new(Vendor::Okta);
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("response_type", "token"), ("scope", "openid")],
            "unsupported_response_type",
        ),
        (
            &[("response_type", "code"), ("scope", "profile")],
            "invalid_scope",
        ),
        (
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S512"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("code_challenge", "short"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("nonce", "a"),
                ("nonce", "b"),
            ],
            "invalid_request",
        ),
        (
            &[
                ("response_type", "code"),
                ("scope", "openid"),
                ("request", "eyJ..."),
            ],
            "request_not_supported",
        ),
    ];
    for (extra, expected) in cases {
        let mut params = vec![
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("state", "st-9"),
        ];
        params.extend_from_slice(extra);
        let a = op.authorize(&params).await;
        let u = location(&a);
        assert!(u.as_str().starts_with(REDIRECT));
        let q: BTreeMap<String, String> = u.query_pairs().into_owned().collect();
        assert_eq!(
            q.get("error").map(String::as_str),
            Some(*expected),
            "{extra:?}"
        );
        assert_eq!(q.get("state").map(String::as_str), Some("st-9"));
        assert!(q.contains_key("error_description"));
        assert!(!q.contains_key("code"));
    }
    // None of those spent a code.
    assert!(op.t.state.lock().codes.is_empty());
}

#[tokio::test]
async fn rfc7636_4_4_1_pkce_required_client_must_send_a_challenge() {
    let op = Op::with(
        Vendor::Okta,
        Mode::Strict,
        vec![NewOidcClient {
            require_pkce: true,
            ..client(None)
        }],
        vec![alice()],
    );
    let a = op
        .authorize(&[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(redirect_query(&a)["error"], "invalid_request");
}

#[tokio::test]
async fn login_hint_and_next_login_pick_the_user_and_inactive_is_denied() {
    let bob = NewUser {
        login: Some("bob@acme.example".into()),
        ..NewUser::default()
    };
    let carol = NewUser {
        login: Some("carol@acme.example".into()),
        active: Some(false),
        ..NewUser::default()
    };
    let op = Op::with(
        Vendor::Okta,
        Mode::Strict,
        vec![client(None)],
        vec![alice(), bob, carol],
    );
    let (_, c) = op.id_token("openid").await;
    let alice_id =
        op.t.state
            .lock()
            .directory
            .find("alice@acme.example")
            .map(|u| u.id.clone());
    assert_eq!(
        c["sub"].as_str(),
        alice_id.as_deref(),
        "default: first active user"
    );

    let a = op
        .authorize_ok("openid", &[("login_hint", "bob@acme.example")])
        .await;
    let code = redirect_query(&a)["code"].clone();
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let claims = decode_unverified(tok["id_token"].as_str().expect("id_token"))
        .expect("jwt")
        .claims;
    let bob_id =
        op.t.state
            .lock()
            .directory
            .find("bob@acme.example")
            .map(|u| u.id.clone());
    assert_eq!(claims["sub"].as_str(), bob_id.as_deref());

    op.next_login(NextLogin {
        user: Some("carol@acme.example".into()),
        ..NextLogin::default()
    });
    let q = redirect_query(&op.authorize_ok("openid", &[]).await);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-1");

    let q = redirect_query(
        &op.authorize_ok("openid", &[("login_hint", "nobody@acme.example")])
            .await,
    );
    assert_eq!(q["error"], "access_denied");
}

#[tokio::test]
async fn authorize_error_override_is_sent_once() {
    let op = Op::new(Vendor::Entra);
    op.next_login(NextLogin {
        oidc: mock_idps::next_login::OidcOverrides {
            authorize_error: Some("login_required".into()),
            ..Default::default()
        },
        ..NextLogin::default()
    });
    let q = redirect_query(&op.authorize_ok("openid", &[("prompt", "none")]).await);
    assert_eq!(q["error"], "login_required");
    assert_eq!(q["state"], "st-1");
    let q = redirect_query(&op.authorize_ok("openid", &[("prompt", "none")]).await);
    assert!(q.contains_key("code"), "{q:?}");
}

// ---------------------------------------------------------------------------------------------
// Token endpoint.

#[tokio::test]
async fn rfc7636_4_6_wrong_or_missing_pkce_verifier_is_invalid_grant() {
    let op = Op::new(Vendor::Okta);
    for verifier in [Some(&*"x".repeat(43)), None] {
        let code = op.code("openid").await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let a = op.token(Some((CLIENT, SECRET)), &form).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(error_of(&a), "invalid_grant", "{}", a.body);
        assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
    }
}

#[tokio::test]
async fn rfc6749_4_1_2_code_used_twice_is_invalid_grant_and_revokes_its_tokens() {
    let op = Op::new(Vendor::Okta);
    let code = op.code("openid profile").await;
    let first = op.redeem(&code).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let at = serde_json::from_str::<Value>(&first.body).expect("json")["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    assert_eq!(op.userinfo(&at).await.status, StatusCode::OK);
    let second = op.redeem(&code).await;
    assert_eq!(error_of(&second), "invalid_grant");
    assert!(op.t.state.lock().used_codes.contains_key(&code));
    assert_eq!(
        op.userinfo(&at).await.status,
        StatusCode::UNAUTHORIZED,
        "revoked"
    );
}

#[tokio::test]
async fn rfc6749_4_1_3_expired_code_and_mismatched_redirect_are_invalid_grant() {
    let op = Op::new(Vendor::Google);
    let code = op.code("openid").await;
    op.clock.advance(Duration::seconds(61));
    assert_eq!(error_of(&op.redeem(&code).await), "invalid_grant");

    let code = op.code("openid").await;
    let a = op
        .token(
            Some((CLIENT, SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://app.example/other"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(error_of(&a), "invalid_grant");
}

#[tokio::test]
async fn rfc6749_5_2_wrong_client_secret_is_invalid_client() {
    let op = Op::new(Vendor::Okta);
    let code = op.code("openid").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let basic = op.token(Some((CLIENT, "nope")), &form).await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&basic), "invalid_client");
    let challenge = basic.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii");
    assert!(challenge.starts_with("Basic realm="), "{challenge}");

    let mut post = form.to_vec();
    post.extend([("client_id", CLIENT), ("client_secret", "nope")]);
    let a = op.token(None, &post).await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "post auth failure is a 400"
    );
    assert_eq!(error_of(&a), "invalid_client");

    // A failed client authentication did not spend the code.
    assert_eq!(
        op.token(Some((CLIENT, SECRET)), &form).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn basic_and_post_auth_follow_the_registration() {
    // No method registered: either works.
    let op = Op::new(Vendor::Entra);
    let code = op.code("openid").await;
    assert_eq!(op.redeem(&code).await.status, StatusCode::OK);
    let code = op.code("openid").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(
        op.token(Some((CLIENT, SECRET)), &form).await.status,
        StatusCode::OK
    );

    // Registered for post: Basic is refused.
    let op = Op::with(
        Vendor::Okta,
        Mode::Strict,
        vec![client(Some(TokenAuth::ClientSecretPost))],
        vec![alice()],
    );
    let code = op.code("openid").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let a = op.token(Some((CLIENT, SECRET)), &form).await;
    assert_eq!(error_of(&a), "invalid_client");
    assert!(a.body.contains("client_secret_post"), "{}", a.body);
    assert_eq!(op.redeem(&code).await.status, StatusCode::OK);

    // Both methods at once is a malformed request.
    let code = op.code("openid").await;
    let mut both = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    both.push(("client_secret", SECRET));
    assert_eq!(
        error_of(&op.token(Some((CLIENT, SECRET)), &both).await),
        "invalid_request"
    );
}

#[tokio::test]
async fn rfc6749_2_3_1_basic_credentials_are_form_urlencoded() {
    let odd = "id with:colon";
    let op = Op::with(
        Vendor::Okta,
        Mode::Strict,
        vec![NewOidcClient {
            client_id: Some(odd.into()),
            client_secret: Some("s&cret=+".into()),
            ..client(None)
        }],
        vec![alice()],
    );
    let a = op
        .authorize(&[
            ("response_type", "code"),
            ("client_id", odd),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ])
        .await;
    let code = redirect_query(&a)["code"].clone();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let ok = op
        .token(
            Some((&enc(odd), &enc("s&cret=+"))),
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test]
async fn oidc_core_11_refresh_token_only_with_offline_access() {
    let op = Op::new(Vendor::Okta);
    let code = op.code("openid profile").await;
    let plain: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    assert!(plain.get("refresh_token").is_none());
    assert_eq!(plain["token_type"], "Bearer");
    assert_eq!(plain["expires_in"], 3600);
    assert_eq!(plain["scope"], "openid profile");

    let code = op.code("openid offline_access").await;
    let first: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let rt = first["refresh_token"].as_str().expect("refresh_token");
    let again = op
        .token(
            Some((CLIENT, SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let again: Value = serde_json::from_str(&again.body).expect("json");
    assert_ne!(again["access_token"], first["access_token"]);
    let claims = decode_unverified(again["id_token"].as_str().expect("id_token"))
        .expect("jwt")
        .claims;
    assert_eq!(claims["nonce"], "n-1");
    let bad = op
        .token(
            Some((CLIENT, SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", "nope")],
        )
        .await;
    assert_eq!(error_of(&bad), "invalid_grant");
    let wrong = op
        .token(Some((CLIENT, SECRET)), &[("grant_type", "password")])
        .await;
    assert_eq!(error_of(&wrong), "unsupported_grant_type");
}

// ---------------------------------------------------------------------------------------------
// Claims per vendor.

#[tokio::test]
async fn okta_groups_only_with_groups_scope_and_more_than_100_fails() {
    let plain = NewUser {
        login: Some("dave@acme.example".into()),
        ..NewUser::default()
    };
    let op = Op::with(Vendor::Okta, Mode::Strict, vec![client(None)], vec![plain]);
    let (_, c) = op.id_token("openid").await;
    assert!(!c.contains_key("groups"));
    op.next_login(NextLogin {
        extra_groups: Some(100),
        ..NextLogin::default()
    });
    let (_, c) = op.id_token("openid groups").await;
    assert_eq!(c["groups"].as_array().map(Vec::len), Some(100));
    assert_eq!(c["groups"][0], "idpsim-extra-001");

    op.next_login(NextLogin {
        extra_groups: Some(101),
        ..NextLogin::default()
    });
    let code = op.code("openid groups").await;
    let a = op.redeem(&code).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&a), "invalid_request");
    assert!(a.body.contains("101 groups"), "{}", a.body);
}

#[tokio::test]
async fn oidc_grp_1_entra_groups_overage_at_201() {
    let plain = NewUser {
        login: Some("erin@acme.example".into()),
        ..NewUser::default()
    };
    let op = Op::with(Vendor::Entra, Mode::Strict, vec![client(None)], vec![plain]);
    op.next_login(NextLogin {
        extra_groups: Some(200),
        ..NextLogin::default()
    });
    let (_, c) = op.id_token("openid").await;
    assert_eq!(c["groups"].as_array().map(Vec::len), Some(200));
    assert_eq!(
        c["groups"][0].as_str().map(str::len),
        Some(36),
        "object ids"
    );

    op.next_login(NextLogin {
        extra_groups: Some(201),
        ..NextLogin::default()
    });
    let (_, c) = op.id_token("openid").await;
    assert!(!c.contains_key("groups"));
    assert_eq!(c["_claim_names"], json!({"groups": "src1"}));
    let oid = c["oid"].as_str().expect("oid");
    assert_eq!(
        c["_claim_sources"]["src1"]["endpoint"],
        format!("https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects")
    );
}

#[tokio::test]
async fn next_login_claim_override_shows_once() {
    let op = Op::new(Vendor::Okta);
    let mut n = NextLogin::default();
    n.oidc
        .claims
        .insert("iss".into(), json!("https://evil.example"));
    n.oidc.remove_claims.push("nonce".into());
    n.oidc
        .userinfo_claims
        .insert("email".into(), json!("mallory@evil.example"));
    op.next_login(n);
    let code = op.code("openid email").await;
    assert!(
        op.t.state.lock().next_login.is_none(),
        "consumed by the authorization"
    );
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let c = decode_unverified(tok["id_token"].as_str().expect("id_token"))
        .expect("jwt")
        .claims;
    assert_eq!(c["iss"], "https://evil.example");
    assert!(!c.contains_key("nonce"));
    let ui: Value = serde_json::from_str(
        &op.userinfo(tok["access_token"].as_str().expect("at"))
            .await
            .body,
    )
    .expect("json");
    assert_eq!(
        ui["email"], "mallory@evil.example",
        "the token keeps its login's overrides"
    );

    let (_, c) = op.id_token("openid").await;
    assert_eq!(c["iss"], op.t.oidc_issuer().as_str());
    assert_eq!(c["nonce"], "n-1");
}

#[tokio::test]
async fn signing_overrides_foreign_key_and_no_kid() {
    let op = Op::new(Vendor::Google);
    op.next_login(NextLogin {
        oidc: mock_idps::next_login::OidcOverrides {
            signing_key: Some(mock_idps::next_login::KeyChoice::Foreign),
            omit_kid: true,
            ..Default::default()
        },
        ..NextLogin::default()
    });
    let code = op.code("openid").await;
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let jwt = tok["id_token"].as_str().expect("id_token");
    let keys = op.t.state.lock().keys.all().to_vec();
    let jwks = Jwks::from_keys(&keys).expect("jwks");
    assert!(decode_unverified(jwt)
        .expect("jwt")
        .header
        .get("kid")
        .is_none());
    assert!(
        verify(jwt, &jwks, &["RS256"]).is_err(),
        "not signed by a published key"
    );

    let code = op.code("openid").await;
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    verify(
        tok["id_token"].as_str().expect("id_token"),
        &jwks,
        &["RS256"],
    )
    .expect("published key");
}

// ---------------------------------------------------------------------------------------------
// Userinfo and end-session.

#[tokio::test]
async fn oidc_core_5_3_userinfo_matches_id_token_and_refuses_bad_tokens() {
    let op = Op::new(Vendor::Entra);
    let code = op.code("openid profile email").await;
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let c = decode_unverified(tok["id_token"].as_str().expect("id_token"))
        .expect("jwt")
        .claims;
    let at = tok["access_token"].as_str().expect("at");
    let ui = op.userinfo(at).await;
    assert_eq!(ui.status, StatusCode::OK);
    let ui: Value = serde_json::from_str(&ui.body).expect("json");
    assert_eq!(ui["sub"], c["sub"]);
    assert_eq!(ui["email"], "alice@acme.example");

    let bad = op.userinfo("not-a-token").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let challenge = bad.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");

    op.clock.advance(Duration::minutes(76));
    let expired = op.userinfo(at).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii")
        .contains("invalid_token"));

    let none = get(&op.idps, &op.path(op.t.personality().oidc.userinfo_path)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.headers.contains_key(header::WWW_AUTHENTICATE));
}

#[tokio::test]
async fn end_session_redirects_only_to_registered_uris() {
    let op = Op::new(Vendor::Okta);
    let (_, _) = op.id_token("openid").await;
    let code = op.code("openid").await;
    let tok: Value = serde_json::from_str(&op.redeem(&code).await.body).expect("json");
    let hint = tok["id_token"].as_str().expect("id_token");
    let logout = op.path(
        op.t.personality()
            .oidc
            .end_session_path
            .expect("okta logs out"),
    );
    let q = |target: &str, hint: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("id_token_hint", hint),
                ("post_logout_redirect_uri", target),
                ("state", "bye"),
            ])
            .finish()
    };
    let a = get(&op.idps, &format!("{logout}?{}", q(LOGOUT_TO, hint))).await;
    assert_eq!(location(&a).as_str(), format!("{LOGOUT_TO}?state=bye"));
    let a = get(
        &op.idps,
        &format!("{logout}?{}", q("https://evil.example/", hint)),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Signed out"));
    let a = get(&op.idps, &format!("{logout}?{}", q(LOGOUT_TO, "garbage"))).await;
    assert_eq!(a.status, StatusCode::OK, "a bad hint: no redirect");
    assert!(a.headers.get(header::LOCATION).is_none());
    // Google has no end-session endpoint.
    let g = Op::new(Vendor::Google);
    assert_eq!(
        get(&g.idps, "/google/acme/oauth2/v1/logout").await.status,
        StatusCode::NOT_FOUND
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input never panics.

#[tokio::test]
async fn malformed_input_is_refused_cleanly() {
    let op = Op::new(Vendor::Okta);
    let authz = op.path(op.t.personality().oidc.authorize_path);
    let token = op.path(op.t.personality().oidc.token_path);
    // Non-UTF-8 after percent-decoding.
    let a = get(
        &op.idps,
        &format!("{authz}?client_id=%ff%fe&redirect_uri={REDIRECT}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // A huge value.
    let huge = "x".repeat(10_000);
    let a = get(
        &op.idps,
        &format!("{authz}?client_id={CLIENT}&redirect_uri={REDIRECT}&state={huge}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // A body over the limit.
    let big = call(
        &op.idps,
        Request::post(&token)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(vec![b'a'; 200_000]))
            .expect("request"),
    )
    .await;
    assert_eq!(error_of(&big), "invalid_request");
    // JSON instead of a form.
    let a = call(
        &op.idps,
        Request::post(&token)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"grant_type\":\"authorization_code\"}"))
            .expect("request"),
    )
    .await;
    assert_eq!(error_of(&a), "invalid_request");
    // Garbage Basic credentials.
    let a = call(
        &op.idps,
        Request::post(&token)
            .header(header::AUTHORIZATION, "Basic %%%")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // Wrong method.
    assert_eq!(
        get(&op.idps, &token).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let head = call(
        &op.idps,
        Request::head(&authz).body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(
        head.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "HEAD must not mint a code"
    );
    // Non-ASCII bytes in a header.
    let a = call(
        &op.idps,
        Request::get(op.path(op.t.personality().oidc.userinfo_path))
            .header(
                header::AUTHORIZATION,
                axum::http::HeaderValue::from_bytes(b"Bearer \xff\xfe").expect("header"),
            )
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Authorize by POST works like GET.
    let a = post_form(
        &op.idps,
        &authz,
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
        ],
    )
    .await;
    assert!(redirect_query(&a).contains_key("code"));
}

// ---------------------------------------------------------------------------------------------
// Snapshots of what each vendor signs, with the clock and ids pinned.

#[tokio::test]
async fn id_token_snapshots() {
    for vendor in Vendor::ALL {
        let op = Op::new(vendor);
        let (header, claims) = op.id_token("openid profile email groups").await;
        insta::assert_json_snapshot!(
            format!("id_token_{vendor}"),
            json!({"header": header, "claims": claims})
        );
    }
}
