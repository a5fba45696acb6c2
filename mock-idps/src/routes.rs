//! Which endpoint a path under a tenant names, from the vendor's URL shapes.

use crate::personality::Personality;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    SamlSso {
        app: Option<String>,
    },
    SamlMetadata {
        app: Option<String>,
    },
    SamlIdpInitiated {
        app: Option<String>,
    },
    /// An OIDC endpoint of the org server or of a custom authorization server.
    Oidc(OidcEndpoint, AuthzServer),
}

/// Which authorization server of a tenant a path names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum AuthzServer {
    /// The tenant's own (Okta's org server; the only one elsewhere).
    #[default]
    Org,
    /// A custom authorization server by id (Okta `/oauth2/{id}`), not yet checked to exist.
    Custom(String),
    /// The v1.0 endpoints (Entra).
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcEndpoint {
    Discovery,
    Authorize,
    Token,
    Userinfo,
    Jwks,
    EndSession,
    /// RFC 8414 `/.well-known/oauth-authorization-server` (Okta custom servers).
    AuthServerMetadata,
}

/// Match `template` (segments, `{name}` captures one) against `path`.
pub(crate) fn capture(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
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
    if let Some(e) = oidc_endpoint(&p.oidc, "", path) {
        return Some(Endpoint::Oidc(e, AuthzServer::Org));
    }
    if let Some(e) = p
        .oidc
        .v1
        .as_deref()
        .and_then(|v1| oidc_endpoint(v1, "", path))
    {
        return Some(Endpoint::Oidc(e, AuthzServer::V1));
    }
    let cs = p.oidc.custom_servers.as_deref()?;
    let mut table = vec![(
        Some(".well-known/oauth-authorization-server"),
        OidcEndpoint::AuthServerMetadata,
    )];
    table.extend(oidc_table(&cs.oidc));
    table.into_iter().find_map(|(t, e)| {
        let caps = capture(&format!("{}/{}", cs.path, t?), path)?;
        let id = caps.get("server")?.clone();
        Some(Endpoint::Oidc(e, AuthzServer::Custom(id)))
    })
}

fn oidc_table(
    o: &crate::personality::OidcPersonality,
) -> [(Option<&'static str>, OidcEndpoint); 6] {
    [
        (Some(o.discovery_path), OidcEndpoint::Discovery),
        (Some(o.authorize_path), OidcEndpoint::Authorize),
        (Some(o.token_path), OidcEndpoint::Token),
        (Some(o.userinfo_path), OidcEndpoint::Userinfo),
        (Some(o.jwks_path), OidcEndpoint::Jwks),
        (o.end_session_path, OidcEndpoint::EndSession),
    ]
}

fn oidc_endpoint(
    o: &crate::personality::OidcPersonality,
    prefix: &str,
    path: &str,
) -> Option<OidcEndpoint> {
    oidc_table(o)
        .into_iter()
        .find(|(t, _)| t.is_some_and(|t| capture(&format!("{prefix}{t}"), path).is_some()))
        .map(|(_, e)| e)
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
            Some(Endpoint::Oidc(OidcEndpoint::Jwks, AuthzServer::Org))
        );
        assert_eq!(
            route(okta, "oauth2/default/v1/keys", &none),
            Some(Endpoint::Oidc(
                OidcEndpoint::Jwks,
                AuthzServer::Custom("default".into())
            ))
        );
        assert_eq!(
            route(
                okta,
                "oauth2/aus1/.well-known/oauth-authorization-server",
                &none
            ),
            Some(Endpoint::Oidc(
                OidcEndpoint::AuthServerMetadata,
                AuthzServer::Custom("aus1".into())
            ))
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
            Some(Endpoint::Oidc(OidcEndpoint::Discovery, AuthzServer::Org))
        );
        assert_eq!(route(entra, "oauth2/default/v1/keys", &none), None);
        assert_eq!(
            route(entra, ".well-known/openid-configuration", &none),
            Some(Endpoint::Oidc(OidcEndpoint::Discovery, AuthzServer::V1))
        );
        assert_eq!(
            route(entra, "oauth2/token", &none),
            Some(Endpoint::Oidc(OidcEndpoint::Token, AuthzServer::V1))
        );
        let google = Vendor::Google.personality();
        assert_eq!(route(google, "oauth2/v1/logout", &none), None);
        assert_eq!(route(google, "nope", &none), None);
    }
}
