//! SAML Single Logout at the mock IdPs: per-app SLO settings, the IdP's record of the sessions it
//! issued (SessionIndex → user and app), SP-initiated logout at the IdP's SLO endpoint, and
//! IdP-initiated logout through the control API.
//!
//! Vendor facts, and what idpsim chose where the vendor does not say:
//! - Okta: SLO exists only when the app enables it ("Allow application to initiate Single
//!   Logout": Single Logout URL, SP Issuer, Signature Certificate). "For SAML apps, the SP must
//!   be able to send an SLO request to Okta and it must be signed"; Okta answers at the Single
//!   Logout URL "as a POST operation" (help.okta.com, "Configure Single Logout in app
//!   integrations"). Its metadata lists SingleLogoutService only then (S12). The SLO URL has the
//!   SSO URL's shape with `slo` (`app/{org}_{app}_1/{exk}/slo/saml`). Okta signs its
//!   LogoutResponse as it signs its Responses (enveloped, RSA-SHA256). Classic Okta SLO is
//!   SP-initiated only; IdP-initiated logout stands for its front-channel SLO (Early Access),
//!   sent over POST and signed.
//! - Entra ID: "supports redirect binding (HTTP GET), and not HTTP POST binding"; the app's
//!   Logout Url receives the answer (learn.microsoft.com, "Single Sign-Out SAML Protocol"), and
//!   the SLO Location is the SSO URL `…/saml2` (S3). That page documents no signature on the
//!   LogoutRequest and no way to upload a logout-signing certificate (MicrosoftDocs/azure-docs
//!   issue 39890), so idpsim's Entra accepts an unsigned LogoutRequest, and checks a signature
//!   when one is sent and the app has an SP certificate (as its SSO endpoint does with
//!   AuthnRequests). Entra's LogoutResponse over Redirect carries its signature inside the XML
//!   (enveloped) and no SigAlg/Signature query parameters; SP libraries that only check the
//!   query signature report "invalid logout response signature" against it
//!   (SAML-Toolkits/python3-saml issue 252, BookStackApp/BookStack issue 2132). idpsim
//!   reproduces that. Its IdP-initiated LogoutRequests (sent when another app logs the user out,
//!   MicrosoftDocs/azure-docs issue 19955) go out the same way.
//! - Google Workspace: custom SAML apps have no single logout (vendors.md); there is no SLO
//!   endpoint and enabling SLO on a Google app is refused.
//!
//! A LogoutRequest the IdP cannot attribute to a registered app with SLO enabled gets an HTML
//! error page (there is nowhere to send an answer); once the app is known, every refusal is a
//! LogoutResponse with a non-Success status to the app's registered SLO URL, and changes nothing.

use crate::control::{self, ApiError};
use crate::next_login::KeyChoice;
use crate::personality::Vendor;
use crate::registry::MockIdps;
use crate::respond::{noted, with_message};
use crate::tenant::{EntityId, SamlApp, SharedTenant, Tenant, TenantKeyError};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use chrono::{DateTime, Utc};
use protocols::saml::logout::{
    self, LogoutMessage, LogoutRequest, LogoutRequestSpec, LogoutResponse, LogoutResponseSpec,
    Param, Received, STATUS_UNKNOWN_PRINCIPAL,
};
use protocols::saml::response::uri;
use protocols::saml::{self, SignatureAlgorithm};
use protocols::xml::Element;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Sessions and logouts kept per tenant (the oldest go first).
const MAX_RECORDS: usize = 1000;

/// The binding a vendor uses towards the SP's SLO URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloBinding {
    Redirect,
    Post,
}

/// How a vendor signs the logout messages it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorSigning {
    /// The binding's own signature: enveloped XML-DSig over POST, SigAlg/Signature over
    /// Redirect (SAML bindings 3.4.4.1).
    Binding,
    /// An enveloped signature inside the XML whatever the binding (Entra, see the module docs).
    Enveloped,
}

