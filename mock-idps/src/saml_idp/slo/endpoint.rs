//! The IdP's SLO endpoint: an SP's LogoutRequest (SP-initiated logout) or an SP's
//! LogoutResponse to an IdP-initiated logout.

use super::deliver::deliver;
use super::error::SloError;
use super::model::{AppSlo, IdpSession, LogoutSigning, SpAnswer, VendorSlo};
use super::vendor::{idp_slo_url, vendor_slo};
use crate::respond::{noted, with_message};
use crate::tenant::{SamlApp, SharedTenant, Tenant};
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use protocols::saml;
use protocols::saml::logout::{
    self, LogoutMessage, LogoutRequest, LogoutResponse, LogoutResponseSpec, Param, Received,
    STATUS_UNKNOWN_PRINCIPAL,
};
use protocols::saml::response::uri;

/// Whether a request at `rest` under the tenant is a Single Logout message: `Some(app hint)`
/// then. At a path shared with SSO only a Redirect query carrying a logout message counts.
pub fn route(
    t: &Tenant,
    rest: &str,
    method: &Method,
    query: Option<&str>,
) -> Option<Option<String>> {
    let v = vendor_slo(t.vendor).ok()?;
    let caps = crate::routes::capture(v.path, rest)?;
    if v.shared_with_sso {
        if *method != Method::GET {
            return None;
        }
        let received = logout::decode_redirect_message(query?, saml::DEFAULT_MAX_INFLATED).ok()?;
        logout::parse_logout_message(&received.xml).ok()?;
    }
    Some(caps.get("app_id").cloned())
}

fn error_page(status: StatusCode, message: &str) -> Response {
    crate::saml_idp::error_page(status, &format!("Single Logout: {message}"))
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
    let body = axum::body::to_bytes(req.into_body(), crate::saml_idp::MAX_FORM)
        .await
        .map_err(|_| SloError::BodyTooLarge {
            limit: crate::saml_idp::MAX_FORM,
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
