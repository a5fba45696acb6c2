use super::*;
use crate::clock::snapshot_epoch;
use crate::keys::Validity;
use serde_json::json;
use std::sync::OnceLock;

fn rsa() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| {
        SigningKey::generate(
            KeyKind::Rsa,
            "rsa-1",
            "test",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("rsa key")
    })
}

fn rsa2() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| {
        SigningKey::generate(
            KeyKind::Rsa,
            "rsa-2",
            "test",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("rsa key")
    })
}

fn ec() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| {
        SigningKey::generate(
            KeyKind::Ec,
            "ec-1",
            "test",
            Validity::current(snapshot_epoch(), 1),
        )
        .expect("ec key")
    })
}

fn claims() -> Value {
    let now = snapshot_epoch().timestamp();
    json!({"iss":"https://idp.example","aud":"client-1","sub":"00u1","iat":now,"exp":now+3600,"nonce":"n-1"})
}

fn checks() -> ClaimChecks<'static> {
    ClaimChecks {
        issuer: "https://idp.example",
        client_id: "client-1",
        nonce: Some("n-1"),
        now: snapshot_epoch(),
        skew_secs: 180,
        max_iat_future_secs: 180,
    }
}

#[test]
fn rs256_and_es256_round_trip() {
    for key in [rsa(), ec()] {
        let t = sign(key, &claims(), &HeaderOptions::default()).expect("sign");
        let jwks = Jwks::from_keys([key]).expect("jwks");
        let d = verify(&t, &jwks, &["RS256", "ES256"]).expect("verify");
        assert_eq!(d.header["kid"], key.kid());
        checks().check(&d.claims).expect("claims");
    }
}

#[test]
fn kid_selects_among_several_keys() {
    let jwks = Jwks::from_keys([rsa(), rsa2(), ec()]).expect("jwks");
    let t = sign(rsa2(), &claims(), &HeaderOptions::default()).expect("sign");
    assert!(verify(&t, &jwks, &["RS256"]).is_ok());
}

#[test]
fn oidc_kid_1_and_kid_2_no_kid_with_one_key_verifies_and_with_several_is_ambiguous() {
    let opts = HeaderOptions {
        kid: false,
        ..HeaderOptions::default()
    };
    let t = sign(rsa(), &claims(), &opts).expect("sign");
    assert!(verify(&t, &Jwks::from_keys([rsa()]).expect("jwks"), &["RS256"]).is_ok());
    let many = Jwks::from_keys([rsa(), rsa2()]).expect("jwks");
    assert!(matches!(
        verify(&t, &many, &["RS256"]),
        Err(JoseError::AmbiguousKey { count: 2 })
    ));
}

#[test]
fn oidc_kid_3_unknown_kid_is_reported() {
    let t = sign(rsa2(), &claims(), &HeaderOptions::default()).expect("sign");
    let jwks = Jwks::from_keys([rsa()]).expect("jwks");
    assert!(
        matches!(verify(&t, &jwks, &["RS256"]), Err(JoseError::UnknownKid { kid }) if kid == "rsa-2")
    );
}

#[test]
fn oidc_sig_1_wrong_key_and_corrupted_signature_fail() {
    let t = sign(rsa(), &claims(), &HeaderOptions::default()).expect("sign");
    let mut other = Jwks::from_keys([rsa2()]).expect("jwks");
    other.keys[0].kid = Some("rsa-1".into());
    assert!(matches!(
        verify(&t, &other, &["RS256"]),
        Err(JoseError::BadSignature)
    ));

    let (head, sig) = t.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    bytes[10] ^= 0x01;
    let bad = format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes));
    let jwks = Jwks::from_keys([rsa()]).expect("jwks");
    assert!(matches!(
        verify(&bad, &jwks, &["RS256"]),
        Err(JoseError::BadSignature)
    ));
}