/// A vendor's Single Logout (see the module docs for the sources).
#[derive(Debug, Clone, Copy)]
pub struct VendorSlo {
    /// The SLO endpoint under the tenant (`{app_name}`, `{app_id}` capture).
    pub path: &'static str,
    /// The Location the metadata advertises (`{tenant}`, `{app_name}`, `{app_key}`, `{app_id}`).
    pub url: &'static str,
    /// Whether the endpoint is the SSO endpoint too (Entra): only logout messages divert.
    pub shared_with_sso: bool,
    pub binding: SloBinding,
    /// The SP's LogoutRequest must be signed (Okta).
    pub request_signature_required: bool,
    pub signing: VendorSigning,
    /// Whether SLO is on only once the app enables it (Okta) or for every app that has an SLO
    /// URL (Entra's Logout Url).
    pub per_app_switch: bool,
}

/// Why a Single Logout could not be configured, read, answered or started (the text of the
/// error page or the control API's 400).
#[derive(Debug, thiserror::Error)]
pub enum SloError {
    #[error(
        "Google Workspace custom SAML apps have no single logout (there is no SLO endpoint \
         and no Logout URL setting)"
    )]
    VendorHasNoSlo,
    #[error("url: {url:?} is not a URL ({source})")]
    BadUrl {
        url: String,
        source: url::ParseError,
    },
    #[error("{vendor} sends logout messages over the {binding:?} binding only")]
    WrongBinding {
        vendor: &'static str,
        binding: SloBinding,
    },
    #[error("certificate is not a PEM certificate: {0}")]
    BadCertificate(#[source] openssl::error::ErrorStack),
    #[error(
        "{vendor} requires signed LogoutRequests: give the SP's signature certificate \
         (certificate, PEM) or register the app with sp_signing_cert"
    )]
    SignatureCertificateRequired { vendor: &'static str },
    #[error("sp_issuer must not be empty")]
    EmptySpIssuer,
    #[error("unreadable Redirect message: {0}")]
    UnreadableRedirect(#[source] saml::SamlError),
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(Method),
    #[error("request body exceeds {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("unreadable POST message: {0}")]
    UnreadablePost(#[source] saml::SamlError),
    #[error("the app's signature certificate cannot be read: {0}")]
    AppCertificateUnreadable(#[source] openssl::error::ErrorStack),
    #[error("no SAML app {app} in this tenant")]
    UnknownApp { app: String },
    #[error("the issuer {issuer} is not a registered app")]
    UnknownIssuer { issuer: String },
    #[error("Single Logout is not enabled for app {app} (no SLO URL is configured)")]
    NoSloUrl { app: String },
    #[error("the logout message's issuer {issuer} is not app {app}'s SP issuer {expected}")]
    IssuerMismatch {
        issuer: String,
        app: String,
        expected: String,
    },
    #[error(transparent)]
    Key(#[from] TenantKeyError),
    #[error("cannot sign: {0}")]
    Sign(#[source] saml::SamlError),
    #[error("cannot encode: {0}")]
    Encode(#[source] saml::SamlError),
    #[error("no registered SAML app {app} in this tenant")]
    UnregisteredApp { app: String },
    #[error("Single Logout is not enabled for app {app}")]
    SloNotEnabled { app: String },
    #[error("no user {user} in this tenant")]
    UnknownUser { user: String },
    #[error("{user} has no session at app {app} to log out")]
    NoSession { user: String, app: String },
}

pub fn vendor_slo(v: Vendor) -> Result<VendorSlo, SloError> {
    match v {
        Vendor::Okta => Ok(VendorSlo {
            path: "app/{app_name}/{app_id}/slo/saml",
            url: "app/{tenant}_{app_name}_1/{app_key}/slo/saml",
            shared_with_sso: false,
            binding: SloBinding::Post,
            request_signature_required: true,
            signing: VendorSigning::Binding,
            per_app_switch: true,
        }),
        Vendor::Entra => Ok(VendorSlo {
            path: "saml2",
            url: "saml2",
            shared_with_sso: true,
            binding: SloBinding::Redirect,
            request_signature_required: false,
            signing: VendorSigning::Enveloped,
            per_app_switch: false,
        }),
        Vendor::Google => Err(SloError::VendorHasNoSlo),
    }
}

/// An app's Single Logout settings (Okta's "Single Logout URL", "SP Issuer", "Signature
/// Certificate"; Entra's "Logout Url").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSlo {
    /// The SP's SLO URL: LogoutResponses and IdP-initiated LogoutRequests go there.
    pub url: String,
    pub binding: SloBinding,
    /// The Issuer the SP's logout messages carry; unset: the SP entity id.
    #[serde(default)]
    pub sp_issuer: Option<String>,
    /// PEM certificate that signs the SP's logout messages; unset: the app's `sp_signing_cert`.
    #[serde(default)]
    pub certificate: Option<String>,
}

/// `PUT …/saml-apps/{app}/slo`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSlo {
    pub url: String,
    /// Must be the vendor's (Okta `post`, Entra `redirect`); unset: the vendor's.
    pub binding: Option<SloBinding>,
    pub sp_issuer: Option<String>,
    pub certificate: Option<String>,
}

/// Validate `n` for `app` at `t`'s vendor.
pub fn configure(t: &Tenant, app: &SamlApp, n: NewSlo) -> Result<AppSlo, SloError> {
    let v = vendor_slo(t.vendor)?;
    url::Url::parse(&n.url).map_err(|source| SloError::BadUrl {
        url: n.url.clone(),
        source,
    })?;
    let binding = n.binding.unwrap_or(v.binding);
    if binding != v.binding {
        return Err(SloError::WrongBinding {
            vendor: t.personality().display_name,
            binding: v.binding,
        });
    }
    if let Some(pem) = &n.certificate {
        openssl::x509::X509::from_pem(pem.as_bytes()).map_err(SloError::BadCertificate)?;
    }
    if v.request_signature_required && n.certificate.is_none() && app.sp_signing_cert.is_none() {
        return Err(SloError::SignatureCertificateRequired {
            vendor: t.personality().display_name,
        });
    }
    if n.sp_issuer.as_deref().is_some_and(|i| i.trim().is_empty()) {
        return Err(SloError::EmptySpIssuer);
    }
    Ok(AppSlo {
        url: n.url,
        binding,
        sp_issuer: n.sp_issuer,
        certificate: n.certificate,
    })
}

/// A session the IdP issued: one assertion's SessionIndex for one user at one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdpSession {
    pub app_id: String,
    pub sp_entity_id: EntityId,
    pub name_id: String,
    pub session_index: String,
    pub started: DateTime<Utc>,
}

/// An IdP-initiated logout and the SP's answer once it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdpLogout {
    pub request_id: String,
    pub app_id: String,
    pub name_id: String,
    pub session_index: Option<String>,
    pub sent: DateTime<Utc>,
    pub response: Option<SpAnswer>,
}

/// The LogoutResponse an SP sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpAnswer {
    pub id: String,
    pub status: String,
    pub sub_status: Option<String>,
    /// `verified`, `unsigned`, or why it failed.
    pub signature: String,
}

/// The tenant's SLO state, kept with the rest of its state.
#[derive(Debug, Clone, Default)]
pub struct SloState {
    pub sessions: Vec<IdpSession>,
    pub logouts: Vec<IdpLogout>,
}

fn push_bounded<T>(v: &mut Vec<T>, item: T) {
    if v.len() >= MAX_RECORDS {
        v.remove(0);
    }
    v.push(item);
}

/// The session a response about to be posted opens, when it carries an assertion with a
/// SessionIndex.
pub fn session_of(
    app: Option<&SamlApp>,
    spec: &saml::ResponseSpec,
    now: DateTime<Utc>,
) -> Option<IdpSession> {
    let app = app?;
    let a = spec.assertion.as_ref()?;
    let si = a.authn_statement.as_ref()?.session_index.clone()?;
    Some(IdpSession {
        app_id: app.id.clone(),
        sp_entity_id: app.sp_entity_id.clone(),
        name_id: a.name_id.value.clone(),
        session_index: si,
        started: now,
    })
}

/// Remember a session the IdP just issued.
pub fn remember(t: &Tenant, s: IdpSession) {
    push_bounded(&mut t.state.lock().slo.sessions, s);
}

/// The SLO URL the IdP advertises for `app`, when its vendor has SLO.
pub fn idp_slo_url(t: &Tenant, app: &SamlApp) -> Option<String> {
    let v = vendor_slo(t.vendor).ok()?;
    if v.shared_with_sso {
        // Entra's federation metadata names the SSO URL as the SLO Location (S3).
        return Some(t.saml_sso_url(app));
    }
    Some(
        t.url(
            &v.url
                .replace("{tenant}", t.id.as_str())
                .replace("{app_name}", &app.name)
                .replace("{app_key}", &app.key)
                .replace("{app_id}", &app.id),
        ),
    )
}

/// Whether the metadata of `app` lists SingleLogoutService: always at a vendor without a per-app
/// switch (Entra, S3), only with SLO enabled at Okta (S12), never at Google.
pub fn advertised(t: &Tenant, app: &SamlApp) -> bool {
    match vendor_slo(t.vendor) {
        Ok(v) => !v.per_app_switch || app.slo.is_some(),
        Err(_) => false,
    }
}

/// Whether a request at `rest` under the tenant is a Single Logout message: `Some(app hint)`
/// then. At a path shared with SSO only a Redirect query carrying a logout message counts.
pub fn route(
    t: &Tenant,
    rest: &str,
    method: &Method,
    query: Option<&str>,
) -> Option<Option<String>> {
    let v = vendor_slo(t.vendor).ok()?;
    let caps = capture(v.path, rest)?;
    if v.shared_with_sso {
        if *method != Method::GET {
            return None;
        }
        let received = logout::decode_redirect_message(query?, saml::DEFAULT_MAX_INFLATED).ok()?;
        logout::parse_logout_message(&received.xml).ok()?;
    }
    Some(caps.get("app_id").cloned())
}

fn capture(template: &str, path: &str) -> Option<std::collections::BTreeMap<String, String>> {
    let t: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if t.len() != p.len() {
        return None;
    }
    let mut caps = std::collections::BTreeMap::new();
    for (ts, ps) in t.iter().zip(&p) {
        if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            caps.insert(name.to_string(), ps.to_string());
        } else if ts != ps {
            return None;
        }
    }
    Some(caps)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    super::error_page(status, &format!("Single Logout: {message}"))
}

