//! The RP against the mock IdPs over real sockets: a full code flow per vendor, then one
//! hostile OP behaviour per test. The mock's clock and the RP's `now` are the same ManualClock.

use super::*;
use crate::flaws::Flaw;
use mock_idps::control::NewOidcClient;
use mock_idps::directory::NewUser;
use mock_idps::next_login::{KeyChoice, NextLogin, OidcOverrides};
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::{Clock, KeyKind, ManualClock, SeededIds};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const CLIENT: &str = "sp-client";
const SECRET: &str = "sp-secret";
const REDIRECT: &str = "https://sp.example/oidc/callback";
const ALICE: &str = "alice@acme.example";

struct World {
    _idps: MockIdps,
    clock: ManualClock,
    ids: SeededIds,
    t: SharedTenant,
    cfg: OidcRpConfig,
    rp: OidcRp,
    /// The browser: follows nothing, so the test reads the code from Location.
    browser: reqwest::Client,
}

async fn world(vendor: Vendor) -> World {
    let clock = ManualClock::fixed();
    let (idps, _server) =
        mock_idps::spawn_local(Arc::new(clock.clone()), Arc::new(SeededIds::new(11)))
            .await
            .expect("mock idps");
    let t = idps
        .create_tenant(NewTenant {
            vendor: Some(vendor),
            id: Some("acme".into()),
            mode: Mode::Strict,
            seed_users: Some(0),
            users: vec![NewUser {
                login: Some(ALICE.into()),
                given_name: Some("Alice".into()),
                family_name: Some("Archer".into()),
                groups: vec!["ml-admins".into()],
                ..NewUser::default()
            }],
            oidc_clients: vec![NewOidcClient {
                client_id: Some(CLIENT.into()),
                client_secret: Some(SECRET.into()),
                redirect_uris: vec![REDIRECT.into()],
                auth_method: None,
                require_pkce: true,
                post_logout_redirect_uris: vec![],
                groups_claim: true,
            }],
            ..NewTenant::default()
        })
        .expect("tenant");
    let cfg = OidcRpConfig::new(t.oidc_issuer(), CLIENT, SECRET, REDIRECT);
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    World {
        _idps: idps,
        clock,
        ids: SeededIds::new(5),
        t,
        cfg,
        rp: OidcRp::new(reqwest::Client::new()),
        browser,
    }
}

impl World {
    fn next_login(&self, oidc: OidcOverrides) {
        self.t.state.lock().next_login = Some(NextLogin {
            oidc,
            ..NextLogin::default()
        });
    }

    /// begin, then the browser at the OP: the callback query and the pending login.
    async fn to_callback(&self) -> (BTreeMap<String, String>, PendingOidc) {
        let (url, pending) = self
            .rp
            .begin(&self.cfg, &self.ids, self.clock.now(), Some(ALICE))
            .await
            .expect("begin");
        let resp = self.browser.get(&url).send().await.expect("authorize");
        assert_eq!(resp.status(), reqwest::StatusCode::FOUND, "{url}");
        let loc = resp.headers()[reqwest::header::LOCATION]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(loc.starts_with(REDIRECT), "{loc}");
        let loc = url::Url::parse(&loc).expect("location");
        (loc.query_pairs().into_owned().collect(), pending)
    }

    async fn complete(
        &self,
        q: &BTreeMap<String, String>,
        pending: &PendingOidc,
        flaws: &Flaws,
    ) -> Result<AcceptedIdToken, OidcRejection> {
        self.rp
            .complete(&self.cfg, pending, q, flaws, self.clock.now())
            .await
    }

    async fn login_with(&self, flaws: &Flaws) -> Result<AcceptedIdToken, OidcRejection> {
        let (q, pending) = self.to_callback().await;
        self.complete(&q, &pending, flaws).await
    }

    async fn login(&self) -> Result<AcceptedIdToken, OidcRejection> {
        self.login_with(&Flaws::none()).await
    }

    fn jwks_fetches(&self) -> usize {
        self.t
            .state
            .lock()
            .log
            .iter()
            .filter(|e| e.note.starts_with("JWKS"))
            .count()
    }
}

