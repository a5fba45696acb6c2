//! SCIM provisioning pushed by the IdP (Okta, Entra) through its push client, in the vendor's
//! dialect (docs/scim-push.md).

use crate::world::params::{Req, Role, Vendor};
use crate::world::IdpWorld;
use cucumber::{given, then, when};

#[given(expr = "{word} provisions accounts from its IdP by SCIM")]
async fn scim_enabled(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.enable_scim(&org).await
}

#[given(expr = "{word}'s IdP pushes SCIM to the platform in the {word} dialect")]
async fn scim_dialect(w: &mut IdpWorld, org: String, dialect: String) -> anyhow::Result<()> {
    let d = IdpWorld::scim_dialect(&dialect)?;
    w.enable_scim_push(&org, Some(d)).await
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

#[given(expr = "{word}'s {vendor} has assigned {word} to the app")]
#[when(expr = "{word}'s {vendor} assigns {word} to the app")]
async fn assign(w: &mut IdpWorld, org: String, v: Vendor, actor: String) -> anyhow::Result<()> {
    w.scim_assign(&org, Some(v), &actor).await
}

#[given(
    regex = r"^(\S+)'s (Okta|Entra|Google) has (deactivated|suspended|reactivated|unassigned|deleted) (\S+)$"
)]
async fn lifecycle_done(
    w: &mut IdpWorld,
    org: String,
    v: String,
    what: String,
    actor: String,
) -> anyhow::Result<()> {
    let v: Vendor = v.parse().map_err(anyhow::Error::msg)?;
    let what = match what.as_str() {
        "deactivated" => "deactivates",
        "suspended" => "suspends",
        "reactivated" => "reactivates",
        "unassigned" => "unassigns",
        _ => "deletes",
    };
    w.scim_lifecycle(&org, Some(v), what, &actor).await
}

#[when(
    regex = r"^(\S+)'s (Okta|Entra|Google) (deactivates|suspends|reactivates|unassigns|deletes) (\S+)$"
)]
async fn lifecycle(
    w: &mut IdpWorld,
    org: String,
    v: String,
    what: String,
    actor: String,
) -> anyhow::Result<()> {
    let v: Vendor = v.parse().map_err(anyhow::Error::msg)?;
    w.scim_lifecycle(&org, Some(v), &what, &actor).await
}

#[when(expr = "{word}'s {vendor} renames {word} to {string}")]
async fn rename(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    actor: String,
    name: String,
) -> anyhow::Result<()> {
    let o = w.scim_change_username(&org, v, &actor, &name).await?;
    anyhow::ensure!(
        o.status == mock_idps::scim_push::EventStatus::Done,
        "the rename did not go through: {:?}",
        o.status
    );
    Ok(())
}

#[given(expr = "{word}'s {vendor} has pushed group {string} with {string}")]
#[when(expr = "{word}'s {vendor} pushes group {string} with {string}")]
async fn push_group(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    group: String,
    members: String,
) -> anyhow::Result<()> {
    w.scim_push_group(&org, v, &group, &super::list(&members))
        .await
}

#[when(expr = "{word}'s {vendor} adds {word} to group {string}")]
async fn add_member(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    actor: String,
    group: String,
) -> anyhow::Result<()> {
    w.scim_group_member(&org, v, true, &actor, &group).await
}

#[when(expr = "{word}'s {vendor} removes {word} from group {string}")]
async fn remove_member(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    actor: String,
    group: String,
) -> anyhow::Result<()> {
    w.scim_group_member(&org, v, false, &actor, &group).await
}

#[given(expr = "{word} links pushed group {string} to resource group {string} with role {role}")]
#[when(expr = "{word} links pushed group {string} to resource group {string} with role {role}")]
async fn link(
    w: &mut IdpWorld,
    org: String,
    group: String,
    rg: String,
    role: Role,
) -> anyhow::Result<()> {
    w.link_scim_group(&org, &group, &rg, role).await
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

#[then(expr = "{word}'s {vendor} cannot assign {word} with username {string} {req}")]
async fn bad_username(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    actor: String,
    username: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_scim_username_refused(&org, v, &actor, &username, &req)
        .await
}

#[then(expr = "{word}'s {vendor} cannot rename {word} to {string} {req}")]
async fn read_only(
    w: &mut IdpWorld,
    org: String,
    v: Vendor,
    actor: String,
    name: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_scim_profile_read_only(&org, v, &actor, &name, &req)
        .await
}

#[then(expr = "{word}'s account is named {string} {req}")]
async fn renamed(w: &mut IdpWorld, actor: String, name: String, req: Req) -> anyhow::Result<()> {
    w.expect_scim_username(&actor, &name, &req).await
}

#[then(expr = "{word}'s account is gone {req}")]
async fn gone(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_scim_account_state(&actor, false, &req).await
}

#[then(expr = "{word}'s account is kept, deactivated {req}")]
async fn kept(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_scim_account_state(&actor, true, &req).await
}

#[then(expr = "{word} cannot change who is in {word}'s resource group {string} by hand {req}")]
async fn manual_403(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    rg: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_manual_change_refused(&org, &rg, &actor, &req)
        .await
}

#[then(expr = "{word}'s membership of {word} is deactivated {req}")]
async fn membership_off(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_membership_deactivated(&actor, &org, &req).await
}
