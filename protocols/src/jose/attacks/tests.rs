//! Each token transform gives the intended header, claims and signature; where the attack needs
//! a valid signature, `verify` against the right key set says so.

use super::*;
use crate::clock::snapshot_epoch;
use crate::jose::{sign, verify, HeaderOptions, Jwks};
use crate::keys::Validity;
use serde_json::json;
use std::sync::OnceLock;

const ACCESS: &str = "access-token-1";

fn key(kind: KeyKind, kid: &str) -> SigningKey {
    SigningKey::generate(kind, kid, "test", Validity::current(snapshot_epoch(), 1)).expect("key")
}

fn op() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "op-1"))
}

fn op_ec() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Ec, "op-ec"))
}

fn rotated() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "op-2"))
}

fn evil() -> &'static SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| key(KeyKind::Rsa, "attacker-1"))
}

fn claims() -> Value {
    json!({
        "iss": "https://op.example", "aud": "client", "sub": "u1", "iat": 1, "exp": 2,
        "nonce": "n", "at_hash": left_half_hash(ACCESS, alg_for(KeyKind::Rsa)),
    })
}

fn token() -> String {
    let opts = HeaderOptions {
        typ: Some("JWT".into()),
        ..HeaderOptions::default()
    };
    sign(op(), &claims(), &opts).expect("signs")
}

fn ctx() -> TokenContext<'static> {
    TokenContext {
        foreign_key: Some(evil()),
        rotated_key: Some(rotated()),
        ec_kid: Some(op_ec().kid()),
        ..TokenContext::new(op())
    }
}

fn attacked(attack: OidcAttack) -> (String, Decoded) {
    let t = apply(attack, &token(), &ctx()).expect("applies");
    let d = decode_unverified(&t).expect("decodes");
    (t, d)
}

fn jwks(keys: &[&SigningKey]) -> Jwks {
    Jwks::from_keys(keys.iter().copied()).expect("jwks")
}

fn published() -> Jwks {
    jwks(&[op(), op_ec()])
}

fn h<'a>(d: &'a Decoded, name: &str) -> Option<&'a str> {
    d.header.get(name).and_then(Value::as_str)
}

#[test]
fn serde_names_are_kebab_case_unique_and_match_name() {
    let mut seen = std::collections::HashSet::new();
    for a in OidcAttack::ALL {
        let v = serde_json::to_value(a).expect("json");
        assert_eq!(v, json!(a.name()));
        assert_eq!(serde_json::from_value::<OidcAttack>(v).expect("back"), a);
        assert!(seen.insert(a.name()) && a.catalogue_id().starts_with("OIDC-"));
    }
}

#[test]
fn honest_token_verifies_first() {
    verify(&token(), &published(), &["RS256", "ES256"]).expect("honest");
}

#[test]
fn oidc_sig_1_corrupt_signature_flips_one_bit() {
    let (t, d) = attacked(OidcAttack::CorruptSignature);
    let honest = decode_unverified(&token()).expect("decodes");
    assert_eq!(
        (d.header.clone(), d.claims.clone()),
        (honest.header, honest.claims)
    );
    let diff: u32 = d
        .signature
        .iter()
        .zip(&honest.signature)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert_eq!(diff, 1);
    assert!(matches!(
        verify(&t, &published(), &["RS256"]),
        Err(JoseError::BadSignature)
    ));
}

#[test]
fn oidc_sig_2_alg_none_has_no_signature() {
    let (t, d) = attacked(OidcAttack::AlgNone);
    assert_eq!(h(&d, "alg"), Some("none"));
    assert_eq!(h(&d, "kid"), Some("op-1"));
    assert!(t.ends_with('.') && d.signature.is_empty());
    assert!(matches!(
        verify(&t, &published(), &["RS256"]),
        Err(JoseError::AlgNotAllowed { .. })
    ));
}

#[test]
fn oidc_sig_3_hs256_is_keyed_with_the_public_pem() {
    let (t, d) = attacked(OidcAttack::Hs256PublicKey);
    assert_eq!((h(&d, "alg"), h(&d, "kid")), (Some("HS256"), Some("op-1")));
    let pem = op().public_pem().expect("pem");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let key = jsonwebtoken::DecodingKey::from_secret(pem.as_bytes()).expect("secret");
    let sig = URL_SAFE_NO_PAD.encode(&d.signature);
    assert_eq!(
        jsonwebtoken::crypto::verify(
            &sig,
            d.signing_input.as_bytes(),
            &key,
            jsonwebtoken::Algorithm::HS256
        )
        .ok(),
        Some(true),
        "a verifier that trusts the header would accept it"
    );
    assert!(matches!(
        verify(&t, &published(), &["RS256"]),
        Err(JoseError::AlgNotAllowed { .. })
    ));
}

#[test]
fn oidc_sig_4_psychic_signature_is_all_zero_es256() {
    let (t, d) = attacked(OidcAttack::PsychicSignature);
    assert_eq!((h(&d, "alg"), h(&d, "kid")), (Some("ES256"), Some("op-ec")));
    assert_eq!(d.signature, vec![0u8; 64]);
    assert!(matches!(
        verify(&t, &published(), &["RS256", "ES256"]),
        Err(JoseError::BadSignature)
    ));
    // Without an EC key published the token's kid stays.
    let c = TokenContext::new(op());
    let d = decode_unverified(&apply(OidcAttack::PsychicSignature, &token(), &c).expect("ok"))
        .expect("decodes");
    assert_eq!(h(&d, "kid"), Some("op-1"));
}

