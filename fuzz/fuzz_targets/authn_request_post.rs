//! HTTP-POST AuthnRequests: the decoded bytes go straight to the XML reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let encoded = protocols::saml::b64_encode(data);
    let _ = protocols::saml::parse_post(&encoded, Some("rs"), protocols::saml::DEFAULT_MAX_INFLATED);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = protocols::xml::parse(s);
    }
});