/// The SLO endpoint: a LogoutRequest from an SP, or an SP's LogoutResponse to an IdP-initiated
/// logout.
pub async fn serve(t: SharedTenant, app_hint: Option<String>, req: Request) -> Response {
    let received = match read(req).await {
        Ok(r) => r,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let message = match logout::parse_logout_message(&received.xml) {
        Ok(m) => m,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                &format!("unreadable logout message: {e}"),
            )
        }
    };
    let kind = match received.param {
        Param::Request => "LogoutRequest",
        Param::Response => "LogoutResponse",
    };
    let resp = match message {
        LogoutMessage::Request(lr) => sp_initiated(&t, app_hint.as_deref(), &received, &lr),
        LogoutMessage::Response(r) => sp_answered(&t, &received, &r),
    };
    with_first(resp, kind, received.xml)
}

/// The received message first in the log, before what the answer attached.
fn with_first(mut resp: Response, kind: &str, xml: String) -> Response {
    let answered = resp
        .extensions_mut()
        .remove::<crate::respond::LogMessages>()
        .unwrap_or_default();
    let mut resp = with_message(resp, kind, xml);
    if let Some(m) = resp
        .extensions_mut()
        .get_mut::<crate::respond::LogMessages>()
    {
        m.0.extend(answered.0);
    }
    resp
}

