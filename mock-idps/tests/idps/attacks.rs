//! The security catalogue's attacks, set through the control API on a tenant: the next login
//! carries the attack's shape, the reference SP refuses it with the expected rejection code, and
//! the login after is honest again (the attack is consumed).

use crate::common::*;
use axum::http::{header, StatusCode};
use mock_idps::control::{NewOidcClient, NewSamlApp};
use mock_idps::directory::NewUser;
use mock_idps::next_login::{NextLogin, SamlOverrides};
use mock_idps::tenant::SharedTenant;
use mock_idps::{MockIdps, Mode, NewTenant, Vendor};
use protocols::jose::attacks::{OidcAttack, DEFAULT_JKU};
use protocols::jose::{decode_unverified, Jwks};
use protocols::saml::attacks::{
    comment_split_identity, SamlAttack, DEFAULT_VICTIM, EVIL_ASSERTION_ID, EVIL_RESPONSE_ID,
    SECOND_ASSERTION_ID,
};
use protocols::saml::{self, build_authn_request, encode_redirect, AuthnRequestSpec};
use protocols::xml::{self, Element};
use reference_sp::oidc_rp::{validate_id_token, OidcRpConfig};
use reference_sp::saml_sp::{validate_response, OutstandingRequest, SamlSpConfig, SamlSpState};
use reference_sp::Flaws;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

const SP: &str = "https://sp.example/saml/metadata";
const ACS: &str = "https://sp.example/saml/acs";
const ALICE: &str = "alice@acme.example";

fn alice() -> NewUser {
    NewUser {
        login: Some(ALICE.into()),
        given_name: Some("Alice".into()),
        family_name: Some("Archer".into()),
        ..NewUser::default()
    }
}

async fn put_next(idps: &MockIdps, t: &SharedTenant, body: &Value) -> Answer {
    let uri = format!("/_idpsim/tenants/{}/{}/next-login", t.vendor.as_str(), t.id);
    send_json(idps, "PUT", &uri, &body.to_string()).await
}

async fn show_next(idps: &MockIdps, t: &SharedTenant) -> Value {
    let uri = format!("/_idpsim/tenants/{}/{}/next-login", t.vendor.as_str(), t.id);
    let a = get(idps, &uri).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    serde_json::from_str::<Value>(&a.body).expect("json")["next_login"].clone()
}

// ---------------------------------------------------------------------------------------------
// SAML

/// The reference SP's replay cache and outstanding requests, in memory.
#[derive(Default)]
struct SpState {
    outstanding: Mutex<HashSet<String>>,
    seen: Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>,
}

impl SamlSpState for SpState {
    type Error = std::convert::Infallible;

    fn consume_request(&self, id: &str) -> Result<Option<OutstandingRequest>, Self::Error> {
        Ok(self
            .outstanding
            .lock()
            .expect("lock")
            .remove(id)
            .then(OutstandingRequest::default))
    }

    fn record_assertion(
        &self,
        id: &str,
        expires: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, Self::Error> {
        Ok(self
            .seen
            .lock()
            .expect("lock")
            .insert(id.to_string(), expires)
            .is_none())
    }
}

/// One vendor's SAML tenant, the reference SP that trusts it, and a request counter.
struct Saml {
    idps: MockIdps,
    t: SharedTenant,
    sso: String,
    sp: SamlSpConfig,
    state: SpState,
    requests: Mutex<u32>,
}

impl Saml {
    fn new(vendor: Vendor) -> Self {
        let (idps, _) = idps();
        let t = idps
            .create_tenant(NewTenant {
                vendor: Some(vendor),
                id: Some("acme".into()),
                mode: Mode::Strict,
                seed_users: Some(0),
                users: vec![alice()],
                saml_apps: vec![NewSamlApp {
                    sp_entity_id: SP.into(),
                    acs_urls: vec![ACS.into()],
                    ..NewSamlApp::default()
                }],
                ..NewTenant::default()
            })
            .expect("tenant");
        let app = t.saml_app(SP).expect("app");
        let sso_url = t.app_path(t.personality().saml.sso_path, &app);
        let certs: Vec<String> = t
            .state
            .lock()
            .keys
            .all()
            .iter()
            .map(|k| k.cert_pem().to_string())
            .collect();
        let sp = SamlSpConfig::from_parts(SP, ACS, &t.saml_entity_id(Some(&app)), &sso_url, &certs)
            .expect("sp config");
        Self {
            idps,
            sso: path_of(&sso_url),
            t,
            sp,
            state: SpState::default(),
            requests: Mutex::new(0),
        }
    }

