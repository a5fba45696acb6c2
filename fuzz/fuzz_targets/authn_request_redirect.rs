//! The mock IdPs' HTTP-Redirect AuthnRequest decoding: any query string is an answer.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = protocols::saml::parse_redirect(query, protocols::saml::DEFAULT_MAX_INFLATED);
    }
    // Raw bytes as the deflated payload too, so the inflater sees arbitrary streams.
    let encoded = protocols::saml::b64_encode(data);
    let query = format!(
        "SAMLRequest={}",
        encoded.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    );
    let _ = protocols::saml::parse_redirect(&query, protocols::saml::DEFAULT_MAX_INFLATED);
});