async fn read(req: Request) -> Result<Received, SloError> {
    if req.method() == Method::GET {
        let raw = req.uri().query().unwrap_or("").to_string();
        return logout::decode_redirect_message(&raw, saml::DEFAULT_MAX_INFLATED)
            .map_err(SloError::UnreadableRedirect);
    }
    if req.method() != Method::POST {
        return Err(SloError::MethodNotAllowed(req.method().clone()));
    }
    let body = axum::body::to_bytes(req.into_body(), super::MAX_FORM)
        .await
        .map_err(|_| SloError::BodyTooLarge {
            limit: super::MAX_FORM,
        })?;
    logout::decode_post_message(&String::from_utf8_lossy(&body), saml::DEFAULT_MAX_INFLATED)
        .map_err(SloError::UnreadablePost)
}

/// The certificate (DER) that signs `app`'s logout messages.
fn sp_cert(app: &SamlApp, slo: &AppSlo) -> Result<Option<Vec<u8>>, SloError> {
    let Some(pem) = slo.certificate.as_ref().or(app.sp_signing_cert.as_ref()) else {
        return Ok(None);
    };
    openssl::x509::X509::from_pem(pem.as_bytes())
        .and_then(|c| c.to_der())
        .map(Some)
        .map_err(SloError::AppCertificateUnreadable)
}

/// How the signature of a received message came out.
enum Signed {
    Verified,
    Unsigned,
    Invalid(String),
}

