//! Case-insensitive access to the members of a JSON object: RFC 7643 §2.1 makes attribute names
//! and schema URNs case-insensitive, and every reader of a resource (normalisation, filter
//! evaluation, PATCH) looks keys up this way.

use serde_json::{Map, Value};

/// `key` in `map`, case-insensitively (an exact match wins).
pub(crate) fn get_ci<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The key actually used in `map` for `key`, case-insensitively.
pub(crate) fn key_ci(map: &Map<String, Value>, key: &str) -> Option<String> {
    if map.contains_key(key) {
        return Some(key.to_string());
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}
