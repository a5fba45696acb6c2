//! Helpers over the values of a multi-valued attribute: identity, merging, the single primary,
//! and the array a key holds.

use serde_json::{Map, Value};

use crate::scim::json::{get_ci, key_ci};

/// What identifies a value of a multi-valued attribute: its `value`, else itself.
pub(super) fn identity(v: &Value) -> &Value {
    v.as_object().and_then(|m| get_ci(m, "value")).unwrap_or(v)
}

pub(super) fn merge_into(existing: &mut Value, new: Value) {
    match (existing, new) {
        (Value::Object(e), Value::Object(n)) => {
            for (k, v) in n {
                let key = key_ci(e, &k).unwrap_or(k);
                e.insert(key, v);
            }
        }
        (e, n) => *e = n,
    }
}

pub(super) fn is_primary(v: &Value) -> bool {
    v.as_object()
        .and_then(|m| get_ci(m, "primary"))
        .is_some_and(|p| *p == Value::Bool(true))
}

/// RFC 7643 §2.4: at most one primary. If one of `touched` is primary, the others are not.
pub(super) fn demote_primaries(arr: &mut [Value], touched: &[usize]) {
    let Some(&keep) = touched
        .iter()
        .rev()
        .find(|&&i| arr.get(i).is_some_and(is_primary))
    else {
        return;
    };
    for (i, v) in arr.iter_mut().enumerate() {
        if i != keep && is_primary(v) {
            if let Some(m) = v.as_object_mut() {
                let key = key_ci(m, "primary").unwrap_or_else(|| "primary".into());
                m.insert(key, Value::Bool(false));
            }
        }
    }
}

/// The array under `key`, created if absent; a lone non-array value becomes its element.
pub(super) fn ensure_array<'h>(h: &'h mut Map<String, Value>, key: &str) -> &'h mut Vec<Value> {
    let slot = h
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        let single = std::mem::take(slot);
        *slot = Value::Array(if single.is_null() {
            vec![]
        } else {
            vec![single]
        });
    }
    match slot {
        Value::Array(a) => a,
        // Made an array just above.
        _ => unreachable!("slot is an array"),
    }
}

pub(super) fn drop_if_empty(h: &mut Map<String, Value>, key: &str) {
    let empty = match h.get(key) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        h.remove(key);
    }
}
