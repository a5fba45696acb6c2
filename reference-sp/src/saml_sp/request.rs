//! SP-initiated login: the HTTP-Redirect URL carrying a fresh AuthnRequest.

use super::config::SamlSpConfig;
use super::error::SamlSpError;
use chrono::{DateTime, Utc};
use protocols::saml::response::uri;
use protocols::saml::{build_authn_request, encode_redirect, AuthnRequestSpec};

/// The IdP URL to send the browser to. The caller records `request_id` as outstanding, so that
/// [`super::SamlSpState::consume_request`] can match the answer.
pub fn authn_request_url(
    cfg: &SamlSpConfig,
    request_id: &str,
    now: DateTime<Utc>,
    relay_state: Option<&str>,
) -> Result<String, SamlSpError> {
    if !is_ncname(request_id) {
        return Err(SamlSpError::InvalidRequestId {
            value: request_id.to_string(),
        });
    }
    let xml = build_authn_request(&AuthnRequestSpec {
        id: request_id.to_string(),
        issue_instant: now,
        issuer: cfg.sp_entity_id.clone(),
        destination: Some(cfg.idp_sso_url.clone()),
        acs_url: Some(cfg.acs_url.clone()),
        protocol_binding: Some(uri::BINDING_HTTP_POST.into()),
        name_id_policy: None,
        force_authn: None,
        is_passive: None,
        subject_name_id: None,
    });
    let query = encode_redirect(&xml, relay_state, None)?;
    let mut url = url::Url::parse(&cfg.idp_sso_url).map_err(|e| SamlSpError::InvalidSsoUrl {
        url: cfg.idp_sso_url.clone(),
        message: e.to_string(),
    })?;
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
        _ => query,
    };
    url.set_query(Some(&query));
    Ok(url.into())
}

/// xs:ID is an NCName; ASCII is all an SP needs for the ids it mints.
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::clock::snapshot_epoch;
    use protocols::saml::{parse_redirect, Binding, DEFAULT_MAX_INFLATED};

    fn cfg(sso: &str) -> SamlSpConfig {
        SamlSpConfig::from_parts(
            "https://sp.example/saml",
            "https://sp.example/saml/acs",
            "https://idp.example",
            sso,
            &[include_str!("../../../fixtures/keys/okta-1.crt.pem").into()],
        )
        .unwrap()
    }

    #[test]
    fn redirect_url_carries_the_request_the_idp_parses() {
        let url = authn_request_url(
            &cfg("https://idp.example/sso"),
            "_r1",
            snapshot_epoch(),
            Some("/next?a=1&b=2"),
        )
        .unwrap();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://idp.example/sso");
        let req = parse_redirect(query, DEFAULT_MAX_INFLATED).unwrap();
        assert_eq!(req.binding, Binding::HttpRedirect);
        assert_eq!(req.id, "_r1");
        assert_eq!(req.issuer, "https://sp.example/saml");
        assert_eq!(req.issue_instant, snapshot_epoch());
        assert_eq!(req.destination.as_deref(), Some("https://idp.example/sso"));
        assert_eq!(req.acs_url.as_deref(), Some("https://sp.example/saml/acs"));
        assert_eq!(
            req.protocol_binding.as_deref(),
            Some(uri::BINDING_HTTP_POST)
        );
        assert_eq!(req.relay_state.as_deref(), Some("/next?a=1&b=2"));
    }

    #[test]
    fn existing_query_is_kept_and_bad_ids_are_refused() {
        let url = authn_request_url(
            &cfg("https://idp.example/sso?tenant=acme"),
            "id-1.x",
            snapshot_epoch(),
            None,
        )
        .unwrap();
        assert!(
            url.starts_with("https://idp.example/sso?tenant=acme&SAMLRequest="),
            "{url}"
        );
        assert!(!url.contains("RelayState"));
        for bad in ["", "1abc", "a b", "a\"b", "é"] {
            assert!(
                matches!(
                    authn_request_url(&cfg("https://idp/sso"), bad, snapshot_epoch(), None),
                    Err(SamlSpError::InvalidRequestId { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            authn_request_url(&cfg("not a url"), "_r", snapshot_epoch(), None),
            Err(SamlSpError::InvalidSsoUrl { .. })
        ));
    }
}
