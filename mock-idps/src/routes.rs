//! Which endpoint a path under a tenant names, from the vendor's URL shapes.

use crate::personality::Personality;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    SamlSso { app: Option<String> },
    SamlMetadata { app: Option<String> },
    SamlIdpInitiated { app: Option<String> },
    Oidc(OidcEndpoint),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcEndpoint {
    Discovery,
    Authorize,
    Token,
    Userinfo,
    Jwks,
    EndSession,
}

/// Match `template` (segments, `{name}` captures one) against `path`.
fn capture(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if t.len() != p.len() {
        return None;
    }
    let mut caps = BTreeMap::new();
    for (ts, ps) in t.iter().zip(&p) {
        if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            caps.insert(name.to_string(), ps.to_string());
        } else if ts != ps {
            return None;
        }
    }
    Some(caps)
}

/// The endpoint at `path` (relative to the tenant base), with the app named by the path or by
/// the vendor's app query parameter.
pub fn route(p: &Personality, path: &str, query: &BTreeMap<String, String>) -> Option<Endpoint> {
    let app_from = |caps: BTreeMap<String, String>| {
        caps.get("app_id")
            .cloned()
            .or_else(|| p.saml.app_query_param.and_then(|q| query.get(q).cloned()))
    };
    if let Some(c) = capture(p.saml.sso_path, path) {
        return Some(Endpoint::SamlSso { app: app_from(c) });
    }
    if let Some(c) = capture(p.saml.metadata_path, path) {
        return Some(Endpoint::SamlMetadata { app: app_from(c) });
    }
    if let Some(c) = capture(p.saml.idp_initiated_path, path) {
        return Some(Endpoint::SamlIdpInitiated { app: app_from(c) });
    }
    let o = &p.oidc;
    let table = [
        (Some(o.discovery_path), OidcEndpoint::Discovery),
        (Some(o.authorize_path), OidcEndpoint::Authorize),
        (Some(o.token_path), OidcEndpoint::Token),
        (Some(o.userinfo_path), OidcEndpoint::Userinfo),
        (Some(o.jwks_path), OidcEndpoint::Jwks),
        (o.end_session_path, OidcEndpoint::EndSession),
    ];
    table
        .into_iter()
        .find(|(t, _)| t.is_some_and(|t| capture(t, path).is_some()))
        .map(|(_, e)| Endpoint::Oidc(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::Vendor;

    #[test]
    fn vendor_paths_route() {
        let none = BTreeMap::new();
        let okta = Vendor::Okta.personality();
        assert_eq!(
            route(okta, "app/my_app/0oa123/sso/saml", &none),
            Some(Endpoint::SamlSso {
                app: Some("0oa123".into())
            })
        );
        assert_eq!(
            route(okta, "oauth2/v1/keys", &none),
            Some(Endpoint::Oidc(OidcEndpoint::Jwks))
        );
        let entra = Vendor::Entra.personality();
        let q = BTreeMap::from([("appid".to_string(), "abc".to_string())]);
        assert_eq!(
            route(
                entra,
                "federationmetadata/2007-06/federationmetadata.xml",
                &q
            ),
            Some(Endpoint::SamlMetadata {
                app: Some("abc".into())
            })
        );
        assert_eq!(
            route(entra, "v2.0/.well-known/openid-configuration", &none),
            Some(Endpoint::Oidc(OidcEndpoint::Discovery))
        );
        let google = Vendor::Google.personality();
        assert_eq!(route(google, "oauth2/v1/logout", &none), None);
        assert_eq!(route(google, "nope", &none), None);
    }
}
