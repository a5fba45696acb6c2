//! The id_token rules one by one, each refusal matched to its exact variant, and each OIDC flaw
//! letting exactly its hostile input through. Test names carry the catalogue ids.

use super::*;
use crate::oidc_rp::accepted::{accept, UserinfoAnswer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use protocols::clock::snapshot_epoch;
use protocols::jose::{sign, HeaderOptions, Jwk};
use protocols::saml::dsig::sign_bytes;
use protocols::saml::SignatureAlgorithm;
use protocols::{SigningKey, Validity};
use serde_json::json;
use std::sync::OnceLock;

const ISS: &str = "https://op.example/t";
const CLIENT: &str = "client-1";
const NONCE: &str = "n-1";
const ACCESS: &str = "access-token-1";
const CODE: &str = "code-1";

fn key(kind: KeyKind, kid: &str) -> SigningKey {
    SigningKey::generate(kind, kid, "test", Validity::current(snapshot_epoch(), 1)).expect("key")
}

fn rsa() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "rsa-1"))
}

fn rsa2() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "rsa-2"))
}

fn ec() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Ec, "ec-1"))
}

/// The attacker's key, published nowhere.
fn evil() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "rsa-1"))
}

fn jwks() -> Jwks {
    Jwks::from_keys([rsa(), ec()]).expect("jwks")
}

fn cfg() -> OidcRpConfig {
    OidcRpConfig::new(ISS, CLIENT, "secret", "https://sp.example/cb")
}

fn now() -> DateTime<Utc> {
    snapshot_epoch()
}

fn claims() -> Value {
    let t = now().timestamp();
    json!({
        "iss": ISS, "aud": CLIENT, "sub": "00u1", "iat": t, "exp": t + 3600, "nonce": NONCE,
        "at_hash": jose::left_half_hash(ACCESS, jose::alg_for(KeyKind::Rsa)),
        "email": "alice@acme.example",
    })
}

fn with(changes: &[(&str, Value)]) -> Value {
    let mut c = claims();
    for (k, v) in changes {
        c[*k] = v.clone();
    }
    c
}

fn without(name: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().expect("object").remove(name);
    c
}

fn signed(key: &SigningKey, c: &Value) -> String {
    sign(key, c, &HeaderOptions::default()).expect("sign")
}