#[test]
fn oidc_sig_2_and_sig_3_alg_none_and_hs256_are_refused() {
    let jwks = Jwks::from_keys([rsa()]).expect("jwks");
    let body = URL_SAFE_NO_PAD.encode(claims().to_string());
    let none = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#));
    assert!(matches!(
        verify(&none, &jwks, &["RS256"]),
        Err(JoseError::AlgNotAllowed { .. })
    ));
    // Even a caller who (wrongly) allows HS256 never gets an HMAC check against a public key.
    let hs = format!(
        "{}.{body}.AAAA",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"rsa-1"}"#)
    );
    assert!(matches!(
        verify(&hs, &jwks, &["RS256", "HS256"]),
        Err(JoseError::AlgNotAllowed { .. })
    ));
}

#[test]
fn malformed_tokens_are_errors() {
    let jwks = Jwks::from_keys([rsa()]).expect("jwks");
    for t in ["", "a.b", "a.b.c.d", "!!.e30.", "e30.bm90anNvbg.AA"] {
        assert!(verify(t, &jwks, &["RS256"]).is_err(), "{t}");
    }
}

#[test]
fn oidc_core_3_1_3_7_claim_rules() {
    let base = claims();
    let with = |k: &str, v: Value| {
        let mut c = base.as_object().expect("object").clone();
        c.insert(k.into(), v);
        c
    };
    let without = |k: &str| {
        let mut c = base.as_object().expect("object").clone();
        c.remove(k);
        c
    };
    let now = snapshot_epoch().timestamp();
    let ck = checks();
    assert!(matches!(
        ck.check(&with("iss", json!("https://evil"))),
        Err(JoseError::ClaimMismatch { claim: "iss", .. })
    ));
    assert!(matches!(
        ck.check(&with("aud", json!("other"))),
        Err(JoseError::ClaimMismatch { claim: "aud", .. })
    ));
    assert!(matches!(
        ck.check(&without("aud")),
        Err(JoseError::ClaimMissing { claim: "aud" })
    ));
    assert!(matches!(
        ck.check(&with("azp", json!("other"))),
        Err(JoseError::ClaimMismatch { claim: "azp", .. })
    ));
    assert!(matches!(
        ck.check(&with("aud", json!(["client-1", "evil"]))),
        Err(JoseError::ClaimMissing { claim: "azp" })
    ));
    assert!(matches!(
        ck.check(&without("sub")),
        Err(JoseError::ClaimMissing { claim: "sub" })
    ));
    assert!(matches!(
        ck.check(&without("iat")),
        Err(JoseError::ClaimMissing { claim: "iat" })
    ));
    assert!(matches!(
        ck.check(&with("iat", json!(now + 86_400))),
        Err(JoseError::IssuedInFuture { .. })
    ));
    assert!(matches!(
        ck.check(&with("exp", json!(now - 181))),
        Err(JoseError::Expired { .. })
    ));
    assert!(matches!(
        ck.check(&without("exp")),
        Err(JoseError::ClaimMissing { claim: "exp" })
    ));
    assert!(matches!(
        ck.check(&with("nonce", json!("x"))),
        Err(JoseError::ClaimMismatch { claim: "nonce", .. })
    ));
    assert!(matches!(
        ck.check(&without("nonce")),
        Err(JoseError::ClaimMissing { claim: "nonce" })
    ));
    // within skew is fine
    assert!(ck.check(&with("exp", json!(now - 60))).is_ok());
}

#[test]
fn oidc_core_3_1_3_6_at_hash_matches_an_independent_computation() {
    // python3: base64url(sha256(b"dNZX1hEZ9wBCzNL40Upu646bdzQA")[:16])
    assert_eq!(
        left_half_hash(
            "dNZX1hEZ9wBCzNL40Upu646bdzQA",
            jsonwebtoken::Algorithm::RS256
        ),
        "wfgvmE9VxjAudsl9lc6TqA"
    );
}

#[test]
fn jwks_shapes() {
    let jwks = Jwks::from_keys([rsa(), ec()]).expect("jwks");
    let v = serde_json::to_value(&jwks).expect("json");
    assert_eq!(v["keys"][0]["kty"], "RSA");
    assert_eq!(v["keys"][0]["e"], "AQAB");
    assert_eq!(v["keys"][0]["use"], "sig");
    assert!(v["keys"][0]["x5c"].is_array());
    assert_eq!(v["keys"][1]["crv"], "P-256");
    assert_eq!(v["keys"][1]["x"].as_str().map(str::len), Some(43));
}
