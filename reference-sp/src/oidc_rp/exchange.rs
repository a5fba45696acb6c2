//! The token and userinfo answers, read from fetched bodies (pure: no I/O here).

use super::accepted::UserinfoAnswer;
use super::callback::clip;
use super::error::OidcRejection;
use super::http::Answer;
use serde_json::{Map, Value};

/// What the token endpoint issued.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field("id_token", &self.id_token)
            .finish()
    }
}

fn oauth_error(m: &Map<String, Value>) -> Option<OidcRejection> {
    let error = m.get("error")?.as_str()?;
    Some(OidcRejection::TokenEndpointError {
        error: clip(error),
        description: m.get("error_description").and_then(Value::as_str).map(clip),
    })
}

/// Read a token endpoint answer (RFC 6749 5.1 and 5.2).
pub fn parse_token_response(answer: &Answer) -> Result<Tokens, OidcRejection> {
    let body = answer.json_object();
    if let Some(e) = body.as_ref().ok().and_then(oauth_error) {
        return Err(e);
    }
    if !answer.is_success() {
        return Err(OidcRejection::TokenEndpointUnavailable {
            reason: format!("HTTP {}: {}", answer.status, answer.excerpt()),
        });
    }
    let invalid = |reason: String| OidcRejection::TokenResponseInvalid { reason };
    let body = body.map_err(|e| invalid(e.to_string()))?;
    let field = |name: &str| match body.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(invalid(format!("{name} is missing"))),
    };
    if let Some(t) = body.get("token_type") {
        if !t.as_str().is_some_and(|t| t.eq_ignore_ascii_case("bearer")) {
            return Err(invalid(format!("token_type {t} is not Bearer")));
        }
    }
    Ok(Tokens {
        access_token: field("access_token")?,
        id_token: field("id_token")?,
    })
}

/// Read a userinfo answer. A signed (JWT) userinfo is not requested, so it is not accepted.
pub fn parse_userinfo(answer: &Answer) -> Result<UserinfoAnswer, OidcRejection> {
    if !answer.is_success() {
        return Err(OidcRejection::UserinfoUnavailable {
            reason: format!("HTTP {}: {}", answer.status, answer.excerpt()),
        });
    }
    answer
        .json_object()
        .map(UserinfoAnswer::Claims)
        .map_err(|e| OidcRejection::UserinfoInvalid {
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body: serde_json::to_vec(&body).expect("json"),
        }
    }

    #[test]
    fn oidc_pkce_1_oauth_errors_carry_their_code() {
        let e = parse_token_response(&answer(
            400,
            json!({"error": "invalid_grant", "error_description": "replayed"}),
        ));
        assert_eq!(
            e,
            Err(OidcRejection::TokenEndpointError {
                error: "invalid_grant".into(),
                description: Some("replayed".into())
            })
        );
    }

    #[test]
    fn token_answers_without_tokens_or_json_are_refused() {
        let cases = [
            (
                Answer {
                    status: 502,
                    body: b"bad gateway".to_vec(),
                },
                "token-endpoint-unavailable",
            ),
            (
                answer(200, json!({"access_token": "a"})),
                "token-response-invalid",
            ),
            (
                answer(
                    200,
                    json!({"access_token": "a", "id_token": "i", "token_type": "MAC"}),
                ),
                "token-response-invalid",
            ),
        ];
        for (a, code) in cases {
            assert_eq!(parse_token_response(&a).expect_err("refused").code(), code);
        }
        let ok = parse_token_response(&answer(
            200,
            json!({"access_token": "a", "id_token": "i", "token_type": "bearer"}),
        ))
        .expect("tokens");
        assert_eq!(ok.id_token, "i");
        assert!(
            !format!("{ok:?}").contains("\"a\""),
            "access token redacted"
        );
    }

    #[test]
    fn userinfo_must_be_a_json_object() {
        assert!(matches!(
            parse_userinfo(&answer(200, json!({"sub": "s"}))),
            Ok(UserinfoAnswer::Claims(_))
        ));
        assert_eq!(
            parse_userinfo(&answer(401, json!({"error": "invalid_token"})))
                .expect_err("refused")
                .code(),
            "userinfo-unavailable"
        );
        assert_eq!(
            parse_userinfo(&Answer {
                status: 200,
                body: b"eyJ.x.y".to_vec()
            })
            .expect_err("refused")
            .code(),
            "userinfo-invalid"
        );
    }
}
