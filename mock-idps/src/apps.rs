//! Registering SAML apps and OIDC clients on a tenant: the requests ([`NewSamlApp`],
//! [`NewOidcClient`]) that the Rust API, the control API and config files share, and their
//! validation into the tenant's [`SamlApp`] and [`OidcClient`].

use crate::personality::TokenAuth;
use crate::tenant::{ClientId, EntityId, GroupFilter, OidcClient, SamlApp, ServerError, Tenant};
use serde::{Deserialize, Serialize};

/// A SAML app to register: validated by [`register_saml_app`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSamlApp {
    /// The app's id in its URLs (Okta `0oa…`, Entra's `appid`, Google's `spid`); generated in
    /// the vendor's shape when absent. Pin it so that the SSO URL stays the same across runs.
    pub id: Option<String>,
    /// The app's name in Okta's SSO URL (`app/{name}/{id}/sso/saml`); `idpsim_app` when absent.
    pub name: Option<String>,
    /// Okta's per-app issuer key (`http://www.okta.com/{key}`). When absent it is derived from
    /// the tenant and the pinned `id` (so a pinned app keeps its issuer across restarts), or
    /// generated when `id` is absent too.
    pub key: Option<String>,
    pub sp_entity_id: EntityId,
    pub acs_urls: Vec<String>,
    pub name_id_format: Option<String>,
    #[serde(default)]
    pub send_groups: bool,
    /// Name of the group attribute (Google: required for groups to be sent).
    pub groups_attribute: Option<String>,
    pub group_filter: Option<GroupFilter>,
    pub allow_idp_initiated: Option<bool>,
    pub sp_signing_cert: Option<String>,
    /// Encrypt this app's assertions (saml_idp::encrypt::NewEncryption).
    pub encryption: Option<crate::saml_idp::encrypt::NewEncryption>,
    /// The attributes the app sends (`[{"name","value":<directory field>,"name_format"?}]`),
    /// replacing the vendor's default list; see [`SamlApp::attribute_statements`].
    #[serde(default)]
    pub attribute_statements: Option<Vec<crate::tenant::AttributeStatement>>,
    /// NameFormat of the app's attributes; unset: the vendor's.
    #[serde(default)]
    pub attribute_name_format: Option<String>,
    /// Millisecond instants (unset: the vendor's, true everywhere).
    #[serde(default)]
    pub millis: Option<bool>,
    /// Entra: plain SAML metadata instead of the federation metadata document.
    #[serde(default)]
    pub plain_metadata: bool,
}

/// An OIDC client to register.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOidcClient {
    pub client_id: Option<ClientId>,
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    pub auth_method: Option<TokenAuth>,
    #[serde(default)]
    pub require_pkce: bool,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Send the groups claim (Okta's Groups claim filter, Entra's groupMembershipClaims).
    #[serde(default)]
    pub groups_claim: bool,
}

/// The attribute statements an Okta admin typically defines on a SAML app: `email`,
/// `firstName`, `lastName` (what idpsim's Okta sent unconfigured before issue 11; a fresh Okta
/// app sends none, S12). Pair with `groups_attribute: "groups"` for its group attribute
/// statement.
pub fn okta_profile_statements() -> Vec<crate::tenant::AttributeStatement> {
    use crate::personality::UserField;
    [
        ("email", UserField::Email),
        ("firstName", UserField::GivenName),
        ("lastName", UserField::FamilyName),
    ]
    .into_iter()
    .map(|(name, value)| crate::tenant::AttributeStatement {
        name: name.into(),
        value,
        name_format: None,
    })
    .collect()
}

fn valid_url(field: &str, u: &str) -> Result<(), ServerError> {
    url::Url::parse(u)
        .map(|_| ())
        .map_err(|e| ServerError::Invalid(format!("{field}: {u:?} is not a URL ({e})")))
}

/// FNV-1a over `parts`: a seed that depends only on them, for ids that must repeat across runs.
pub fn stable_seed(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.bytes().chain(std::iter::once(0)))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

/// Register an SP with the tenant, as `POST …/saml-apps` does: validated, then added.
pub fn register_saml_app(t: &Tenant, a: NewSamlApp) -> Result<SamlApp, ServerError> {
    let app = saml_app_from(t, a)?;
    t.state.lock().saml_apps.push(app.clone());
    Ok(app)
}

