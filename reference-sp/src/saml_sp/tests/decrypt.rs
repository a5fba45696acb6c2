//! EncryptedAssertion (SAML-ENC-*): decrypted with the SP's key, then validated exactly as a
//! plain assertion; decryption proves nothing about the sender.

use super::*;
use crate::flaws::Flaw;
use protocols::saml::{DataEncryption, EncryptionSettings, KeyTransport};
use protocols::xml::ns;

fn settings(data: DataEncryption, key_transport: KeyTransport) -> EncryptionSettings {
    EncryptionSettings {
        data,
        key_transport,
    }
}

/// Sign the assertion, encrypt it, then (when `response_signed`) sign the Response over the
/// EncryptedAssertion: Okta's order.
fn sealed(s: &ResponseSpec, assertion_signed: bool, response_signed: bool) -> Element {
    let placement = if assertion_signed {
        SignaturePlacement::Assertion
    } else {
        SignaturePlacement::None
    };
    let mut r = sign(s, placement);
    encrypt_to(&mut r, sp_enc_key(), &EncryptionSettings::default());
    if response_signed {
        sign_root(&mut r);
    }
    r
}

#[test]
fn an_honest_encrypted_assertion_is_accepted_with_every_algorithm() {
    // SAML-ENC-1
    for data in DataEncryption::ALL {
        for kt in [KeyTransport::RsaOaepMgf1p, KeyTransport::RsaOaep] {
            let mut r = valid();
            encrypt_to(&mut r, sp_enc_key(), &settings(data, kt));
            assert!(r.find_all("Assertion").is_empty());
            let a = check_with(&cfg_enc(), &r, &Flaws::none())
                .unwrap_or_else(|e| panic!("{data:?} {kt:?}: {e}"));
            assert_eq!(a.name_id(), ALICE);
        }
    }
}

#[test]
fn okta_order_sign_encrypt_sign_is_accepted_and_reports_both_signatures() {
    // SAML-ENC-1, Okta's default placement (both).
    let a = check_with(&cfg_enc(), &sealed(&spec(), true, true), &Flaws::none()).expect("ok");
    assert!(a.response_signed() && a.assertion_signed());
    // Only the Response signed, over the EncryptedAssertion: it covers the ciphertext.
    let a = check_with(&cfg_enc(), &sealed(&spec(), false, true), &Flaws::none()).expect("ok");
    assert!(a.response_signed() && !a.assertion_signed());
}

#[test]
fn a_response_signature_that_no_longer_verifies_is_refused() {
    // Another (equally valid) encryption of the assertion under the Response signature made
    // over the first one: the signature covers the ciphertext, so it fails.
    let mut r = sealed(&spec(), true, true);
    let mut again = sealed(&spec(), true, false);
    let i = r.child_index("EncryptedAssertion").expect("ea");
    r.children[i] = Node::Element(take_child(&mut again, "EncryptedAssertion"));
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::SignatureInvalid { .. }
    );
}

#[test]
fn an_unsigned_assertion_inside_an_encrypted_one_is_refused() {
    // SAML-ENC-2
    let r = sealed(&spec(), false, false);
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::Unsigned
    );
    // The flaw of trusting decryption lets it through (and only with encryption).
    let flaw = Flaws::none().with(Flaw::AcceptUnsignedEncrypted);
    assert!(check_with(&cfg_enc(), &r, &flaw).is_ok());
    assert_rejected!(
        check_with(&cfg_enc(), &sign(&spec(), SignaturePlacement::None), &flaw),
        SamlRejection::Unsigned
    );
}

#[test]
fn an_assertion_encrypted_to_another_key_is_refused() {
    // SAML-ENC-3
    let mut r = valid();
    encrypt_to(&mut r, attacker(), &EncryptionSettings::default());
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::Undecryptable { .. }
    );
}

#[test]
fn wrapping_through_an_encrypted_assertion_is_refused() {
    // SAML-ENC-4: XSW3 (an evil assertion before the signed one), both encrypted.
    let mut r = valid();
    let i = assertion_index(&r);
    let evil = evil_clone(assertion_mut(&mut r), "_evil", "mallory@evil.example");
    insert(&mut r, i, evil);
    encrypt_to(&mut r, sp_enc_key(), &EncryptionSettings::default());
    assert_eq!(r.find_all("EncryptedAssertion").len(), 2);
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::MultipleAssertions { found: 2 }
    );
    // XSW4-like: the signed assertion inside an evil one, sent encrypted.
    let mut r = valid();
    let original = take_assertion(&mut r);
    let mut evil = evil_clone(&original, "_evil", "mallory@evil.example");
    strip_signature(&mut evil);
    evil.children.push(Node::Element(original));
    insert(&mut r, 2, evil);
    encrypt_to(&mut r, sp_enc_key(), &EncryptionSettings::default());
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::MultipleAssertions { found: 2 }
    );
}

#[test]
fn an_sp_without_a_key_and_misplaced_or_unknown_encryption_are_refused_clearly() {
    // SAML-ENC-5
    let mut r = valid();
    encrypt_to(&mut r, sp_enc_key(), &EncryptionSettings::default());
    assert_rejected!(check(&r), SamlRejection::EncryptedAssertionUnsupported);

    // An EncryptedAssertion hidden in Extensions, next to a plain signed assertion.
    let mut hidden = valid();
    encrypt_to(&mut hidden, sp_enc_key(), &EncryptionSettings::default());
    let ea = take_child(&mut hidden, "EncryptedAssertion");
    let mut r = valid();
    insert(
        &mut r,
        1,
        Element::new("saml2p", "Extensions")
            .ns("saml2p", ns::SAMLP)
            .child(ea),
    );
    assert_rejected!(
        check_with(&cfg_enc(), &r, &Flaws::none()),
        SamlRejection::EncryptedAssertionMisplaced
    );

    let mut r = valid();
    encrypt_to(&mut r, sp_enc_key(), &EncryptionSettings::default());
    let text = r.to_document().replace(
        DataEncryption::Aes256Cbc.uri(),
        "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
    );
    assert_rejected!(
        validate_response(
            &cfg_enc(),
            &b64_encode(text),
            &MemState::expecting(&[REQ]),
            &Flaws::none(),
            now()
        ),
        SamlRejection::EncryptionAlgorithmUnsupported { .. }
    );
}

fn take_child(r: &mut Element, name: &str) -> Element {
    let i = r.child_index(name).expect("child");
    match r.children.remove(i) {
        Node::Element(e) => e,
        _ => unreachable!("child_index finds elements"),
    }
}
