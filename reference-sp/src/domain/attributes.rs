//! What the IdP said about the user, in one shape for both protocols: SAML attributes looked up
//! by exact name or URI, OIDC claims looked up by dot path [ROLE-1].

use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Attributes {
    /// Looked up by exact key: SAML attribute names (or URIs), or OIDC claim paths the RP
    /// already resolved.
    Exact(BTreeMap<String, Vec<String>>),
    /// OIDC claims, walked by dot path here.
    Claims(Map<String, Value>),
}

impl Attributes {
    pub fn empty() -> Self {
        Attributes::Exact(BTreeMap::new())
    }

    /// The string values at `path`. SAML: the attribute named exactly `path`. OIDC: `path`
    /// split on '.', walking objects; a claim name containing dots is tried whole first (so a
    /// URI-like claim name still resolves). Arrays yield each scalar; numbers and booleans are
    /// rendered as JSON text.
    pub fn values(&self, path: &str) -> Vec<String> {
        match self {
            Attributes::Exact(m) => m.get(path).cloned().unwrap_or_default(),
            Attributes::Claims(claims) => {
                if let Some(v) = claims.get(path) {
                    return scalars(v);
                }
                let mut cur: Option<&Value> = None;
                for (i, seg) in path.split('.').enumerate() {
                    let next = if i == 0 {
                        claims.get(seg)
                    } else {
                        cur.and_then(|v| v.as_object()).and_then(|o| o.get(seg))
                    };
                    match next {
                        Some(v) => cur = Some(v),
                        None => return Vec::new(),
                    }
                }
                cur.map(scalars).unwrap_or_default()
            }
        }
    }

    /// The first value at `path`.
    pub fn first(&self, path: &str) -> Option<String> {
        self.values(path).into_iter().next()
    }
}

fn scalars(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(a) => a
            .iter()
            .filter(|x| !x.is_array() && !x.is_object())
            .flat_map(scalars)
            .collect(),
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn oidc_dot_paths() {
        let Value::Object(m) = json!({
            "groups": ["a", "b", {"x": 1}],
            "user": {"role": "admin", "level": 3},
            "https://example.com/claims.role": "writer",
            "flag": true
        }) else {
            unreachable!()
        };
        let a = Attributes::Claims(m);
        assert_eq!(a.values("groups"), vec!["a", "b"]);
        assert_eq!(a.values("user.role"), vec!["admin"]);
        assert_eq!(a.values("user.level"), vec!["3"]);
        assert_eq!(a.values("https://example.com/claims.role"), vec!["writer"]);
        assert_eq!(a.values("flag"), vec!["true"]);
        assert!(a.values("user.missing").is_empty());
        assert!(a.values("user").is_empty());
        assert!(a.values("").is_empty());
    }

    #[test]
    fn saml_exact_names() {
        let mut m = BTreeMap::new();
        m.insert(
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role".to_string(),
            vec!["Admin".to_string()],
        );
        let a = Attributes::Exact(m);
        assert_eq!(
            a.first("http://schemas.microsoft.com/ws/2008/06/identity/claims/role"),
            Some("Admin".into())
        );
        assert!(a.values("role").is_empty());
    }
}
