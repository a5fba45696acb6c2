//! The identity an IdP vouched for, in one shape for SAML and OIDC.

use super::attributes::Attributes;

/// SAML NameID format whose value is an email address.
pub const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

/// Where SAML IdPs usually put the email when no attribute is configured.
pub const SAML_EMAIL_ATTRIBUTES: &[&str] = &[
    "email",
    "Email",
    "mail",
    "emailaddress",
    "emailAddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
];

#[derive(Debug, Clone, PartialEq)]
pub struct IdpIdentity {
    /// The stable subject: the SAML NameID or the OIDC `sub`.
    pub subject: String,
    /// The IdP's email for the user [BASIC-7].
    pub email: Option<String>,
    /// What a just-in-time username is derived from (NameID, preferred_username, email).
    pub login: Option<String>,
    pub display_name: Option<String>,
    /// Everything else, for role and resource-group mapping.
    pub attributes: Attributes,
}

/// The email of a SAML login: the configured attribute, else a usual one, else the NameID when
/// its format is emailAddress.
pub fn saml_email(
    attributes: &Attributes,
    name_id: &str,
    name_id_format: Option<&str>,
    configured: Option<&str>,
) -> Option<String> {
    if let Some(name) = configured {
        return attributes.first(name).filter(|e| !e.trim().is_empty());
    }
    SAML_EMAIL_ATTRIBUTES
        .iter()
        .find_map(|n| attributes.first(n))
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            (name_id_format == Some(NAMEID_EMAIL) && !name_id.trim().is_empty())
                .then(|| name_id.to_string())
        })
}

/// The email of an OIDC login: the configured claim path, else `email`.
pub fn oidc_email(claims: &Attributes, configured: Option<&str>) -> Option<String> {
    claims
        .first(configured.unwrap_or("email"))
        .filter(|e| !e.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn saml_email_sources() {
        let mut m = BTreeMap::new();
        m.insert(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress".to_string(),
            vec!["a@x.example".to_string()],
        );
        let a = Attributes::Exact(m);
        assert_eq!(saml_email(&a, "n", None, None), Some("a@x.example".into()));
        let none = Attributes::empty();
        assert_eq!(
            saml_email(&none, "g@x.example", Some(NAMEID_EMAIL), None),
            Some("g@x.example".into())
        );
        assert_eq!(saml_email(&none, "00u1", None, None), None);
        assert_eq!(saml_email(&a, "n", None, Some("mail")), None);
    }
}
