//! The SCIM dialect catalogue: which vendor table each [`DialectId`] names, and reading a
//! tenant URL's dialect flag. The vocabulary is in [`crate::scim_push::dialect`]; the tables
//! are kept with their vendor, beside this file.

use crate::scim_push::dialect::{DialectId, ScimDialect};

impl DialectId {
    /// The dialect's table (kept with its vendor's personality).
    pub fn dialect(self) -> &'static ScimDialect {
        match self {
            DialectId::OktaCatalogue => &super::OKTA_SCIM_CATALOGUE,
            DialectId::OktaCustom => &super::OKTA_SCIM_CUSTOM,
            DialectId::EntraDefault => &super::ENTRA_SCIM_DEFAULT,
            DialectId::EntraAadOptScim062020 => &super::ENTRA_SCIM_AADOPTSCIM062020,
        }
    }
}

impl ScimDialect {
    /// Read a tenant URL as Entra does: a `aadOptscim062020` query flag (any case, with or
    /// without a value) selects the flag dialect and is taken off the base URL; other queries
    /// stay. Assumed: Entra reads the flag and does not forward it on its requests.
    pub fn from_tenant_url(url: &str) -> (Option<DialectId>, String) {
        let Some((base, query)) = url.split_once('?') else {
            return (None, url.to_string());
        };
        let key_of = |kv: &str| kv.split('=').next().unwrap_or("").to_string();
        let flagged = DialectId::ALL.into_iter().find(|d| {
            d.dialect().flag_query.is_some_and(|flag| {
                query
                    .split('&')
                    .any(|kv| key_of(kv).eq_ignore_ascii_case(flag))
            })
        });
        let Some(d) = flagged else {
            return (None, url.to_string());
        };
        let flag = d.dialect().flag_query.unwrap_or_default();
        let rest: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.is_empty() && !key_of(kv).eq_ignore_ascii_case(flag))
            .collect();
        let url = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        (Some(d), url)
    }
}
