//! The SP's XML-DSig verifier (`protocols::saml::verify_signatures`, the `dsig` crate over
//! xmlsec1): any text answers with a verdict or an error, never a panic or a memory error, and
//! what a verified reference hands back parses with our reader or is refused by it.
//! Seeded with an Okta-style response (Response and Assertion signed) by the pinned okta-1 key,
//! so mutations start from signatures that verify.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn trusted() -> &'static [u8] {
    static CERT: OnceLock<Vec<u8>> = OnceLock::new();
    CERT.get_or_init(|| {
        let pem = include_str!("../../fixtures/keys/okta-1.crt.pem");
        let key = include_str!("../../fixtures/keys/okta-1.key.pem");
        protocols::keys::SigningKey::from_pem("okta-1", key, pem)
            .expect("pinned key")
            .cert_der()
            .to_vec()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(verified) = protocols::saml::verify_signatures(text, trusted()) {
        for id in verified.covered_ids() {
            let signed = verified
                .signed_content(id)
                .expect("a covered id has signed content");
            let _ = protocols::xml::parse(signed);
        }
    }
});
