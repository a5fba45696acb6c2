//! Session timeout under virtual time, deprovisioning, and what the SP tells the IdP.

use crate::world::params::{Req, Unit};
use crate::world::IdpWorld;
use cucumber::{given, then, when};
use serde_json::json;

#[given(expr = "{word}'s SSO session timeout is {int} {unit}")]
async fn session_timeout(w: &mut IdpWorld, org: String, n: i64, unit: Unit) -> anyhow::Result<()> {
    w.patch_org(&org, json!({"session_timeout_secs": unit.seconds(n)}))
        .await
}

#[when(expr = "{int} {unit} pass(es)")]
async fn time_passes(w: &mut IdpWorld, n: i64, unit: Unit) -> anyhow::Result<()> {
    w.advance(unit.seconds(n)).await
}

#[given(expr = "{word} has deprovisioned {word}")]
#[when(expr = "{word} deprovisions {word}")]
async fn deprovision(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.deprovision(&org, &actor).await
}

#[then(expr = "the SP sent no logout request to {word}'s IdP {req}")]
async fn no_logout(w: &mut IdpWorld, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_no_idp_logout(&org, &req)
}