fn check_signature(received: &Received, cert: Option<&[u8]>) -> Signed {
    let redirect_signed = received
        .raw_query
        .as_deref()
        .is_some_and(logout::redirect_is_signed);
    let xml_signed = received.xml.contains("SignatureValue");
    if !redirect_signed && !xml_signed {
        return Signed::Unsigned;
    }
    let Some(cert) = cert else {
        return Signed::Invalid("it is signed but the app has no signature certificate".into());
    };
    let result = match (&received.raw_query, redirect_signed) {
        (Some(q), true) => logout::verify_redirect_message(q, cert).map(|_| ()),
        _ => logout::verify_post_message(&received.xml, cert).map(|_| ()),
    };
    match result {
        Ok(()) => Signed::Verified,
        Err(e) => Signed::Invalid(e.to_string()),
    }
}

fn find_app(t: &Tenant, hint: Option<&str>, issuer: &str) -> Result<(SamlApp, AppSlo), SloError> {
    let app = match hint {
        Some(h) => t
            .saml_app(h)
            .ok_or_else(|| SloError::UnknownApp { app: h.to_string() })?,
        None => t
            .state
            .lock()
            .saml_apps
            .iter()
            .find(|a| {
                a.sp_entity_id == issuer
                    || a.slo.as_ref().and_then(|s| s.sp_issuer.as_deref()) == Some(issuer)
            })
            .cloned()
            .ok_or_else(|| SloError::UnknownIssuer {
                issuer: issuer.to_string(),
            })?,
    };
    let Some(slo) = app.slo.clone() else {
        return Err(SloError::NoSloUrl { app: app.id });
    };
    let expected = slo
        .sp_issuer
        .as_deref()
        .unwrap_or(app.sp_entity_id.as_str());
    if issuer != expected && issuer != app.sp_entity_id.as_str() {
        return Err(SloError::IssuerMismatch {
            issuer: issuer.to_string(),
            app: app.id,
            expected: expected.to_string(),
        });
    }
    Ok((app, slo))
}

/// A refusal addressed to the SP: top-level status, second-level status, message.
struct Refusal(&'static str, Option<&'static str>, String);

