//! The SCIM filter grammar: parse, print, re-parse, evaluate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocols::scim::filter::Filter;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(f) = Filter::parse(s) {
        let printed = f.to_string();
        let again = Filter::parse(&printed).expect("a printed filter parses");
        assert_eq!(f, again, "print then parse is the identity");
        let user = serde_json::json!({"userName": "a", "emails": [{"value": "x", "type": "work"}], "active": true});
        let _ = f.matches(&user, &protocols::scim::schema::USER_RESOURCE);
    }
});
