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

pub(crate) mod deliver;
pub(crate) mod endpoint;
pub(crate) mod error;
pub(crate) mod idp_initiated;
pub(crate) mod model;
pub(crate) mod vendor;

pub use deliver::Delivery;
pub use endpoint::{route, serve};
pub use error::SloError;
pub use idp_initiated::{idp_initiated, NewLogout, StartedLogout};
pub use model::{
    AppSlo, IdpLogout, IdpSession, LogoutSigning, NewSlo, SloBinding, SloState, SpAnswer,
    VendorSigning, VendorSlo,
};
pub use vendor::{advertised, configure, idp_slo_url, remember, session_of, vendor_slo};
