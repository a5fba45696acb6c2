//! SCIM provisioning pushed by the IdP (Okta, Entra), in the vendor's dialect.

use crate::world::params::Req;
use crate::world::IdpWorld;
use cucumber::{given, then, when};

#[given(expr = "{word} provisions accounts from its IdP by SCIM")]
async fn scim_enabled(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.enable_scim(&org).await
}

#[given(expr = "{word}'s IdP has provisioned {word} by SCIM")]
#[when(expr = "{word}'s IdP provisions {word} by SCIM")]
async fn provision(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.scim_provision(&org, &actor).await
}

#[when(expr = "{word}'s IdP deactivates {word} by SCIM")]
async fn deactivate(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.scim_deactivate(&org, &actor).await
}

#[then(expr = "{word} is signed in as the account SCIM created for her/him at {word} {req}")]
async fn scim_account(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_scim_account(&actor, &org, &req).await
}