/// Validate `a` into an app of `t` (not yet added).
pub(crate) fn saml_app_from(t: &Tenant, a: NewSamlApp) -> Result<SamlApp, ServerError> {
    if a.sp_entity_id.as_str().trim().is_empty() {
        return Err(ServerError::Invalid(
            "sp_entity_id must not be empty".into(),
        ));
    }
    if a.acs_urls.is_empty() {
        return Err(ServerError::Invalid(
            "acs_urls needs at least one URL".into(),
        ));
    }
    for u in &a.acs_urls {
        valid_url("acs_urls", u)?;
    }
    if let Some(f) = &a.group_filter {
        f.validate()
            .map_err(|e| ServerError::Invalid(e.to_string()))?;
    }
    let uri_ok = |v: &str| v.starts_with("urn:") || url::Url::parse(v).is_ok();
    if let Some(f) = a.attribute_name_format.as_deref().filter(|f| !uri_ok(f)) {
        return Err(ServerError::Invalid(format!(
            "attribute_name_format: {f:?} is not a URI (e.g. \
             urn:oasis:names:tc:SAML:2.0:attrname-format:basic)"
        )));
    }
    for st in a.attribute_statements.iter().flatten() {
        if st.name.trim().is_empty() {
            return Err(ServerError::Invalid(
                "attribute_statements: every statement needs a name".into(),
            ));
        }
        if let Some(f) = st.name_format.as_deref().filter(|f| !uri_ok(f)) {
            return Err(ServerError::Invalid(format!(
                "attribute_statements: name_format {f:?} of {} is not a URI",
                st.name
            )));
        }
    }
    if let Some(pem) = &a.sp_signing_cert {
        openssl::x509::X509::from_pem(pem.as_bytes()).map_err(|e| {
            ServerError::Invalid(format!("sp_signing_cert is not a PEM certificate: {e}"))
        })?;
    }
    if t.saml_app(a.sp_entity_id.as_str()).is_some() {
        return Err(ServerError::Invalid(format!(
            "an app for {} is already registered",
            a.sp_entity_id
        )));
    }
    let p = t.personality();
    for (field, v) in [("id", &a.id), ("name", &a.name), ("key", &a.key)] {
        if let Some(v) = v {
            if v.is_empty()
                || v.len() > 64
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ServerError::Invalid(format!(
                    "{field}: {v:?} must be 1-64 letters, digits, '-' or '_' (it goes in URLs)"
                )));
            }
        }
    }
    let encryption = a
        .encryption
        .map(|e| crate::saml_idp::encrypt::configure(t, e))
        .transpose()?;
    let key = match (&a.key, &a.id) {
        (Some(k), _) => k.clone(),
        (None, Some(id)) => p
            .ids
            .saml_app_key
            .make(&protocols::SeededIds::new(stable_seed(&[
                t.id.as_str(),
                id,
            ]))),
        (None, None) => p.ids.saml_app_key.make(t.ids.as_ref()),
    };
    Ok(SamlApp {
        id: a.id.unwrap_or_else(|| p.ids.saml_app.make(t.ids.as_ref())),
        name: a.name.unwrap_or_else(|| "idpsim_app".into()),
        key,
        sp_entity_id: a.sp_entity_id,
        acs_urls: a.acs_urls,
        name_id_format: a.name_id_format,
        send_groups: a.send_groups,
        groups_attribute: a.groups_attribute,
        group_filter: a.group_filter,
        allow_idp_initiated: a.allow_idp_initiated.unwrap_or(true),
        sp_signing_cert: a.sp_signing_cert,
        encryption,
        attribute_statements: a.attribute_statements,
        attribute_name_format: a.attribute_name_format,
        millis: a.millis,
        plain_metadata: a.plain_metadata,
        slo: None,
    })
}

/// Validate `c` into a client of `t` (not yet added).
pub(crate) fn oidc_client_from(t: &Tenant, c: NewOidcClient) -> Result<OidcClient, ServerError> {
    if c.redirect_uris.is_empty() {
        return Err(ServerError::Invalid(
            "redirect_uris needs at least one URL".into(),
        ));
    }
    for u in c.redirect_uris.iter().chain(&c.post_logout_redirect_uris) {
        valid_url("redirect_uris", u)?;
    }
    let p = t.personality();
    let client_id = c
        .client_id
        .unwrap_or_else(|| ClientId::from(p.ids.oidc_client.make(t.ids.as_ref())));
    if t.oidc_client(client_id.as_str()).is_some() {
        return Err(ServerError::Invalid(format!(
            "client {client_id} already exists"
        )));
    }
    Ok(OidcClient {
        client_id,
        client_secret: c.client_secret.unwrap_or_else(|| t.ids.token(30)),
        redirect_uris: c.redirect_uris,
        auth_method: c.auth_method,
        require_pkce: c.require_pkce,
        post_logout_redirect_uris: c.post_logout_redirect_uris,
        groups_claim: c.groups_claim,
    })
}