#[test]
fn oidc_sig_5_header_jwk_carries_the_attackers_key_that_signed() {
    let (t, d) = attacked(OidcAttack::HeaderJwk);
    assert_eq!(h(&d, "kid"), None);
    assert_eq!(h(&d, "typ"), Some("JWT"));
    let jwk: Jwk = serde_json::from_value(d.header["jwk"].clone()).expect("jwk");
    assert_eq!(jwk, Jwk::from_key(evil(), false).expect("jwk"));
    verify(&t, &jwks(&[evil()]), &["RS256"]).expect("valid under the embedded key");
    assert!(matches!(
        verify(&t, &jwks(&[op()]), &["RS256"]),
        Err(JoseError::BadSignature)
    ));
}

#[test]
fn oidc_sig_5_header_jku_names_the_attackers_key_set() {
    let (t, d) = attacked(OidcAttack::HeaderJku);
    assert_eq!(h(&d, "jku"), Some(DEFAULT_JKU));
    assert_eq!(h(&d, "kid"), Some("attacker-1"));
    verify(&t, &jwks(&[evil()]), &["RS256"]).expect("valid under the attacker's key set");
    assert!(matches!(
        verify(&t, &published(), &["RS256"]),
        Err(JoseError::UnknownKid { .. })
    ));
}

#[test]
fn oidc_kid_1_and_kid_2_no_kid_is_validly_signed_without_a_kid() {
    for attack in [OidcAttack::NoKidSingleKey, OidcAttack::NoKidSeveralKeys] {
        let (t, d) = attacked(attack);
        assert_eq!(h(&d, "kid"), None);
        verify(&t, &jwks(&[op()]), &["RS256"]).expect("one key fits");
        assert!(matches!(
            verify(&t, &jwks(&[op(), rotated()]), &["RS256"]),
            Err(JoseError::AmbiguousKey { count: 2 })
        ));
    }
    assert_eq!(
        OidcAttack::NoKidSingleKey.key_set_change(),
        KeySetChange::RetireInactive
    );
    assert_eq!(
        OidcAttack::NoKidSeveralKeys.key_set_change(),
        KeySetChange::PublishAnother
    );
}

#[test]
fn oidc_kid_3_unknown_kid_is_the_rotated_key() {
    let (t, d) = attacked(OidcAttack::UnknownKidRotated);
    assert_eq!(h(&d, "kid"), Some("op-2"));
    assert!(matches!(
        verify(&t, &published(), &["RS256"]),
        Err(JoseError::UnknownKid { .. })
    ));
    verify(&t, &jwks(&[op(), rotated()]), &["RS256"]).expect("after the refetch");
    assert!(matches!(
        apply(
            OidcAttack::UnknownKidRotated,
            &token(),
            &TokenContext::new(op())
        ),
        Err(AttackError::MissingKey { .. })
    ));
}

#[test]
fn oidc_hash_1_wrong_hashes_are_validly_signed() {
    let (t, d) = attacked(OidcAttack::WrongAtHash);
    verify(&t, &published(), &["RS256"]).expect("signed by the OP");
    let honest = left_half_hash(ACCESS, alg_for(KeyKind::Rsa));
    assert_ne!(d.claims["at_hash"], json!(honest));
    assert_eq!(d.claims["sub"], json!("u1"));

    let (t, d) = attacked(OidcAttack::WrongCHash);
    verify(&t, &published(), &["RS256"]).expect("signed by the OP");
    assert_eq!(
        d.claims["c_hash"],
        json!(left_half_hash(WRONG_HASH_INPUT, alg_for(KeyKind::Rsa)))
    );
    assert_eq!(d.claims["at_hash"], json!(honest));
}

#[test]
fn oidc_state_1_state_is_altered_or_dropped_on_the_callback() {
    use OidcAttack::*;
    assert_eq!(
        callback_state(Some(StateAltered), Some("st")),
        Some("st-tampered".into())
    );
    assert_eq!(
        callback_state(Some(StateAltered), None),
        Some("idpsim-tampered".into())
    );
    assert_eq!(callback_state(Some(StateMissing), Some("st")), None);
    assert_eq!(callback_state(Some(AlgNone), Some("st")), Some("st".into()));
    assert_eq!(callback_state(None, None), None);
    assert_eq!(StateAltered.stage(), Stage::Authorize);
}

#[test]
fn oidc_disc_1_discovery_issuer_differs() {
    let mut doc = json!({"issuer": "https://op.example/t/", "jwks_uri": "x"});
    discovery(Some(OidcAttack::DiscoveryIssuerMismatch), &mut doc);
    assert_eq!(doc["issuer"], json!("https://op.example/t/attacker"));
    let mut doc = json!({"issuer": "https://op.example"});
    discovery(Some(OidcAttack::AlgNone), &mut doc);
    discovery(None, &mut doc);
    assert_eq!(doc["issuer"], json!("https://op.example"));
}

#[test]
fn only_token_attacks_apply_to_tokens() {
    for a in OidcAttack::ALL {
        let r = apply(a, &token(), &ctx());
        assert_eq!(
            matches!(r, Err(AttackError::NotATokenAttack { .. })),
            a.stage() != Stage::Token,
            "{a}"
        );
    }
    assert!(matches!(
        apply(OidcAttack::AlgNone, "not.a-token", &ctx()),
        Err(AttackError::Jose { .. })
    ));
}