fn sp_initiated(
    t: &Tenant,
    hint: Option<&str>,
    received: &Received,
    lr: &LogoutRequest,
) -> Response {
    let (app, slo) = match find_app(t, hint, &lr.issuer) {
        Ok(x) => x,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let v = match vendor_slo(t.vendor) {
        Ok(v) => v,
        Err(e) => return error_page(StatusCode::NOT_FOUND, &e.to_string()),
    };
    let outcome = judge(t, &app, &slo, &v, received, lr);
    let (status, sub, message, note) = match &outcome {
        Ok(n) => (
            uri::STATUS_SUCCESS,
            None,
            None,
            format!("logged out {} ({n} session(s))", lr.name_id),
        ),
        Err(Refusal(top, sub, m)) => (*top, *sub, Some(m.clone()), format!("logout refused: {m}")),
    };
    let p = t.personality();
    let spec = LogoutResponseSpec {
        id: p.ids.saml_message.make(t.ids.as_ref()),
        issue_instant: t.now(),
        destination: Some(slo.url.clone()),
        in_response_to: lr.id.clone(),
        issuer: t.saml_entity_id(Some(&app)),
        status: status.to_string(),
        sub_status: sub.map(str::to_string),
        status_message: message,
        protocol_prefix: p.saml.protocol_prefix.into(),
        assertion_prefix: p.saml.assertion_prefix.into(),
    };
    let el = logout::build_logout_response(&spec);
    match deliver(
        t,
        &v,
        &slo,
        Param::Response,
        el,
        received.relay_state.as_deref(),
        LogoutSigning::Default,
    ) {
        Ok((d, xml)) => with_message(noted(d.into_response(), note), "LogoutResponse", xml),
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Check a LogoutRequest from `app` and end the sessions it names: the number ended, or the
/// refusal (nothing ended).
fn judge(
    t: &Tenant,
    app: &SamlApp,
    slo: &AppSlo,
    v: &VendorSlo,
    received: &Received,
    lr: &LogoutRequest,
) -> Result<usize, Refusal> {
    let denied = |m: String| Refusal(uri::STATUS_REQUESTER, Some(uri::STATUS_REQUEST_DENIED), m);
    let cert =
        sp_cert(app, slo).map_err(|e| Refusal(uri::STATUS_RESPONDER, None, e.to_string()))?;
    match check_signature(received, cert.as_deref()) {
        Signed::Verified => {}
        Signed::Unsigned if v.request_signature_required => {
            return Err(denied(
                "the LogoutRequest is not signed; this app requires signed logout requests".into(),
            ))
        }
        Signed::Unsigned => {}
        Signed::Invalid(e) => {
            return Err(denied(format!(
                "the LogoutRequest signature does not verify: {e}"
            )))
        }
    }
    if let Some(d) = &lr.destination {
        let expected = idp_slo_url(t, app).unwrap_or_default();
        if *d != expected {
            return Err(Refusal(
                uri::STATUS_REQUESTER,
                None,
                format!("Destination {d} is not this IdP's SLO URL {expected}"),
            ));
        }
    }
    let mut st = t.state.lock();
    let matches = |s: &IdpSession| {
        s.app_id == app.id
            && s.name_id == lr.name_id
            && (lr.session_indexes.is_empty() || lr.session_indexes.contains(&s.session_index))
    };
    let n = st.slo.sessions.iter().filter(|&s| matches(s)).count();
    if n == 0 {
        return Err(Refusal(
            uri::STATUS_REQUESTER,
            Some(STATUS_UNKNOWN_PRINCIPAL),
            format!(
                "no session of {} at this app matches SessionIndex {:?}",
                lr.name_id, lr.session_indexes
            ),
        ));
    }
    st.slo.sessions.retain(|s| !matches(s));
    Ok(n)
}

/// How a logout message travels to the SP's SLO URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A 302 to this URL (HTTP-Redirect).
    Redirect(String),
    /// This auto-submitting HTML form (HTTP-POST).
    Form(String),
}

impl Delivery {
    pub fn into_response(self) -> Response {
        let built = match self {
            Delivery::Redirect(url) => Response::builder()
                .status(StatusCode::FOUND)
                .header(header::LOCATION, url)
                .header(header::CACHE_CONTROL, "no-store")
                .body(Body::empty()),
            Delivery::Form(html) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header(header::CACHE_CONTROL, "no-store")
                .body(Body::from(html)),
        };
        built.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// Sign `el` as the vendor does (or as `signing` says) and carry it to the SP's SLO URL.
/// Returns the delivery and the XML as sent.
fn deliver(
    t: &Tenant,
    v: &VendorSlo,
    slo: &AppSlo,
    param: Param,
    mut el: Element,
    relay_state: Option<&str>,
    signing: LogoutSigning,
) -> Result<(Delivery, String), SloError> {
    let key = match signing {
        LogoutSigning::Default => Some(t.signing_key(None)?),
        LogoutSigning::Foreign => Some(t.signing_key(Some(&KeyChoice::Foreign))?),
        LogoutSigning::None => None,
    };
    let alg = SignatureAlgorithm::RsaSha256;
    let enveloped =
        matches!(slo.binding, SloBinding::Post) || v.signing == VendorSigning::Enveloped;
    if let (Some(k), true) = (&key, enveloped) {
        logout::sign_message(&mut el, k, alg).map_err(SloError::Sign)?;
    }
    match slo.binding {
        SloBinding::Post => {
            let xml = el.to_document();
            let b64 = saml::b64_encode(xml.as_bytes());
            let html = match param {
                Param::Response => saml::post_form_html(&slo.url, &b64, relay_state),
                Param::Request => saml::post_request_form_html(&slo.url, &b64, relay_state),
            };
            Ok((Delivery::Form(html), xml))
        }
        SloBinding::Redirect => {
            let xml = el.to_xml();
            let query_key = if enveloped { None } else { key.as_ref() };
            let q = logout::encode_redirect_message(
                param,
                &xml,
                relay_state,
                query_key.map(|k| (k, alg)),
            )
            .map_err(SloError::Encode)?;
            let sep = if slo.url.contains('?') { '&' } else { '?' };
            Ok((Delivery::Redirect(format!("{}{sep}{q}", slo.url)), xml))
        }
    }
}

/// An SP's LogoutResponse to an IdP-initiated logout: recorded on the logout it answers.
fn sp_answered(t: &Tenant, received: &Received, r: &LogoutResponse) -> Response {
    let Some(irt) = r.in_response_to.clone() else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "the LogoutResponse has no InResponseTo",
        );
    };
    let pending = t
        .state
        .lock()
        .slo
        .logouts
        .iter()
        .find(|l| l.request_id == irt)
        .cloned();
    let Some(pending) = pending else {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("the LogoutResponse answers {irt}, which this IdP never sent"),
        );
    };
    if pending.response.is_some() {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("logout {irt} was already answered"),
        );
    }
    let Some(app) = t.saml_app(&pending.app_id) else {
        return error_page(StatusCode::BAD_REQUEST, "the app of this logout is gone");
    };
    let Some(slo) = app.slo.clone() else {
        return error_page(StatusCode::BAD_REQUEST, "the app no longer has SLO enabled");
    };
    let expected = slo
        .sp_issuer
        .as_deref()
        .unwrap_or(app.sp_entity_id.as_str());
    if r.issuer != expected && r.issuer != app.sp_entity_id.as_str() {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("the LogoutResponse's issuer {} is not {expected}", r.issuer),
        );
    }
    let signature = match sp_cert(&app, &slo) {
        Err(e) => e.to_string(),
        Ok(cert) => match check_signature(received, cert.as_deref()) {
            Signed::Verified => "verified".into(),
            Signed::Unsigned => "unsigned".into(),
            Signed::Invalid(e) => format!("invalid: {e}"),
        },
    };
    let answer = SpAnswer {
        id: r.id.clone(),
        status: r.status.clone(),
        sub_status: r.sub_status.clone(),
        signature: signature.clone(),
    };
    if let Some(l) = t
        .state
        .lock()
        .slo
        .logouts
        .iter_mut()
        .find(|l| l.request_id == irt)
    {
        l.response = Some(answer);
    }
    let body = format!(
        "<!DOCTYPE html><html><head><title>Signed out</title></head><body>\
         <h1>Signed out</h1><p id=\"status\">{}</p></body></html>",
        r.status
    );
    noted(
        (StatusCode::OK, axum::response::Html(body)).into_response(),
        format!("logout {irt} answered {} (signature {signature})", r.status),
    )
}

