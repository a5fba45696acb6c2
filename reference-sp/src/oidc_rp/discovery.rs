//! The OP's discovery document and JWKS, read from fetched answers (pure: no I/O here).

use super::error::OidcRejection;
use super::http::Answer;
use protocols::id_types::Issuer;
use protocols::jose::{Jwk, Jwks};
use serde_json::{Map, Value};

/// The parts of the discovery document the RP uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: Issuer,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// Optional in OIDC Discovery; without it the RP relies on the id_token alone.
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: String,
}

/// OIDC Discovery 4: strip one trailing slash from the issuer, append the well-known path.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.strip_suffix('/').unwrap_or(issuer)
    )
}

/// Read and check a discovery answer fetched from `url` for `expected_issuer`.
pub fn parse_discovery(
    expected_issuer: &str,
    url: &str,
    answer: &Answer,
) -> Result<ProviderMetadata, OidcRejection> {
    let invalid = |reason: String| OidcRejection::DiscoveryInvalid {
        url: url.to_string(),
        reason,
    };
    if !answer.is_success() {
        return Err(OidcRejection::DiscoveryUnavailable {
            url: url.to_string(),
            reason: format!("HTTP {}: {}", answer.status, answer.excerpt()),
        });
    }
    let doc = answer.json_object().map_err(|e| invalid(e.to_string()))?;
    let issuer = string_field(&doc, "issuer").map_err(|e| invalid(e.to_string()))?;
    // OIDC Discovery 4.3: exactly the configured issuer, no normalisation.
    if issuer != expected_issuer {
        return Err(OidcRejection::DiscoveryIssuerMismatch {
            expected: expected_issuer.to_string(),
            found: issuer,
        });
    }
    let endpoint = |name: &'static str| -> Result<String, OidcRejection> {
        let v = string_field(&doc, name).map_err(|e| invalid(e.to_string()))?;
        http_url(&v).map_err(|e| invalid(format!("{name} {v:?}: {e}")))?;
        Ok(v)
    };
    let userinfo_endpoint = match doc.get("userinfo_endpoint") {
        None | Some(Value::Null) => None,
        Some(_) => Some(endpoint("userinfo_endpoint")?),
    };
    Ok(ProviderMetadata {
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        jwks_uri: endpoint("jwks_uri")?,
        userinfo_endpoint,
        issuer: issuer.into(),
    })
}

/// What is wrong with one field of the discovery document.
#[derive(Debug, thiserror::Error)]
enum FieldError {
    #[error("{name} is not a non-empty string")]
    NotANonEmptyString { name: &'static str },
    #[error("{name} is missing")]
    Missing { name: &'static str },
    #[error(transparent)]
    NotAUrl(#[from] url::ParseError),
    #[error("scheme {scheme} is not http(s)")]
    NotHttp { scheme: String },
}

fn string_field(doc: &Map<String, Value>, name: &'static str) -> Result<String, FieldError> {
    match doc.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(FieldError::NotANonEmptyString { name }),
        None => Err(FieldError::Missing { name }),
    }
}

fn http_url(s: &str) -> Result<url::Url, FieldError> {
    let u = url::Url::parse(s)?;
    match u.scheme() {
        "http" | "https" => Ok(u),
        other => Err(FieldError::NotHttp {
            scheme: other.to_string(),
        }),
    }
}

/// Read a JWKS answer. Keys that do not parse and encryption keys are left out rather than
/// failing the whole set, so one odd key cannot lock every user out.
pub fn parse_jwks(url: &str, answer: &Answer) -> Result<Jwks, OidcRejection> {
    if !answer.is_success() {
        return Err(OidcRejection::JwksUnavailable {
            url: url.to_string(),
            reason: format!("HTTP {}: {}", answer.status, answer.excerpt()),
        });
    }
    let invalid = |reason: String| OidcRejection::JwksInvalid {
        url: url.to_string(),
        reason,
    };
    let doc = answer.json_object().map_err(|e| invalid(e.to_string()))?;
    let Some(Value::Array(raw)) = doc.get("keys") else {
        return Err(invalid("keys is missing or not an array".into()));
    };
    let keys = raw
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter(|k| k.use_.as_deref() != Some("enc"))
        .collect();
    Ok(Jwks { keys })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: &Value) -> Answer {
        Answer {
            status,
            body: serde_json::to_vec(body).expect("json"),
        }
    }

    fn doc() -> Value {
        json!({
            "issuer": "https://op.example",
            "authorization_endpoint": "https://op.example/authorize",
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/keys",
        })
    }

    #[test]
    fn discovery_url_drops_one_trailing_slash() {
        assert_eq!(
            discovery_url("https://op.example/t/"),
            "https://op.example/t/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://op.example"),
            "https://op.example/.well-known/openid-configuration"
        );
    }

    #[test]
    fn oidc_disc_1_issuer_must_match_exactly() {
        let url = "https://op.example/.well-known/openid-configuration";
        let ok = parse_discovery("https://op.example", url, &answer(200, &doc())).expect("ok");
        assert_eq!(ok.userinfo_endpoint, None);
        assert!(matches!(
            parse_discovery("https://op.example/", url, &answer(200, &doc())),
            Err(OidcRejection::DiscoveryIssuerMismatch { found, .. }) if found == "https://op.example"
        ));
    }

    #[test]
    fn broken_documents_are_refused_cleanly() {
        let url = "u";
        let iss = "https://op.example";
        let mut d = doc();
        d["token_endpoint"] = json!("javascript:alert(1)");
        for (a, code) in [
            (answer(500, &json!({})), "discovery-unavailable"),
            (
                Answer {
                    status: 200,
                    body: b"<html>".to_vec(),
                },
                "discovery-invalid",
            ),
            (answer(200, &json!([1])), "discovery-invalid"),
            (answer(200, &json!({"issuer": iss})), "discovery-invalid"),
            (answer(200, &d), "discovery-invalid"),
        ] {
            let e = parse_discovery(iss, url, &a).expect_err("refused");
            assert_eq!(e.code(), code, "{e}");
        }
    }

    #[test]
    fn jwks_skips_odd_and_encryption_keys() {
        let set = json!({"keys": [
            {"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"},
            {"kid": "no-kty"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
        ]});
        let jwks = parse_jwks("u", &answer(200, &set)).expect("jwks");
        assert_eq!(jwks.keys.len(), 1);
        assert_eq!(jwks.keys[0].kid.as_deref(), Some("a"));
        assert!(matches!(
            parse_jwks("u", &answer(200, &json!({}))),
            Err(OidcRejection::JwksInvalid { .. })
        ));
        assert!(matches!(
            parse_jwks("u", &answer(404, &json!({}))),
            Err(OidcRejection::JwksUnavailable { .. })
        ));
    }
}
