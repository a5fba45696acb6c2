//! The SAML IdP endpoints of a tenant: metadata, SSO (HTTP-Redirect and HTTP-POST
//! AuthnRequests, answered with an auto-submitting HTTP-POST form) and IdP-initiated login.
//!
//! Requests the IdP cannot trust enough to answer at an ACS (unparseable, unknown SP, an ACS
//! that is not registered) get an HTML error page; requests it parsed but refuses get a SAML
//! error Response posted to the ACS, as the real vendors do.

pub mod encrypt;
mod federation;
pub mod issue;
pub mod policy;
pub mod slo;

use crate::next_login::{KeyChoice, NextLogin, SamlOverrides};
use crate::respond::{noted, query_map};
use crate::routes::Endpoint;
use crate::tenant::{Mode, SamlApp, SharedTenant, Tenant, TenantKeyError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use issue::{Issued, Issuer, Login, Refusal};
use policy::Accepted;
use protocols::saml::attacks::{self, AttackContext};
use protocols::saml::{self, AuthnRequest, IdpMetadata};

/// Largest POST body the SSO endpoint reads.
pub const MAX_FORM: usize = 256 * 1024;

pub async fn serve(t: SharedTenant, ep: Endpoint, req: Request) -> Response {
    match ep {
        Endpoint::SamlMetadata { app } => metadata(&t, app.as_deref()),
        Endpoint::SamlSso { app } => sso(&t, app.as_deref(), req).await,
        Endpoint::SamlIdpInitiated { app } => idp_initiated(&t, app.as_deref(), req),
        Endpoint::Oidc(..) => error_page(StatusCode::NOT_FOUND, "not a SAML endpoint"),
    }
}

/// An HTML error page: the IdP's answer when it must not post anything back.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign-in error</title></head><body>\
         <h1>Sign-in error</h1><p id=\"error\">{}</p></body></html>",
        html_escape(message)
    );
    noted((status, Html(body)).into_response(), message.to_string())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Why the IdP could not produce a SAML document (metadata, a response): the text of its error