/// `POST …/saml-apps/{app}/logout`: what the IdP-initiated logout sends, and a fault or two.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLogout {
    /// The user (login, email or id); their latest session at the app is logged out.
    pub user: String,
    /// Name this SessionIndex instead of the session's (a fault: a session the SP never had).
    pub session_index: Option<String>,
    /// `default` (the vendor's signature), `none` (unsigned) or `foreign` (a key the SP does
    /// not trust).
    #[serde(default)]
    pub sign: LogoutSigning,
    pub relay_state: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoutSigning {
    #[default]
    Default,
    None,
    Foreign,
}

/// An IdP-initiated logout on its way: its id, the LogoutRequest as sent, and how it travels.
#[derive(Debug, Clone)]
pub struct StartedLogout {
    pub request_id: String,
    pub xml: String,
    pub delivery: Delivery,
}

/// Start an IdP-initiated logout of `n.user` at `app_key`: end the IdP's sessions of that user
/// at the app, record the pending logout, and return what carries the LogoutRequest.
pub fn idp_initiated(t: &Tenant, app_key: &str, n: &NewLogout) -> Result<StartedLogout, SloError> {
    let v = vendor_slo(t.vendor)?;
    let app = t
        .saml_app(app_key)
        .ok_or_else(|| SloError::UnregisteredApp {
            app: app_key.to_string(),
        })?;
    let slo = app.slo.clone().ok_or_else(|| SloError::SloNotEnabled {
        app: app.id.clone(),
    })?;
    let user = t
        .state
        .lock()
        .directory
        .find(&n.user)
        .cloned()
        .ok_or_else(|| SloError::UnknownUser {
            user: n.user.clone(),
        })?;
    let session = t
        .state
        .lock()
        .slo
        .sessions
        .iter()
        .rev()
        .find(|s| {
            s.app_id == app.id
                && [&user.login, &user.email, &user.id]
                    .iter()
                    .any(|k| s.name_id.eq_ignore_ascii_case(k))
        })
        .cloned();
    let Some(session) = session else {
        return Err(SloError::NoSession {
            user: user.login,
            app: app.id,
        });
    };
    let p = t.personality();
    let id = p.ids.saml_message.make(t.ids.as_ref());
    let session_index = n
        .session_index
        .clone()
        .unwrap_or_else(|| session.session_index.clone());
    let el = logout::build_logout_request(&LogoutRequestSpec {
        id: id.clone(),
        issue_instant: t.now(),
        destination: Some(slo.url.clone()),
        issuer: t.saml_entity_id(Some(&app)),
        name_id: session.name_id.clone(),
        name_id_format: app.name_id_format.clone(),
        session_index: Some(session_index.clone()),
        protocol_prefix: p.saml.protocol_prefix.into(),
        assertion_prefix: p.saml.assertion_prefix.into(),
    });
    let (delivery, xml) = deliver(
        t,
        &v,
        &slo,
        Param::Request,
        el,
        n.relay_state.as_deref(),
        n.sign,
    )?;
    let mut st = t.state.lock();
    st.slo
        .sessions
        .retain(|s| !(s.app_id == app.id && s.name_id == session.name_id));
    push_bounded(
        &mut st.slo.logouts,
        IdpLogout {
            request_id: id.clone(),
            app_id: app.id.clone(),
            name_id: session.name_id.clone(),
            session_index: Some(session_index),
            sent: t.now(),
            response: None,
        },
    );
    Ok(StartedLogout {
        request_id: id,
        xml,
        delivery,
    })
}

