//! Carrying a logout message to the SP's SLO URL, signed as the vendor signs it.

use super::error::SloError;
use super::model::{AppSlo, LogoutSigning, SloBinding, VendorSigning, VendorSlo};
use crate::next_login::KeyChoice;
use crate::tenant::Tenant;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use protocols::saml::logout::{self, Param};
use protocols::saml::{self, SignatureAlgorithm};
use protocols::xml::Element;

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
pub(super) fn deliver(
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