/// page.
#[derive(Debug, thiserror::Error)]
pub enum SamlIdpError {
    #[error("no SAML app {app} in this tenant")]
    UnknownApp { app: String },
    #[error(transparent)]
    Key(#[from] TenantKeyError),
    #[error("cannot build the response: {0}")]
    BuildResponse(#[source] saml::SamlError),
    #[error(transparent)]
    Attack(#[from] attacks::AttackError),
    #[error("cannot sign the federation metadata: {0}")]
    SignFederationMetadata(#[source] saml::SamlError),
    #[error(transparent)]
    Encrypt(#[from] encrypt::EncryptError),
}

fn app_for(t: &Tenant, app: Option<&str>) -> Result<SamlApp, SamlIdpError> {
    match app {
        Some(id) => t
            .saml_app(id)
            .or_else(|| {
                let d = t.default_saml_app();
                (t.mode == Mode::Open && (d.id == id || d.key == id)).then_some(d)
            })
            .ok_or_else(|| SamlIdpError::UnknownApp {
                app: id.to_string(),
            }),
        None => Ok(t.default_saml_app()),
    }
}

/// The IdP metadata document of `app` (by id or SP entity id; `None`: the default app), as the
/// metadata endpoint serves it.
pub fn metadata_xml(t: &Tenant, app: Option<&str>) -> Result<String, SamlIdpError> {
    let app = app_for(t, app)?;
    let p = t.personality();
    if p.saml.federation_metadata && !app.plain_metadata {
        return federation::document(t, &app);
    }
    let certs = metadata_certs(t);
    let active = t.state.lock().keys.active().clone();
    let sso = t.saml_sso_url(&app);
    let md = IdpMetadata {
        entity_id: t.saml_entity_id(Some(&app)),
        want_authn_requests_signed: p.saml.want_authn_requests_signed,
        signing_certs: certs,
        // S3, S12, S13: only the formats the vendor's metadata lists.
        name_id_formats: p
            .saml
            .metadata_name_id_formats
            .iter()
            .map(|s| s.to_string())
            .collect(),
        sso_redirect_url: sso.clone(),
        sso_post_url: sso.clone(),
        slo_url: slo::advertised(t, &app)
            .then(|| slo::idp_slo_url(t, &app))
            .flatten(),
        // S13: Google's metadata is valid until its certificate expires.
        valid_until: p
            .saml
            .metadata_valid_until
            .then(|| federation::cert_not_after(active.cert_der()))
            .flatten(),
    };
    Ok(md.to_element().to_document())
}

/// The certificates the SAML metadata lists, active first: every published key when the
/// personality says so, else the active one (S3, S12, S13) and those of a rollover in progress
/// ([`Tenant::rotate_keys`]).
pub fn metadata_certs(t: &Tenant) -> Vec<String> {
    let st = t.state.lock();
    if t.personality().saml.metadata_all_keys {
        return IdpMetadata::certs_from(&st.keys);
    }
    let active = st.keys.active();
    std::iter::once(active)
        .chain(
            st.keys.all().iter().filter(|k| {
                k.kid() != active.kid() && st.saml_rollover.iter().any(|r| r == k.kid())
            }),
        )
        .map(|k| k.cert_b64())
        .collect()
}

fn metadata(t: &Tenant, app: Option<&str>) -> Response {
    match metadata_xml(t, app) {
        Ok(xml) => noted(
            (
                [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
                xml,
            )
                .into_response(),
            "metadata",
        ),
        Err(e) => error_page(StatusCode::NOT_FOUND, &e.to_string()),
    }
}

/// The SAMLRequest, RelayState and the raw query of an SSO request.
struct Incoming {
    request: AuthnRequest,
    relay_state: Option<String>,
    raw_query: Option<String>,
    /// Who signs in, as a user would type it at the vendor's login page (Entra and Google
    /// take `login_hint` on their SAML SSO URL too). The next login's user wins over it.
    login_hint: Option<String>,
}

/// Why an SSO request could not be read.
#[derive(Debug, thiserror::Error)]
enum RequestError {
    #[error("unreadable AuthnRequest: {0}")]
    Unreadable(#[source] saml::SamlError),
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(Method),
    #[error("request body exceeds {limit} bytes")]
    BodyTooLarge { limit: usize },
}

async fn read_request(req: Request) -> Result<Option<Incoming>, RequestError> {
    if req.method() == Method::GET {
        let raw = req.uri().query().unwrap_or("").to_string();
        let q = query_map(Some(&raw));
        if !q.contains_key("SAMLRequest") {
            return Ok(None);
        }
        let request = saml::parse_redirect(&raw, saml::DEFAULT_MAX_INFLATED)
            .map_err(RequestError::Unreadable)?;
        return Ok(Some(Incoming {
            relay_state: q.get("RelayState").cloned(),
            request,
            raw_query: Some(raw),
            login_hint: q.get("login_hint").cloned(),
        }));
    }
    if req.method() != Method::POST {
        return Err(RequestError::MethodNotAllowed(req.method().clone()));
    }
    let url_hint = query_map(req.uri().query()).get("login_hint").cloned();
    let body = axum::body::to_bytes(req.into_body(), MAX_FORM)
        .await
        .map_err(|_| RequestError::BodyTooLarge { limit: MAX_FORM })?;
    let q = query_map(Some(&String::from_utf8_lossy(&body)));
    let Some(encoded) = q.get("SAMLRequest") else {
        return Ok(None);
    };
    let request = saml::parse_post(
        encoded,
        q.get("RelayState").map(String::as_str),
        saml::DEFAULT_MAX_INFLATED,
    )
    .map_err(RequestError::Unreadable)?;
    Ok(Some(Incoming {
        relay_state: q.get("RelayState").cloned(),
        request,
        raw_query: None,
        login_hint: q.get("login_hint").cloned().or(url_hint),
    }))
}

async fn sso(t: &SharedTenant, app_hint: Option<&str>, req: Request) -> Response {
    let incoming = match read_request(req).await {
        Ok(Some(i)) => i,
        Ok(None) => return error_page(StatusCode::BAD_REQUEST, "missing SAMLRequest"),
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let ar = &incoming.request;
    let p = t.personality();
    let verdict = policy::accept(
        &policy::SsoRequest {
            mode: t.mode,
            app_hint,
            issuer: &ar.issuer,
            acs_url: ar.acs_url.as_deref(),
            has_subject: ar.has_subject,
            raw_query: incoming.raw_query.as_deref(),
            subject_is_error: p.saml.subject_in_request_is_error,
        },
        t.as_ref(),
    );
    let Accepted {
        app,
        acs,
        answer: reply,
    } = match verdict {
        Ok(a) => a,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let iss = Issuer {
        personality: p,
        tenant_id: t.id.as_str(),
        entity_id: t.saml_entity_id(Some(&app)),
    };
    if reply == policy::Answer::SubjectUnsupported {
        let issued = issue::refusal(
            &iss,
            &acs,
            Some(&ar.id),
            Refusal {
                top: "Requester",
                second: "RequestUnsupported".into(),
                message: "AADSTS900236: a Subject in the AuthnRequest is not supported".into(),
            },
            t.now(),
            t.ids.as_ref(),
        );
        return post_back(
            t,
            issued,
            None,
            None,
            &acs,
            incoming.relay_state.as_deref(),
            "refused: Subject in request",
        );
    }
    let requested_format = ar.name_id_policy.as_ref().and_then(|n| n.format.clone());
    let resp = answer(
        t,
        &app,
        &iss,
        &acs,
        Some(&ar.id),
        requested_format.as_deref(),
        incoming.relay_state.as_deref(),
        incoming.login_hint.as_deref(),
    );
    with_request(resp, ar)
}

impl policy::AppSource for Tenant {
    fn registered(&self, key: &str) -> Option<SamlApp> {
        self.saml_app(key)
    }
    fn open_app(&self, sp_entity_id: Option<&str>, acs: Option<&str>) -> SamlApp {
        Tenant::open_app(self, sp_entity_id, acs)
    }
}

/// The AuthnRequest first in the log, before the response `post_back` attached.
fn with_request(mut resp: Response, ar: &saml::AuthnRequest) -> Response {
    let answered = resp
        .extensions_mut()
        .remove::<crate::respond::LogMessages>()
        .unwrap_or_default();
    let mut resp = crate::respond::with_message(resp, "AuthnRequest", ar.xml.clone());
    if let Some(m) = resp
        .extensions_mut()
        .get_mut::<crate::respond::LogMessages>()
    {
        m.0.extend(answered.0);
    }
    resp
}

fn idp_initiated(t: &SharedTenant, app: Option<&str>, req: Request) -> Response {
    let app = match app
        .map(|a| app_for(t, Some(a)))
        .unwrap_or_else(|| app_for(t, None))
    {
        Ok(a) => a,
        Err(e) => return error_page(StatusCode::NOT_FOUND, &e.to_string()),
    };
    if !app.allow_idp_initiated {
        return error_page(
            StatusCode::FORBIDDEN,
            "IdP-initiated sign-in is disabled for this app",
        );
    }
    let q = query_map(req.uri().query());
    // Open mode has no registered SPs: the IdP-initiated URL names the SP itself.
    let mut app = app;
    if t.mode == Mode::Open && app.acs_urls.is_empty() {
        match (q.get("acs"), q.get("sp_entity_id")) {
            (Some(acs), Some(sp)) if url::Url::parse(acs).is_ok() && !sp.trim().is_empty() => {
                app.acs_urls = vec![acs.clone()];
                app.sp_entity_id = sp.clone().into();
            }
            (Some(acs), _) if url::Url::parse(acs).is_err() => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    &format!("acs {acs:?} is not a URL"),
                );
            }
            _ => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "open mode: no SP is registered for IdP-initiated sign-in; name it with \
                     ?acs=<its ACS URL>&sp_entity_id=<its entity id>, or register it \
                     (POST /_idpsim/tenants/{vendor}/{id}/saml-apps)",
                );
            }
        }
    }
    let Some(acs) = app.acs_urls.first().cloned() else {
        return error_page(StatusCode::BAD_REQUEST, "the app has no registered ACS URL");
    };
    let p = t.personality();
    let iss = Issuer {
        personality: p,
        tenant_id: t.id.as_str(),
        entity_id: t.saml_entity_id(Some(&app)),
    };
    answer(
        t,
        &app,
        &iss,
        &acs,
        None,
        None,
        q.get("RelayState").map(String::as_str),
        q.get("login_hint").map(String::as_str),
    )
}

/// Pick the user (the next login's, else the login hint's, else the first active one), build,
/// sign and post the response.
#[allow(clippy::too_many_arguments)]
fn answer(
    t: &SharedTenant,
    app: &SamlApp,
    iss: &Issuer,
    acs: &str,
    in_response_to: Option<&str>,
    requested_format: Option<&str>,
    relay_state: Option<&str>,
    login_hint: Option<&str>,
) -> Response {
    let next: NextLogin = t.take_next_login();
    if let Err(e) = next.saml.check() {
        return error_page(StatusCode::BAD_REQUEST, &format!("next-login: {e}"));
    }
    let st = t.state.lock();
    let user = match next.user.as_deref().or(login_hint) {
        Some(key) => st.directory.find(key),
        None => st
            .directory
            .users()
            .iter()
            .find(|u| u.active)
            .or(st.directory.users().first()),
    };
    let Some(user) = user.cloned() else {
        drop(st);
        return error_page(StatusCode::BAD_REQUEST, "the tenant has no user to sign in");
    };
    let groups: Vec<_> = st.directory.groups_of(&user).into_iter().cloned().collect();
    drop(st);
    let login = Login {
        app,
        user: &user,
        groups: groups.iter().collect(),
        acs,
        in_response_to,
        requested_name_id_format: requested_format,
        extra_groups: next.extra_groups.unwrap_or(0),
    };
    let issued = issue::response(iss, &login, &next.saml, t.now(), t.ids.as_ref());
    let mut note = format!("signed in {} ({:?})", user.login, issued.sign.placement);
    if let Some(a) = next.saml.attack {
        note.push_str(&format!(", attack {a}"));
    }
    post_back(
        t,
        issued,
        Some(app),
        Some(&next.saml),
        acs,
        relay_state,
        &note,
    )
}

/// The document of an attacked response: the attack prepares what is signed, then rewrites the
/// signed tree (protocols::saml::attacks). A login the IdP refuses anyway (an error status)
/// carries no assertion to attack and goes out as it is.
fn forge(
    t: &Tenant,
    attack: attacks::SamlAttack,
    ov: &SamlOverrides,
    issued: Issued,
    key: &protocols::SigningKey,
) -> Result<String, SamlIdpError> {
    if attack.needs_assertion() && issued.spec.assertion.is_none() {
        return saml::build_response_xml(&issued.spec, &issued.sign, key)
            .map_err(SamlIdpError::BuildResponse);
    }
    let foreign = t.signing_key(Some(&KeyChoice::Foreign))?;
    let previous = t.state.lock().last_saml_response.clone();
    let ctx = AttackContext {
        victim: ov.victim.as_deref().unwrap_or(attacks::DEFAULT_VICTIM),
        foreign_key: Some(&foreign),
        xxe_url: ov.xxe_url.as_deref().unwrap_or(attacks::DEFAULT_XXE_URL),
        previous: previous.as_deref(),
    };
    Ok(attacks::forge(attack, issued.spec, issued.sign, key, &ctx)?)
}

fn post_back(
    t: &Tenant,
    issued: Issued,
    app: Option<&SamlApp>,
    overrides: Option<&SamlOverrides>,
    acs: &str,
    relay_state: Option<&str>,
    note: &str,
) -> Response {
    let session = slo::session_of(app, &issued.spec, t.now());
    let key = match t.signing_key(issued.key.as_ref()) {
        Ok(k) => k,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let sealed = match encrypt::target(t, app, overrides) {
        Ok(s) => s.filter(|_| issued.spec.assertion.is_some()),
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let built = match (overrides.and_then(|ov| ov.attack.map(|a| (a, ov))), &sealed) {
        (Some((attack, ov)), None) => forge(t, attack, ov, issued, &key),
        (Some((attack, ov)), Some((cert, s))) => forge(t, attack, ov, issued, &key)
            .and_then(|xml| Ok(encrypt::seal_forged(&xml, cert, s)?)),
        (None, Some((cert, s))) => encrypt::build(&issued, &key, cert, s).map_err(Into::into),
        (None, None) => saml::build_response_xml(&issued.spec, &issued.sign, &key)
            .map_err(SamlIdpError::BuildResponse),
    };
    let xml = match built {
        Ok(x) => x,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    t.state.lock().last_saml_response = Some(xml.clone());
    if let Some(s) = session {
        slo::remember(t, s);
    }
    let html = saml::post_form_html(acs, &saml::b64_encode(xml.as_bytes()), relay_state);
    let resp = noted(
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from(html))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        note.to_string(),
    );
    crate::respond::with_message(resp, "SAMLResponse", xml)
}
