//! Why a Single Logout could not be configured, read, answered or started.

use super::model::SloBinding;
use crate::tenant::TenantKeyError;
use axum::http::Method;
use protocols::saml;

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
