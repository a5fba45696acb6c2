//! reference-sp integration tests: one binary, one module per area. Journeys run over real
//! HTTP: the SP and the mock IdPs in process on 127.0.0.1:0, sharing one virtual clock, driven
//! by a cookie-keeping client that follows redirects and submits SAML POST forms itself. Tests
//! that talk only to the SP (admin API, SCIM, metadata) need no socket: `World::in_process`
//! sends each request to the SP's router with `oneshot` (`common::call`).

#[path = "sp/common.rs"]
mod common;

#[path = "sp/admin.rs"]
mod admin;
#[path = "sp/basic.rs"]
mod basic;
#[path = "sp/managed.rs"]
mod managed;
#[path = "sp/restart.rs"]
mod restart;
#[path = "sp/roles.rs"]
mod roles;
#[path = "sp/scim.rs"]
mod scim;
#[path = "sp/sessions.rs"]
mod sessions;
#[path = "sp/slo.rs"]
mod slo;