fn claims(pairs: Value) -> Map<String, Value> {
    match pairs {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

async fn full_flow(vendor: Vendor) {
    let w = world(vendor).await;
    let a = w.login().await.expect("accepted");
    assert_eq!(a.issuer(), w.t.oidc_issuer());
    assert!(!a.subject().is_empty());
    assert!(a.danger_flaws_used().is_empty());
    // S4: Entra's id_tokens from /token carry no at_hash (optional in the code flow).
    assert_eq!(
        a.id_token().claims().contains_key("at_hash"),
        vendor != Vendor::Entra,
        "{vendor}"
    );
    assert!(
        a.claims().values().any(|v| v.as_str() == Some(ALICE)),
        "{vendor}: the login shows in the claims: {:?}",
        a.claims()
    );
    // A second login reuses the cached discovery document and keys.
    w.login().await.expect("second login");
    assert_eq!(w.jwks_fetches(), 1);
}

#[tokio::test]
async fn okta_full_code_flow() {
    full_flow(Vendor::Okta).await;
}

#[tokio::test]
async fn entra_full_code_flow() {
    full_flow(Vendor::Entra).await;
}

#[tokio::test]
async fn google_full_code_flow() {
    full_flow(Vendor::Google).await;
}

#[tokio::test]
async fn authorize_url_carries_pkce_state_nonce_and_scopes() {
    let w = world(Vendor::Okta).await;
    let (url, pending) =
        w.rp.begin(&w.cfg, &w.ids, w.clock.now(), None)
            .await
            .expect("begin");
    let u = url::Url::parse(&url).expect("url");
    let q: BTreeMap<String, String> = u.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["state"], pending.state);
    assert_eq!(q["nonce"], pending.nonce);
    assert_eq!(
        q["code_challenge"],
        URL_SAFE_NO_PAD.encode(openssl::sha::sha256(pending.code_verifier.as_bytes()))
    );
    assert!(!q.contains_key("login_hint"));
    assert_eq!(pending.created, w.clock.now());
}

#[tokio::test]
async fn oidc_kid_3_rotated_key_is_accepted_after_one_refetch() {
    let w = world(Vendor::Okta).await;
    w.login().await.expect("first login caches the JWKS");
    assert_eq!(w.jwks_fetches(), 1);
    let kid = w.t.rotate_keys(KeyKind::Rsa, true).expect("rotate");
    let a = w.login().await.expect("accepted after refetch");
    assert_eq!(a.id_token().verified_kid(), Some(kid.as_str()));
    assert_eq!(w.jwks_fetches(), 2);
}

#[tokio::test]
async fn oidc_kid_3_rotated_ec_key_is_accepted_after_one_refetch() {
    let w = world(Vendor::Entra).await;
    w.login().await.expect("first login caches the JWKS");
    let kid = w.t.rotate_keys(KeyKind::Ec, true).expect("rotate");
    let a = w.login().await.expect("accepted after refetch");
    assert_eq!(a.id_token().verified_kid(), Some(kid.as_str()));
    assert_eq!(a.id_token().header()["alg"], "ES256");
}

#[tokio::test]
async fn foreign_signing_key_is_refused_after_the_refetch() {
    let w = world(Vendor::Okta).await;
    w.login().await.expect("caches the JWKS");
    w.next_login(OidcOverrides {
        signing_key: Some(KeyChoice::Foreign),
        ..OidcOverrides::default()
    });
    assert_eq!(
        w.login().await.expect_err("refused"),
        OidcRejection::UnknownKid {
            kid: "attacker-k1".into()
        }
    );
    assert_eq!(w.jwks_fetches(), 2, "refetched exactly once");
}

#[tokio::test]
async fn oidc_kid_2_no_kid_with_several_published_keys_is_refused() {
    let w = world(Vendor::Okta).await;
    w.next_login(OidcOverrides {
        omit_kid: true,
        ..OidcOverrides::default()
    });
    assert_eq!(
        w.login().await.expect_err("refused"),
        OidcRejection::AmbiguousKey { count: 2 }
    );
}

#[tokio::test]
async fn oidc_ui_1_userinfo_sub_override_is_refused_unless_the_flaw_is_on() {
    let w = world(Vendor::Google).await;
    let other = OidcOverrides {
        userinfo_claims: claims(json!({"sub": "someone-else"})),
        ..OidcOverrides::default()
    };
    w.next_login(other.clone());
    assert!(matches!(
        w.login().await,
        Err(OidcRejection::UserinfoSubMismatch { found: Some(f), .. }) if f == "someone-else"
    ));
    w.next_login(other);
    let a = w
        .login_with(&Flaws::none().with(Flaw::SkipUserinfoSubCheck))
        .await
        .expect("accepted through the flaw");
    assert_ne!(a.subject(), "someone-else");
}

#[tokio::test]
async fn oidc_err_1_access_denied_is_reported() {
    let w = world(Vendor::Entra).await;
    w.next_login(OidcOverrides {
        authorize_error: Some("access_denied".into()),
        ..OidcOverrides::default()
    });
    let e = w.login().await.expect_err("refused");
    assert!(
        matches!(&e, OidcRejection::ProviderError { error, description: Some(_) } if error == "access_denied"),
        "{e:?}"
    );
    assert_eq!(e.code(), "provider-error");
}

#[tokio::test]
async fn oidc_disc_1_issuer_with_a_trailing_slash_is_refused() {
    let mut w = world(Vendor::Okta).await;
    w.cfg.issuer = format!("{}/", w.t.oidc_issuer()).into();
    let e =
        w.rp.begin(&w.cfg, &w.ids, w.clock.now(), None)
            .await
            .expect_err("refused");
    assert_eq!(
        e,
        OidcRejection::DiscoveryIssuerMismatch {
            expected: w.cfg.issuer.to_string(),
            found: w.t.oidc_issuer()
        }
    );
}

#[tokio::test]
async fn unreachable_or_missing_discovery_is_a_clear_rejection() {
    let mut w = world(Vendor::Okta).await;
    w.cfg.issuer = w.t.oidc_issuer().replace("/acme", "/nobody").into();
    let e =
        w.rp.begin(&w.cfg, &w.ids, w.clock.now(), None)
            .await
            .expect_err("404");
    assert_eq!(e.code(), "discovery-unavailable", "{e}");
    w.cfg.issuer = "http://127.0.0.1:9/okta/acme".into();
    let e =
        w.rp.begin(&w.cfg, &w.ids, w.clock.now(), None)
            .await
            .expect_err("refused connection");
    assert_eq!(e.code(), "discovery-unavailable", "{e}");
}

#[tokio::test]
async fn oidc_pkce_1_replayed_code_and_wrong_verifier_are_invalid_grant() {
    let w = world(Vendor::Okta).await;
    let (q, pending) = w.to_callback().await;
    w.complete(&q, &pending, &Flaws::none())
        .await
        .expect("first use");
    assert!(matches!(
        w.complete(&q, &pending, &Flaws::none()).await,
        Err(OidcRejection::TokenEndpointError { error, .. }) if error == "invalid_grant"
    ));

    let (q, mut pending) = w.to_callback().await;
    pending.code_verifier = "x".repeat(43);
    assert!(matches!(
        w.complete(&q, &pending, &Flaws::none()).await,
        Err(OidcRejection::TokenEndpointError { error, .. }) if error == "invalid_grant"
    ));
}

#[tokio::test]
async fn oidc_state_1_altered_state_is_refused_unless_the_flaw_is_on() {
    let w = world(Vendor::Google).await;
    let (mut q, pending) = w.to_callback().await;
    q.insert("state".into(), "forged".into());
    assert_eq!(
        w.complete(&q, &pending, &Flaws::none())
            .await
            .expect_err("refused"),
        OidcRejection::StateMismatch {
            found: "forged".into()
        }
    );
    w.complete(&q, &pending, &Flaws::none().with(Flaw::SkipStateCheck))
        .await
        .expect("accepted through the flaw: the code was not spent by the refusal");
}

#[tokio::test]
async fn oidc_nonce_1_altered_nonce_from_the_op() {
    let w = world(Vendor::Okta).await;
    let altered = OidcOverrides {
        claims: claims(json!({"nonce": "replayed"})),
        ..OidcOverrides::default()
    };
    w.next_login(altered.clone());
    assert_eq!(
        w.login().await.expect_err("refused"),
        OidcRejection::NonceMismatch {
            found: Some("replayed".into())
        }
    );
    w.next_login(altered);
    w.login_with(&Flaws::none().with(Flaw::SkipNonceCheck))
        .await
        .expect("accepted through the flaw");
}

#[tokio::test]
async fn oidc_exp_1_and_iat_2_times_come_from_now() {
    let w = world(Vendor::Entra).await;
    w.next_login(OidcOverrides {
        exp_offset_secs: Some(-600),
        ..OidcOverrides::default()
    });
    assert!(matches!(
        w.login().await,
        Err(OidcRejection::Expired { .. })
    ));
    w.next_login(OidcOverrides {
        iat_offset_secs: Some(3600),
        ..OidcOverrides::default()
    });
    assert!(matches!(
        w.login().await,
        Err(OidcRejection::IssuedInFuture { .. })
    ));
}

#[tokio::test]
async fn oidc_iss_1_altered_issuer_is_refused_unless_the_flaw_is_on() {
    let w = world(Vendor::Okta).await;
    let evil = OidcOverrides {
        claims: claims(json!({"iss": "https://evil.example"})),
        ..OidcOverrides::default()
    };
    w.next_login(evil.clone());
    assert!(matches!(
        w.login().await,
        Err(OidcRejection::IssuerMismatch { .. })
    ));
    w.next_login(evil);
    let a = w
        .login_with(&Flaws::none().with(Flaw::SkipIdTokenIssuerCheck))
        .await
        .expect("accepted through the flaw");
    assert_eq!(a.danger_flaws_used(), vec![Flaw::SkipIdTokenIssuerCheck]);
}

#[tokio::test]
async fn oidc_grp_1_entra_groups_overage_end_to_end() {
    let w = world(Vendor::Entra).await;
    w.t.state.lock().next_login = Some(NextLogin {
        extra_groups: Some(201),
        ..NextLogin::default()
    });
    let a = w.login().await.expect("no crash");
    assert!(a.has_groups_overage());
    assert!(a.claim_path("groups").is_empty());

    let a = w.login().await.expect("normal login");
    assert!(!a.has_groups_overage());
    assert_eq!(a.claim_path("groups").len(), 1, "one group object id");
}