    async fn attack(&self, attack: SamlAttack) {
        let a = put_next(&self.idps, &self.t, &json!({"saml": {"attack": attack}})).await;
        assert_eq!(a.status, StatusCode::OK, "{attack}: {}", a.body);
    }

    /// Log in over HTTP-Redirect; the posted SAMLResponse, decoded.
    async fn login(&self) -> String {
        let id = {
            let mut n = self.requests.lock().expect("lock");
            *n += 1;
            format!("_req{n}")
        };
        self.state
            .outstanding
            .lock()
            .expect("lock")
            .insert(id.clone());
        let req = build_authn_request(&AuthnRequestSpec {
            id,
            issue_instant: self.t.now(),
            issuer: SP.into(),
            destination: None,
            acs_url: Some(ACS.into()),
            protocol_binding: Some(saml::response::uri::BINDING_HTTP_POST.into()),
            name_id_policy: None,
            force_authn: None,
            is_passive: None,
            subject_name_id: None,
        });
        let q = encode_redirect(&req, None, None).expect("encode");
        let sep = if self.sso.contains('?') { '&' } else { '?' };
        let a = get(&self.idps, &format!("{}{sep}{q}", self.sso)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let marker = "name=\"SAMLResponse\" value=\"";
        let start = a.body.find(marker).expect("SAMLResponse") + marker.len();
        let len = a.body[start..].find('"').expect("end");
        let bytes = saml::b64_decode("SAMLResponse", &a.body[start..start + len]).expect("b64");
        String::from_utf8(bytes).expect("utf8")
    }

    /// The reference SP's verdict: Ok(name_id) or Err(rejection code).
    fn verdict(&self, doc: &str) -> Result<String, &'static str> {
        validate_response(
            &self.sp,
            &saml::b64_encode(doc),
            &self.state,
            &Flaws::none(),
            self.t.now(),
        )
        .map(|acc| acc.name_id().to_string())
        .map_err(|e| e.code())
    }

