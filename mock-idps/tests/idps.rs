//! mock-idps integration tests: one binary, one module per area.

#[path = "idps/attacks.rs"]
mod attacks;
#[path = "idps/common.rs"]
mod common;
#[path = "idps/control.rs"]
mod control;
#[path = "idps/encrypt.rs"]
mod encrypt;
#[path = "idps/oidc.rs"]
mod oidc;
#[path = "idps/oidc_fidelity.rs"]
mod oidc_fidelity;
#[path = "idps/saml.rs"]
mod saml;
#[path = "idps/saml_fidelity.rs"]
mod saml_fidelity;
#[path = "idps/scim_fidelity.rs"]
mod scim_fidelity;
#[path = "idps/scim_push.rs"]
mod scim_push;
#[path = "idps/scim_push_hostile.rs"]
mod scim_push_hostile;
#[path = "idps/scim_push_sp.rs"]
mod scim_push_sp;
#[path = "idps/slo.rs"]
mod slo;