// ---------------------------------------------------------------- control API

pub fn control_routes() -> Router<MockIdps> {
    Router::new()
        .route(
            "/tenants/{vendor}/{id}/saml-apps/{app}/slo",
            put(set_slo).delete(clear_slo),
        )
        .route(
            "/tenants/{vendor}/{id}/saml-apps/{app}/logout",
            axum::routing::post(start_logout),
        )
        .route("/tenants/{vendor}/{id}/saml-sessions", get(list_sessions))
        .route("/tenants/{vendor}/{id}/saml-logouts", get(list_logouts))
}

fn no_such_app(key: &str) -> ApiError {
    control::not_found(format!(
        "no registered SAML app {key} (by id or SP entity id) in this tenant"
    ))
}

async fn set_slo(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
    body: Bytes,
) -> control::R {
    let t = control::tenant(&idps, &v, &id)?;
    let n: NewSlo = control::parse(&body)?;
    let current = t.saml_app(&app).ok_or_else(|| {
        control::not_found(format!("no registered SAML app {app} in this tenant"))
    })?;
    let slo = configure(&t, &current, n).map_err(control::bad)?;
    let url = idp_slo_url(&t, &current);
    let a = t
        .set_app_slo(&app, Some(slo.clone()))
        .ok_or_else(|| no_such_app(&app))?;
    control::ok(json!({ "app": a.id, "slo": slo, "idp_slo_url": url }))
}

async fn clear_slo(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
) -> control::R {
    let t = control::tenant(&idps, &v, &id)?;
    let a = t.set_app_slo(&app, None).ok_or_else(|| no_such_app(&app))?;
    control::ok(json!({ "app": a.id, "slo": null }))
}

async fn start_logout(
    State(idps): State<MockIdps>,
    Path((v, id, app)): Path<(String, String, String)>,
    body: Bytes,
) -> control::R {
    let t = control::tenant(&idps, &v, &id)?;
    let n: NewLogout = control::parse(&body)?;
    let started = idp_initiated(&t, &app, &n).map_err(control::bad)?;
    t.log(
        "POST",
        "(control) IdP-initiated logout",
        200,
        format!("LogoutRequest {} for {}", started.request_id, n.user),
    );
    let (redirect_url, form_html) = match started.delivery {
        Delivery::Redirect(u) => (Some(u), None),
        Delivery::Form(h) => (None, Some(h)),
    };
    control::ok(json!({
        "request_id": started.request_id,
        "logout_request": started.xml,
        "redirect_url": redirect_url,
        "form_html": form_html,
    }))
}

async fn list_sessions(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> control::R {
    let t = control::tenant(&idps, &v, &id)?;
    let sessions = t.saml_sessions();
    control::ok(json!({ "saml_sessions": sessions }))
}

async fn list_logouts(
    State(idps): State<MockIdps>,
    Path((v, id)): Path<(String, String)>,
) -> control::R {
    let t = control::tenant(&idps, &v, &id)?;
    let logouts = t.saml_logouts();
    control::ok(json!({ "saml_logouts": logouts }))
}