    fn placement(&self) -> saml::SignaturePlacement {
        self.t.personality().saml.sign_placement
    }
}

fn assertions(r: &Element) -> Vec<&Element> {
    r.elements().filter(|e| e.name == "Assertion").collect()
}

fn name_id(a: &Element) -> String {
    a.child_named("Subject")
        .and_then(|s| s.child_named("NameID"))
        .map(Element::text_content)
        .unwrap_or_default()
}

fn signed(e: &Element) -> bool {
    e.child_named("Signature").is_some()
}

/// The attack's shape in the posted document.
fn assert_shape(attack: SamlAttack, vendor: Vendor, doc: &str, previous: &str) {
    use SamlAttack::*;
    let ctx = format!("{vendor} {attack}: {doc}");
    let tree = match attack {
        Xxe | EntityBomb => {
            assert!(doc.contains("<!DOCTYPE"), "{ctx}");
            let entity = if attack == Xxe { "&xxe;" } else { "&lol9;" };
            assert!(doc.contains(&format!(">{entity}</")), "{ctx}");
            return;
        }
        Replay => {
            assert_eq!(
                doc, previous,
                "{vendor}: replay re-sends the previous document"
            );
            return;
        }
        _ => xml::parse(doc).expect("parses"),
    };
    let a = assertions(&tree);
    match attack {
        Unsigned => assert!(!doc.contains("Signature"), "{ctx}"),
        SignatureExclusion => assert!(!signed(a[0]), "{ctx}"),
        ForeignKey => {
            let foreign = mock_idps::keys::pinned_keys(vendor).foreign.cert_b64();
            let certs = tree.find_all("X509Certificate");
            assert!(!certs.is_empty(), "{ctx}");
            assert!(certs.iter().all(|c| c.text_content() == foreign), "{ctx}");
        }
        CorruptSignature => {
            let active = mock_idps::keys::pinned_keys(vendor).published[0].cert_der();
            assert!(saml::verify_signatures(doc, active).is_err(), "{ctx}");
        }
        Xsw1 => {
            assert_eq!(tree.id(), Some(EVIL_RESPONSE_ID), "{ctx}");
            let hidden = tree
                .child_named("Signature")
                .and_then(|s| s.child_named("Object"))
                .and_then(|o| o.child_named("Response"));
            assert!(hidden.is_some(), "{ctx}");
        }
        Xsw2 => {
            assert_eq!(tree.id(), Some(EVIL_RESPONSE_ID), "{ctx}");
            let i = tree.child_index("Response").expect("clone");
            assert_eq!(tree.child_index("Signature"), Some(i + 1), "{ctx}");
        }
        Xsw3 | TwoAssertionsSignedSecond => {
            assert_eq!(a.len(), 2, "{ctx}");
            assert!(!signed(a[0]) && signed(a[1]), "{ctx}");
            assert_eq!(name_id(a[0]), DEFAULT_VICTIM, "{ctx}");
        }
        TwoAssertionsSignedFirst => {
            assert_eq!(a.len(), 2, "{ctx}");
            assert!(signed(a[0]) && !signed(a[1]), "{ctx}");
            assert_eq!(a[1].id(), Some(SECOND_ASSERTION_ID), "{ctx}");
        }
        Xsw4 => {
            assert_eq!(a[0].id(), Some(EVIL_ASSERTION_ID), "{ctx}");
            assert!(a[0].child_named("Assertion").is_some_and(signed), "{ctx}");
        }
        Xsw5 | Xsw6 => {
            assert_eq!(a[0].id(), Some(EVIL_ASSERTION_ID), "{ctx}");
            assert_eq!(name_id(a[0]), DEFAULT_VICTIM, "{ctx}");
            let copy = if attack == Xsw5 {
                a.get(1).copied()
            } else {
                a[0].child_named("Signature")
                    .and_then(|s| s.child_named("Assertion"))
            };
            assert!(copy.is_some_and(|c| !signed(c)), "{ctx}");
        }
        Xsw7 => {
            let ext = tree.child_named("Extensions").expect("extensions");
            let evil = ext.child_named("Assertion").expect("clone");
            assert_eq!(evil.id(), a[0].id(), "{ctx}");
        }
        Xsw8 => {
            let obj = a[0]
                .child_named("Signature")
                .and_then(|s| s.child_named("Object"))
                .and_then(|o| o.child_named("Assertion"));
            assert_eq!(obj.and_then(Element::id), a[0].id(), "{ctx}");
            assert_eq!(name_id(a[0]), DEFAULT_VICTIM, "{ctx}");
        }
        CommentSplit => assert!(
            doc.contains("victim@corp.example<!---->.evil.example"),
            "{ctx}"
        ),
        DestinationPrefix => assert!(
            doc.contains(&format!("Destination=\"{ACS}-other\"")),
            "{ctx}"
        ),
        RecipientSubstring => assert!(
            doc.contains(&format!(
                "Recipient=\"https://other.example/acs?next={ACS}\""
            )),
            "{ctx}"
        ),
        IssuerPrefix => assert!(
            tree.child_named("Issuer")
                .is_some_and(|i| i.text_content().ends_with("-other")),
            "{ctx}"
        ),
        AudiencePrefix => assert!(doc.contains(&format!("{SP}-other</")), "{ctx}"),
        Xxe | EntityBomb | Replay => unreachable!("handled above"),
    }
}

/// What the reference SP must answer.
fn expected(attack: SamlAttack, placement: saml::SignaturePlacement) -> Result<(), &'static str> {
    use SamlAttack::*;
    Err(match attack {
        Unsigned => "unsigned",
        SignatureExclusion if placement == saml::SignaturePlacement::Both => "signature-invalid",
        SignatureExclusion => "unsigned",
        ForeignKey => "untrusted-signer",
        CorruptSignature => "signature-invalid",
        Xsw1 | Xsw2 | Xsw3 | Xsw4 | Xsw5 | Xsw6 => "multiple-assertions",
        TwoAssertionsSignedFirst | TwoAssertionsSignedSecond => "multiple-assertions",
        Xsw7 | Xsw8 => "duplicate-id",
        DestinationPrefix => "destination-mismatch",
        RecipientSubstring => "recipient-mismatch",
        IssuerPrefix => "issuer-mismatch",
        AudiencePrefix => "audience-mismatch",
        Xxe | EntityBomb => "doctype-forbidden",
        Replay => "replayed",
        // Accepted, as the attacker's own identity (checked by the caller).
        CommentSplit => return Ok(()),
    })
}

