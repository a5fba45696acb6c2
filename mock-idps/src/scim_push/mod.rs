//! SCIM push clients: Okta's and Entra's provisioning connectors, in their own dialects.
//!
//! Layers, from the pure core out:
//! - [`dialect`]: a vendor's client as data ([`ScimDialect`]); the tables sit with the
//!   personalities (Okta catalogue and custom apps, Entra with and without
//!   `aadOptscim062020`; Google has none).
//! - [`event`]: lifecycle events (assign, update, suspend, delete, group push...).
//! - [`plan`]: event + dialect + [`Knowledge`] -> the requests in order, pure.
//! - [`request`]: a planned step rendered to its exact URL, headers and body, pure.
//! - [`judge`]: an answer read as the vendor reads it -> go on, refused or failed, and
//!   findings for whatever was wrong. Pure, and total: no answer makes it panic.
//! - [`client`]: [`ScimPushClient`], the async executor (reqwest) that sends, judges, learns
//!   ids and records [`evidence`].
//! - [`tenant`]: actions in a mock tenant pushed in its vendor's dialect; the control API's
//!   `/_idpsim/tenants/{vendor}/{id}/scim/...` routes call it.
//!
//! docs/scim-push.md describes the API and the dialects, with the assumptions made where
//! shared/reference/vendors.md is silent.

pub mod client;
pub mod dialect;
pub mod event;
pub mod evidence;
pub mod judge;
pub mod knowledge;
pub mod plan;
pub mod request;
pub mod step;
pub mod tenant;

pub use client::ScimPushClient;
pub use dialect::{DialectId, ScimDialect};
pub use event::{PushGroup, PushUser, ScimEvent};
pub use evidence::{EventStatus, Exchange, Finding, FindingKind, PushOutcome};
pub use knowledge::{Knowledge, KnownGroup, KnownUser, Learn};
pub use plan::{plan, PlanError};
pub use request::{render, BearerToken, Prepared, WireHeaders};
pub use step::{Answer, Guard, Method, Step, Target};
pub use tenant::{
    PushError, PushEvidence, PushTarget, PushTargetView, TenantEvent, UserNameFormat,
};