fn no_kid(key: &SigningKey, c: &Value) -> String {
    let opts = HeaderOptions {
        kid: false,
        ..HeaderOptions::default()
    };
    sign(key, c, &opts).expect("sign")
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

/// A token with a hand-made header, signed by `key` (or with `sig` as given).
fn hand_made(header: Value, c: &Value, key: Option<&SigningKey>, sig: Option<Vec<u8>>) -> String {
    let input = format!("{}.{}", b64(&header), b64(c));
    let sig = match (key, sig) {
        (_, Some(s)) => s,
        (Some(k), None) => {
            let alg = match k.kind() {
                KeyKind::Rsa => SignatureAlgorithm::RsaSha256,
                KeyKind::Ec => SignatureAlgorithm::EcdsaSha256,
            };
            sign_bytes(k, alg, input.as_bytes()).expect("sign")
        }
        (None, None) => Vec::new(),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn run_with(token: &str, flaws: &Flaws) -> Result<ValidatedIdToken, OidcRejection> {
    validate_id_token(
        &cfg(),
        &jwks(),
        token,
        NONCE,
        Some(ACCESS),
        Some(CODE),
        flaws,
        now(),
    )
}

fn run(token: &str) -> Result<ValidatedIdToken, OidcRejection> {
    run_with(token, &Flaws::none())
}

fn refused(token: &str) -> OidcRejection {
    run(token).expect_err("must be refused")
}

fn corrupt(token: &str) -> String {
    let (head, sig) = token.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    bytes[5] ^= 0x01;
    format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[test]
fn rs256_and_es256_tokens_from_published_keys_pass() {
    for k in [rsa(), ec()] {
        let v = run(&signed(k, &claims())).expect("valid");
        assert_eq!(v.subject(), "00u1");
        assert_eq!(v.issuer(), ISS);
        assert_eq!(v.verified_kid(), Some(k.kid()));
    }
}

#[test]
fn malformed_tokens_are_refused() {
    for t in ["", "a.b", "a.b.c.d", "!!.??.--"] {
        assert!(
            matches!(refused(t), OidcRejection::MalformedIdToken { .. }),
            "{t}"
        );
    }
    let t = hand_made(json!({"typ": "JWT"}), &claims(), None, Some(vec![1]));
    assert!(matches!(
        refused(&t),
        OidcRejection::MalformedIdToken { .. }
    ));
}

#[test]
fn oidc_sig_1_corrupted_signature_rs256_and_es256() {
    for k in [rsa(), ec()] {
        assert_eq!(
            refused(&corrupt(&signed(k, &claims()))),
            OidcRejection::BadSignature
        );
    }
}

#[test]
fn oidc_sig_1_altered_payload_under_a_valid_signature() {
    let t = signed(rsa(), &claims());
    let mut parts: Vec<&str> = t.split('.').collect();
    let forged = b64(&with(&[("sub", json!("admin"))]));
    parts[1] = &forged;
    assert_eq!(refused(&parts.join(".")), OidcRejection::BadSignature);
}

#[test]
fn oidc_sig_2_alg_none_in_any_spelling() {
    for alg in ["none", "None", "NONE"] {
        let t = hand_made(json!({"alg": alg}), &claims(), None, None);
        assert_eq!(refused(&t), OidcRejection::AlgNone { alg: alg.into() });
    }
}

#[test]
fn oidc_sig_3_hs256_with_the_public_key_as_secret() {
    let header = json!({"alg": "HS256", "kid": "rsa-1"});
    let input = format!("{}.{}", b64(&header), b64(&claims()));
    let secret = rsa().public_pem().expect("public pem");
    let mac_key = openssl::pkey::PKey::hmac(secret.as_bytes()).expect("hmac key");
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &mac_key)
        .expect("signer");
    signer.update(input.as_bytes()).expect("update");
    let sig = signer.sign_to_vec().expect("mac");
    let t = hand_made(header, &claims(), None, Some(sig));
    assert!(matches!(
        refused(&t),
        OidcRejection::AlgNotAllowed { alg, .. } if alg == "HS256"
    ));
}

#[test]
fn oidc_sig_4_es256_psychic_signature() {
    let t = hand_made(
        json!({"alg": "ES256", "kid": "ec-1"}),
        &claims(),
        None,
        Some(vec![0; 64]),
    );
    assert_eq!(refused(&t), OidcRejection::EcdsaZeroSignature);
    let mut half = vec![0u8; 64];
    half[..32].fill(0x11);
    let t = hand_made(
        json!({"alg": "ES256", "kid": "ec-1"}),
        &claims(),
        None,
        Some(half),
    );
    assert_eq!(refused(&t), OidcRejection::EcdsaZeroSignature);
}

#[test]
fn oidc_sig_5_header_jwk_of_the_attacker() {
    let jwk = serde_json::to_value(Jwk::from_key(evil(), false).expect("jwk")).expect("json");
    let t = hand_made(
        json!({"alg": "RS256", "jwk": jwk}),
        &claims(),
        Some(evil()),
        None,
    );
    assert_eq!(
        refused(&t),
        OidcRejection::HeaderKeyRejected {
            param: "jwk".into()
        }
    );
}

#[test]
fn oidc_sig_5_header_jku_is_never_fetched_even_with_a_good_signature() {
    for param in ["jku", "x5u"] {
        let t = hand_made(
            json!({"alg": "RS256", "kid": "rsa-1", param: "https://evil.example/keys"}),
            &claims(),
            Some(rsa()),
            None,
        );
        assert_eq!(
            refused(&t),
            OidcRejection::HeaderKeyRejected {
                param: param.into()
            }
        );
    }
}

#[test]
fn a_foreign_key_under_a_published_kid_fails_the_signature() {
    assert_eq!(
        refused(&signed(evil(), &claims())),
        OidcRejection::BadSignature
    );
}

#[test]
fn configured_algs_narrow_the_supported_ones() {
    let cfg = OidcRpConfig {
        allowed_algs: vec!["RS256".into(), "HS256".into()],
        ..cfg()
    };
    let e = validate_id_token(
        &cfg,
        &jwks(),
        &signed(ec(), &claims()),
        NONCE,
        None,
        None,
        &Flaws::none(),
        now(),
    );
    assert_eq!(
        e.expect_err("ES256 not allowed"),
        OidcRejection::AlgNotAllowed {
            alg: "ES256".into(),
            allowed: vec!["RS256".into()]
        }
    );
}

#[test]
fn oidc_kid_1_single_key_without_kid_is_accepted() {
    let one = Jwks::from_keys([rsa()]).expect("jwks");
    let t = no_kid(rsa(), &claims());
    let v = validate_id_token(&cfg(), &one, &t, NONCE, None, None, &Flaws::none(), now())
        .expect("one key fits");
    assert_eq!(v.verified_kid(), None);
}

#[test]
fn oidc_kid_2_several_keys_without_kid_is_refused() {
    let many = Jwks::from_keys([rsa(), rsa2()]).expect("jwks");
    let e = validate_id_token(
        &cfg(),
        &many,
        &no_kid(rsa(), &claims()),
        NONCE,
        None,
        None,
        &Flaws::none(),
        now(),
    );
    assert_eq!(
        e.expect_err("ambiguous"),
        OidcRejection::AmbiguousKey { count: 2 }
    );
}

#[test]
fn oidc_kid_3_unknown_kid_is_reported_for_the_refetch() {
    assert_eq!(
        refused(&signed(rsa2(), &claims())),
        OidcRejection::UnknownKid {
            kid: "rsa-2".into()
        }
    );
}

#[test]
fn oidc_iss_1_altered_or_missing_issuer() {
    assert_eq!(
        refused(&signed(
            rsa(),
            &with(&[("iss", json!("https://evil.example"))])
        )),
        OidcRejection::IssuerMismatch {
            expected: ISS.into(),
            found: Some("https://evil.example".into())
        }
    );
    assert_eq!(
        refused(&signed(rsa(), &with(&[("iss", json!(format!("{ISS}/")))]))).code(),
        "id-token-issuer-mismatch"
    );
    assert_eq!(
        refused(&signed(rsa(), &without("iss"))),
        OidcRejection::IssuerMismatch {
            expected: ISS.into(),
            found: None
        }
    );
}

#[test]
fn oidc_aud_1_altered_or_missing_audience() {
    assert_eq!(
        refused(&signed(rsa(), &with(&[("aud", json!("other-client"))]))),
        OidcRejection::AudienceMismatch {
            expected: CLIENT.into(),
            found: vec!["other-client".into()]
        }
    );
    assert_eq!(
        refused(&signed(rsa(), &without("aud"))),
        OidcRejection::AudienceMismatch {
            expected: CLIENT.into(),
            found: vec![]
        }
    );
}

#[test]
fn oidc_azp_1_azp_naming_another_client() {
    assert_eq!(
        refused(&signed(rsa(), &with(&[("azp", json!("other-client"))]))),
        OidcRejection::AuthorizedPartyMismatch {
            expected: CLIENT.into(),
            found: Some("other-client".into())
        }
    );
    run(&signed(rsa(), &with(&[("azp", json!(CLIENT))]))).expect("azp = this client");
}

#[test]
fn oidc_aud_2_array_with_an_untrusted_audience() {
    let both = json!([CLIENT, "untrusted"]);
    assert_eq!(
        refused(&signed(
            rsa(),
            &with(&[("aud", both.clone()), ("azp", json!(CLIENT))])
        )),
        OidcRejection::UntrustedAudience {
            found: vec![CLIENT.into(), "untrusted".into()]
        }
    );
    assert_eq!(
        refused(&signed(rsa(), &with(&[("aud", both)]))),
        OidcRejection::AuthorizedPartyMismatch {
            expected: CLIENT.into(),
            found: None
        }
    );
    run(&signed(rsa(), &with(&[("aud", json!([CLIENT]))]))).expect("array of just this client");
}

#[test]
fn oidc_sub_1_missing_subject() {
    assert_eq!(
        refused(&signed(rsa(), &without("sub"))),
        OidcRejection::SubjectMissing
    );
}

#[test]
fn oidc_iat_1_missing_iat() {
    assert_eq!(
        refused(&signed(rsa(), &without("iat"))),
        OidcRejection::IssuedAtMissing
    );
}

#[test]
fn oidc_iat_2_iat_far_in_the_future() {
    let t = now().timestamp();
    assert_eq!(
        refused(&signed(rsa(), &with(&[("iat", json!(t + 3600))]))),
        OidcRejection::IssuedInFuture {
            iat: t + 3600,
            now: t,
            max_secs: 180
        }
    );
    run(&signed(rsa(), &with(&[("iat", json!(t + 120))]))).expect("within skew");
}

#[test]
fn oidc_exp_1_expired_beyond_skew_or_missing() {
    let t = now().timestamp();
    assert_eq!(
        refused(&signed(
            rsa(),
            &with(&[("iat", json!(t - 7200)), ("exp", json!(t - 181))])
        )),
        OidcRejection::Expired {
            exp: t - 181,
            now: t,
            skew_secs: 180
        }
    );
    run(&signed(
        rsa(),
        &with(&[("iat", json!(t - 3600)), ("exp", json!(t - 60))]),
    ))
    .expect("within skew");
    assert_eq!(
        refused(&signed(rsa(), &without("exp"))),
        OidcRejection::ExpiryMissing
    );
}

#[test]
fn oidc_nonce_1_altered_or_missing_nonce() {
    assert_eq!(
        refused(&signed(rsa(), &with(&[("nonce", json!("n-2"))]))),
        OidcRejection::NonceMismatch {
            found: Some("n-2".into())
        }
    );
    assert_eq!(
        refused(&signed(rsa(), &without("nonce"))),
        OidcRejection::NonceMismatch { found: None }
    );
}

#[test]
fn oidc_hash_1_wrong_at_hash_or_c_hash() {
    assert!(matches!(
        refused(&signed(rsa(), &with(&[("at_hash", json!("AAAAAAAAAAAAAAAAAAAAAA"))]))),
        OidcRejection::AccessTokenHashMismatch { found, .. } if found == "AAAAAAAAAAAAAAAAAAAAAA"
    ));
    assert!(matches!(
        refused(&signed(rsa(), &with(&[("at_hash", json!(42))]))),
        OidcRejection::AccessTokenHashMismatch { .. }
    ));
    let c_hash = jose::left_half_hash(CODE, jose::alg_for(KeyKind::Ec));
    run(&signed(ec(), &with(&[("c_hash", json!(c_hash))]))).expect("right c_hash");
    assert!(matches!(
        refused(&signed(rsa(), &with(&[("c_hash", json!("wrong"))]))),
        OidcRejection::CodeHashMismatch { .. }
    ));
    run(&signed(rsa(), &without("at_hash"))).expect("at_hash is optional in the code flow");
}

// --- flaws: each lets exactly its hostile input through, and nothing else ---------------------

#[test]
fn flaw_accept_alg_none_accepts_unsigned_but_still_checks_the_rest() {
    let flaws = Flaws::none().with(Flaw::AcceptAlgNone);
    let t = hand_made(json!({"alg": "none"}), &claims(), None, None);
    let v = run_with(&t, &flaws).expect("accepted through the flaw");
    assert_eq!(v.subject(), "00u1");
    assert_eq!(
        run_with(&corrupt(&signed(rsa(), &claims())), &flaws).expect_err("signature"),
        OidcRejection::BadSignature
    );
    let t = hand_made(
        json!({"alg": "none"}),
        &with(&[("nonce", json!("x"))]),
        None,
        None,
    );
    assert!(matches!(
        run_with(&t, &flaws),
        Err(OidcRejection::NonceMismatch { .. })
    ));
}

#[test]
fn flaw_skip_nonce_check_accepts_an_altered_or_missing_nonce_only() {
    let flaws = Flaws::none().with(Flaw::SkipNonceCheck);
    run_with(&signed(rsa(), &with(&[("nonce", json!("n-2"))])), &flaws).expect("altered");
    run_with(&signed(rsa(), &without("nonce")), &flaws).expect("missing");
    assert!(matches!(
        run_with(&signed(rsa(), &with(&[("iss", json!("x"))])), &flaws),
        Err(OidcRejection::IssuerMismatch { .. })
    ));
}

#[test]
fn flaw_skip_id_token_issuer_check_accepts_any_iss_and_aud_only() {
    let flaws = Flaws::none().with(Flaw::SkipIdTokenIssuerCheck);
    let hostile = with(&[
        ("iss", json!("https://evil.example")),
        ("aud", json!(["evil", "other"])),
        ("azp", json!("evil")),
    ]);
    let v = run_with(&signed(rsa(), &hostile), &flaws).expect("accepted through the flaw");
    assert_eq!(v.issuer(), "https://evil.example");
    let t = now().timestamp();
    let expired = with(&[
        ("iss", json!("https://evil.example")),
        ("iat", json!(t - 7200)),
        ("exp", json!(t - 3600)),
    ]);
    assert!(matches!(
        run_with(&signed(rsa(), &expired), &flaws),
        Err(OidcRejection::Expired { .. })
    ));
    assert!(matches!(
        run_with(&signed(rsa(), &with(&[("nonce", json!("x"))])), &flaws),
        Err(OidcRejection::NonceMismatch { .. })
    ));
}

#[test]
fn flaws_for_other_checks_do_not_weaken_signature_rules() {
    let flaws = Flaws::none()
        .with(Flaw::SkipNonceCheck)
        .with(Flaw::SkipIdTokenIssuerCheck)
        .with(Flaw::SkipStateCheck)
        .with(Flaw::SkipUserinfoSubCheck);
    let none = hand_made(json!({"alg": "none"}), &claims(), None, None);
    assert!(matches!(
        run_with(&none, &flaws),
        Err(OidcRejection::AlgNone { .. })
    ));
}

// --- userinfo binding and claim lookups ----------------------------------------------------

fn validated(c: &Value) -> ValidatedIdToken {
    run(&signed(rsa(), c)).expect("valid")
}

fn ui(v: Value) -> UserinfoAnswer {
    match v {
        Value::Object(m) => UserinfoAnswer::Claims(m),
        _ => panic!("object"),
    }
}

#[test]
fn oidc_ui_1_userinfo_sub_must_match() {
    let e = accept(
        validated(&claims()),
        ui(json!({"sub": "00u2"})),
        &Flaws::none(),
    );
    assert_eq!(
        e.expect_err("mismatch"),
        OidcRejection::UserinfoSubMismatch {
            expected: "00u1".into(),
            found: Some("00u2".into())
        }
    );
    let e = accept(
        validated(&claims()),
        ui(json!({"email": "x"})),
        &Flaws::none(),
    );
    assert!(matches!(
        e,
        Err(OidcRejection::UserinfoSubMismatch { found: None, .. })
    ));
}

#[test]
fn flaw_skip_userinfo_sub_check_accepts_another_sub_but_keeps_the_id_token_sub() {
    let flaws = Flaws::none().with(Flaw::SkipUserinfoSubCheck);
    let a = accept(
        validated(&claims()),
        ui(json!({"sub": "00u2", "email": "mallory@evil.example"})),
        &flaws,
    )
    .expect("accepted through the flaw");
    assert_eq!(a.subject(), "00u1");
    assert_eq!(a.claims()["sub"], "00u1");
    assert_eq!(a.claims()["email"], "mallory@evil.example");
    assert_eq!(a.danger_flaws_used(), vec![Flaw::SkipUserinfoSubCheck]);
}

#[test]
fn userinfo_merges_under_the_id_token_iss_sub_and_aud() {
    let a = accept(
        validated(&claims()),
        ui(json!({"sub": "00u1", "iss": "x", "aud": "y", "name": "Alice", "email": "new@acme.example"})),
        &Flaws::none(),
    )
    .expect("accepted");
    assert_eq!(a.issuer(), ISS);
    assert_eq!(a.claims()["aud"], CLIENT);
    assert_eq!(a.claims()["name"], "Alice");
    assert_eq!(a.claims()["email"], "new@acme.example");
    assert!(a.danger_flaws_used().is_empty());
    let a = accept(
        validated(&claims()),
        UserinfoAnswer::NotOffered,
        &Flaws::none(),
    )
    .expect("no endpoint");
    assert_eq!(a.claims()["email"], "alice@acme.example");
}

#[test]
fn claim_path_flattens_arrays_and_stringifies_scalars() {
    let c = with(&[
        ("groups", json!(["ml-admins", "ml-readers"])),
        (
            "user",
            json!({"role": "admin", "teams": [{"name": "a"}, {"name": "b"}], "level": 3}),
        ),
        ("https://acme.example/roles", json!(["owner"])),
        ("flags", json!([true, null, [1, 2]])),
    ]);
    let a = accept(validated(&c), UserinfoAnswer::NotOffered, &Flaws::none()).expect("ok");
    assert_eq!(a.claim_path("groups"), ["ml-admins", "ml-readers"]);
    assert_eq!(a.claim_path("user.role"), ["admin"]);
    assert_eq!(a.claim_path("user.teams.name"), ["a", "b"]);
    assert_eq!(a.claim_path("user.level"), ["3"]);
    assert_eq!(a.claim_path("https://acme.example/roles"), ["owner"]);
    assert_eq!(a.claim_path("flags"), ["true", "1", "2"]);
    assert!(a.claim_path("user").is_empty(), "an object is not a value");
    assert!(a.claim_path("nope.deeper").is_empty());
    assert!(a.claim_path("").is_empty());
    assert!(!a.has_groups_overage());
}

#[test]
fn oidc_grp_1_entra_overage_yields_no_groups() {
    let c = with(&[
        ("_claim_names", json!({"groups": "src1"})),
        (
            "_claim_sources",
            json!({"src1": {"endpoint": "https://graph.microsoft.com/v1.0/users/x/getMemberObjects"}}),
        ),
        ("roles", json!(["Admin"])),
    ]);
    let a = accept(
        validated(&c),
        ui(json!({"sub": "00u1", "groups": ["from-userinfo"]})),
        &Flaws::none(),
    )
    .expect("no crash");
    assert!(a.has_groups_overage());
    assert!(a.claim_path("groups").is_empty());
    assert_eq!(a.claim_path("roles"), ["Admin"]);
}