#[tokio::test]
async fn every_saml_attack_has_its_shape_is_refused_by_the_reference_sp_and_is_consumed() {
    for vendor in Vendor::ALL {
        let s = Saml::new(vendor);
        for attack in SamlAttack::ALL {
            // The document before: an honest login the SP accepts (and the replay's source).
            let previous = s.login().await;
            assert_eq!(
                s.verdict(&previous).as_deref(),
                Ok(name_id_of(&previous).as_str())
            );

            s.attack(attack).await;
            let doc = s.login().await;
            assert_shape(attack, vendor, &doc, &previous);
            let verdict = s.verdict(&doc);
            match expected(attack, s.placement()) {
                Err(code) => assert_eq!(verdict, Err(code), "{vendor} {attack}"),
                Ok(()) => {
                    let who = verdict.unwrap_or_else(|e| panic!("{vendor} {attack}: {e}"));
                    assert_eq!(who, comment_split_identity(DEFAULT_VICTIM), "{vendor}");
                    assert_ne!(who, DEFAULT_VICTIM);
                }
            }
            assert_eq!(
                show_next(&s.idps, &s.t).await,
                Value::Null,
                "{vendor} {attack}"
            );
            let log = s.t.state.lock().log.back().map(|l| l.note.clone());
            assert!(
                log.as_deref()
                    .unwrap_or("")
                    .ends_with(&format!("attack {attack}")),
                "{vendor} {attack}: {log:?}"
            );
        }
        // Consumed: the next login is honest.
        let honest = s.login().await;
        assert!(s.verdict(&honest).is_ok(), "{vendor}: {honest}");
    }
}

fn name_id_of(doc: &str) -> String {
    let tree = xml::parse(doc).expect("parses");
    name_id(assertions(&tree)[0])
}

