//! The SCIM filter grammar: parse, print, re-parse, evaluate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocols::scim::filter::{Filter, FilterLimits};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(f) = Filter::parse(s) {
        let printed = f.to_string();
        // The printed form can be longer than the input (whitespace such as CR is printed as
        // one space, operators get their spaces), so the input length limit is not part of the
        // round trip (found by the 10M-run of 2026-12-07); the nesting limit still is.
        let limits = FilterLimits {
            max_len: usize::MAX,
            ..FilterLimits::default()
        };
        let again = Filter::parse_with(&printed, limits).expect("a printed filter parses");
        assert_eq!(f, again, "print then parse is the identity");
        let user = serde_json::json!({"userName": "a", "emails": [{"value": "x", "type": "work"}], "active": true});
        let _ = f.matches(&user, &protocols::scim::schema::USER_RESOURCE);
    }
});