#[tokio::test]
async fn a_sticky_attack_applies_to_every_login() {
    let s = Saml::new(Vendor::Entra);
    let a = put_next(
        &s.idps,
        &s.t,
        &json!({"sticky": true, "saml": {"attack": "xsw3", "victim": "ceo@acme.example"}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    for _ in 0..2 {
        let doc = s.login().await;
        let tree = xml::parse(&doc).expect("parses");
        assert_eq!(name_id(assertions(&tree)[0]), "ceo@acme.example");
        assert_eq!(s.verdict(&doc), Err("multiple-assertions"));
    }
}

#[tokio::test]
async fn the_idp_chooses_the_signature_each_attack_targets() {
    // Entra signs only the assertion; XSW1 needs the response signed, so the IdP signs that.
    let s = Saml::new(Vendor::Entra);
    s.attack(SamlAttack::Xsw1).await;
    let tree = xml::parse(&s.login().await).expect("parses");
    assert_eq!(tree.id(), Some(EVIL_RESPONSE_ID));
    // Okta signs both; XSW3 keeps the assertion signature and drops the response one.
    let s = Saml::new(Vendor::Okta);
    s.attack(SamlAttack::Xsw3).await;
    let tree = xml::parse(&s.login().await).expect("parses");
    assert!(!signed(&tree) && signed(assertions(&tree)[1]));
}

#[tokio::test]
async fn saml_rpl_1_replay_without_an_earlier_response_is_an_error_page() {
    let s = Saml::new(Vendor::Okta);
    s.attack(SamlAttack::Replay).await;
    let q = encode_redirect(
        &build_authn_request(&AuthnRequestSpec {
            id: "_r".into(),
            issue_instant: s.t.now(),
            issuer: SP.into(),
            destination: None,
            acs_url: Some(ACS.into()),
            protocol_binding: None,
            name_id_policy: None,
            force_authn: None,
            is_passive: None,
            subject_name_id: None,
        }),
        None,
        None,
    )
    .expect("encode");
    let sep = if s.sso.contains('?') { '&' } else { '?' };
    let a = get(&s.idps, &format!("{}{sep}{q}", s.sso)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("earlier response"), "{}", a.body);
}

#[tokio::test]
async fn bad_combinations_are_refused_with_400_and_change_nothing() {
    let s = Saml::new(Vendor::Okta);
    let good = json!({"saml": {"attack": "xxe", "xxe_url": "http://canary.example/x"}});
    assert_eq!(put_next(&s.idps, &s.t, &good).await.status, StatusCode::OK);
    let before = show_next(&s.idps, &s.t).await;
    assert_eq!(before["saml"]["attack"], json!("xxe"));
    let bad = [
        (
            json!({"saml": {"attack": "xsw1", "sign": "Assertion"}}),
            "xsw1",
        ),
        (
            json!({"saml": {"attack": "xsw3", "sign": "Response"}}),
            "xsw3",
        ),
        (
            json!({"saml": {"attack": "signature-exclusion", "sign": "None"}}),
            "None",
        ),
        (
            json!({"saml": {"attack": "xsw3", "status": "AuthnFailed"}}),
            "status",
        ),
        (
            json!({"saml": {"attack": "destination-prefix", "destination": "https://x/"}}),
            "destination",
        ),
        (
            json!({"saml": {"attack": "comment-split", "name_id": "x"}}),
            "name_id",
        ),
        (
            json!({"saml": {"attack": "foreign-key", "key_info": false}}),
            "key_info",
        ),
        (
            json!({"saml": {"attack": "replay", "issuer": "x"}}),
            "replay",
        ),
        (
            json!({"saml": {"attack": "unsigned", "victim": "x@y"}}),
            "victim",
        ),
        (json!({"saml": {"victim": "x@y"}}), "victim"),
        (
            json!({"saml": {"attack": "xxe", "xxe_url": "not a url"}}),
            "xxe_url",
        ),
        (json!({"saml": {"attack": "xsw9"}}), "xsw9"),
        (
            json!({"oidc": {"attack": "alg-none", "authorize_error": "access_denied"}}),
            "authorize_error",
        ),
        (
            json!({"oidc": {"attack": "header-jku", "signing_key": "foreign"}}),
            "signing_key",
        ),
        (
            json!({"oidc": {"attack": "unknown-kid-rotated", "omit_kid": true}}),
            "omit_kid",
        ),
        (
            json!({"oidc": {"attack": "alg-none", "jku": "https://x.example/k"}}),
            "jku",
        ),
    ];
    for (body, mentions) in bad {
        let a = put_next(&s.idps, &s.t, &body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.body);
        let msg: Value = serde_json::from_str(&a.body).expect("json");
        assert_eq!(msg["error"], json!("invalid_request"));
        let text = msg["message"].as_str().unwrap_or_default();
        assert!(text.contains(mentions), "{body}: {text}");
        assert_eq!(
            show_next(&s.idps, &s.t).await,
            before,
            "{body} changed nothing"
        );
    }
}

#[tokio::test]
async fn a_bad_combination_set_from_rust_fails_the_login_not_the_server() {
    let s = Saml::new(Vendor::Google);
    s.t.state.lock().next_login = Some(NextLogin {
        saml: SamlOverrides {
            attack: Some(SamlAttack::Xsw1),
            sign: Some(saml::SignaturePlacement::Assertion),
            ..SamlOverrides::default()
        },
        ..NextLogin::default()
    });
    let q = encode_redirect(
        &build_authn_request(&AuthnRequestSpec {
            id: "_r".into(),
            issue_instant: s.t.now(),
            issuer: SP.into(),
            destination: None,
            acs_url: Some(ACS.into()),
            protocol_binding: None,
            name_id_policy: None,
            force_authn: None,
            is_passive: None,
            subject_name_id: None,
        }),
        None,
        None,
    )
    .expect("encode");
    let sep = if s.sso.contains('?') { '&' } else { '?' };
    let a = get(&s.idps, &format!("{}{sep}{q}", s.sso)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("xsw1"), "{}", a.body);
}

// ---------------------------------------------------------------------------------------------
// OIDC

const CLIENT: &str = "app-client";
const SECRET: &str = "app-secret";
const REDIRECT: &str = "https://app.example/callback";
const NONCE: &str = "n-1";

struct Oidc {
    idps: MockIdps,
    t: SharedTenant,
}

/// What one code flow gave the RP.
struct Flow {
    state: Option<String>,
    code: String,
    access_token: String,
    id_token: String,
}

impl Oidc {
    fn new(vendor: Vendor) -> Self {
        let (idps, _) = idps();
        let t = idps
            .create_tenant(NewTenant {
                vendor: Some(vendor),
                id: Some("acme".into()),
                mode: Mode::Strict,
                seed_users: Some(0),
                users: vec![alice()],
                oidc_clients: vec![NewOidcClient {
                    client_id: Some(CLIENT.into()),
                    client_secret: Some(SECRET.into()),
                    redirect_uris: vec![REDIRECT.into()],
                    ..NewOidcClient::default()
                }],
                ..NewTenant::default()
            })
            .expect("tenant");
        Self { idps, t }
    }

    fn path(&self, p: &str) -> String {
        path_of(&self.t.url(p))
    }

    async fn attack(&self, attack: OidcAttack) {
        let a = put_next(&self.idps, &self.t, &json!({"oidc": {"attack": attack}})).await;
        assert_eq!(a.status, StatusCode::OK, "{attack}: {}", a.body);
    }

    fn jwks(&self) -> Jwks {
        Jwks::from_keys(self.t.state.lock().keys.all()).expect("jwks")
    }

    async fn flow(&self) -> Flow {
        let o = &self.t.personality().oidc;
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("scope", "openid email profile"),
                ("state", "st-1"),
                ("nonce", NONCE),
            ])
            .finish();
        let a = get(&self.idps, &format!("{}?{q}", self.path(o.authorize_path))).await;
        assert_eq!(a.status, StatusCode::FOUND, "{}", a.body);
        let loc =
            url::Url::parse(a.headers[header::LOCATION].to_str().expect("ascii")).expect("url");
        let params: HashMap<String, String> = loc.query_pairs().into_owned().collect();
        let code = params.get("code").cloned().expect("code");
        let t = post_form(
            &self.idps,
            &self.path(o.token_path),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let body: Value = serde_json::from_str(&t.body).expect("json");
        Flow {
            state: params.get("state").cloned(),
            code,
            access_token: body["access_token"].as_str().expect("at").to_string(),
            id_token: body["id_token"].as_str().expect("id_token").to_string(),
        }
    }

    /// The reference RP's verdict on the flow's id_token against `jwks`.
    fn verdict(&self, f: &Flow, jwks: &Jwks) -> Result<(), &'static str> {
        let cfg = OidcRpConfig::new(self.t.oidc_issuer(), CLIENT, SECRET, REDIRECT);
        validate_id_token(
            &cfg,
            jwks,
            &f.id_token,
            NONCE,
            Some(&f.access_token),
            Some(&f.code),
            &Flaws::none(),
            self.t.now(),
        )
        .map(|_| ())
        .map_err(|e| e.code())
    }
}

fn header_str(token: &str, name: &str) -> Option<String> {
    decode_unverified(token)
        .expect("decodes")
        .header
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[tokio::test]
async fn every_token_attack_has_its_shape_is_refused_by_the_reference_rp_and_is_consumed() {
    use OidcAttack::*;
    let cases: [(OidcAttack, Result<(), &str>); 10] = [
        (CorruptSignature, Err("id-token-bad-signature")),
        (AlgNone, Err("id-token-alg-none")),
        (Hs256PublicKey, Err("id-token-alg-not-allowed")),
        (PsychicSignature, Err("id-token-ecdsa-zero-signature")),
        (HeaderJwk, Err("id-token-header-key")),
        (HeaderJku, Err("id-token-header-key")),
        (NoKidSeveralKeys, Err("id-token-ambiguous-key")),
        (WrongAtHash, Err("id-token-at-hash-mismatch")),
        (WrongCHash, Err("id-token-c-hash-mismatch")),
        // Accepted with one key published (OIDC-KID-1), checked below.
        (NoKidSingleKey, Ok(())),
    ];
    for vendor in Vendor::ALL {
        for (attack, want) in cases {
            let op = Oidc::new(vendor);
            if attack == PsychicSignature {
                // Publish an EC key so the zero signature names a real ES256 key.
                let uri = format!("/_idpsim/tenants/{}/acme/keys/rotate", vendor.as_str());
                let a =
                    send_json(&op.idps, "POST", &uri, r#"{"kind":"ec","activate":false}"#).await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            }
            op.attack(attack).await;
            let f = op.flow().await;
            let alg = header_str(&f.id_token, "alg");
            let kid = header_str(&f.id_token, "kid");
            match attack {
                AlgNone => assert_eq!(alg.as_deref(), Some("none")),
                Hs256PublicKey => assert_eq!(alg.as_deref(), Some("HS256")),
                PsychicSignature => assert_eq!(alg.as_deref(), Some("ES256")),
                HeaderJwk => assert!(decode_unverified(&f.id_token)
                    .expect("d")
                    .header
                    .contains_key("jwk")),
                HeaderJku => {
                    assert_eq!(header_str(&f.id_token, "jku").as_deref(), Some(DEFAULT_JKU))
                }
                NoKidSingleKey => {
                    assert_eq!(kid, None);
                    assert_eq!(
                        op.jwks().keys.len(),
                        1,
                        "{vendor}: only the active key left"
                    );
                }
                NoKidSeveralKeys => {
                    assert_eq!(kid, None);
                    assert!(op.jwks().keys.len() >= 2);
                }
                _ => {}
            }
            assert_eq!(op.verdict(&f, &op.jwks()), want, "{vendor} {attack}");
            assert_eq!(show_next(&op.idps, &op.t).await, Value::Null);
            let honest = op.flow().await;
            assert_eq!(
                op.verdict(&honest, &op.jwks()),
                Ok(()),
                "{vendor} {attack}: consumed"
            );
        }
    }
}

#[tokio::test]
async fn oidc_kid_3_unknown_kid_is_signed_by_a_key_rotated_in_at_issue_time() {
    let op = Oidc::new(Vendor::Okta);
    let cached = op.jwks();
    op.attack(OidcAttack::UnknownKidRotated).await;
    let f = op.flow().await;
    let kid = header_str(&f.id_token, "kid").expect("kid");
    assert!(cached
        .keys
        .iter()
        .all(|k| k.kid.as_deref() != Some(kid.as_str())));
    assert_eq!(op.verdict(&f, &cached), Err("id-token-unknown-kid"));
    let fresh = op.jwks();
    assert_eq!(op.verdict(&f, &fresh), Ok(()), "accepted after the refetch");
    assert_eq!(
        op.t.state.lock().keys.active().kid(),
        kid,
        "a real rotation"
    );
}

#[tokio::test]
async fn oidc_state_1_state_is_altered_or_dropped_on_the_callback() {
    for (attack, want) in [
        (OidcAttack::StateAltered, Some("st-1-tampered")),
        (OidcAttack::StateMissing, None),
    ] {
        let op = Oidc::new(Vendor::Entra);
        op.attack(attack).await;
        assert_eq!(op.flow().await.state.as_deref(), want, "{attack}");
        assert_eq!(op.flow().await.state.as_deref(), Some("st-1"), "consumed");
    }
}

#[tokio::test]
async fn oidc_disc_1_discovery_issuer_differs_while_the_attack_is_pending() {
    let op = Oidc::new(Vendor::Google);
    let disc = || async {
        let a = get(&op.idps, &op.path(op.t.personality().oidc.discovery_path)).await;
        serde_json::from_str::<Value>(&a.body).expect("json")["issuer"].clone()
    };
    let honest = disc().await;
    assert_eq!(honest, json!(op.t.oidc_issuer()));
    op.attack(OidcAttack::DiscoveryIssuerMismatch).await;
    let forged = disc().await;
    assert_ne!(forged, honest);
    assert_eq!(disc().await, forged, "still pending");
    op.flow().await;
    assert_eq!(disc().await, honest, "consumed by the login");
}
