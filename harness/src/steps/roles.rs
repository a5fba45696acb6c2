//! Role mapping, resource-group mapping, and membership as the target reports it.

use super::role_rows;
use crate::world::params::{Req, Role};
use crate::world::IdpWorld;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

#[given(expr = "{word} maps IdP group {string} to role {role}")]
async fn map_group(w: &mut IdpWorld, org: String, group: String, role: Role) -> anyhow::Result<()> {
    w.map_groups_to_roles(&org, &[(group, role)]).await
}

#[given(expr = "{word} maps IdP groups to roles:")]
async fn map_groups(w: &mut IdpWorld, org: String, step: &Step) -> anyhow::Result<()> {
    w.map_groups_to_roles(&org, &role_rows(step)?).await
}

#[given(expr = "{word} maps IdP app roles to roles:")]
async fn map_app_roles(w: &mut IdpWorld, org: String, step: &Step) -> anyhow::Result<()> {
    w.map_app_roles_to_roles(&org, &role_rows(step)?).await
}

#[when(expr = "{word}'s admin maps IdP groups to roles:")]
async fn try_map_groups(w: &mut IdpWorld, org: String, step: &Step) -> anyhow::Result<()> {
    w.try_role_mapping(&org, &role_rows(step)?).await
}

#[then(expr = "{word}'s role mapping is refused because no rule grants admin {req}")]
async fn mapping_refused(w: &mut IdpWorld, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_config_refused(&org, "admin-mapping-required", &req)
        .await
}

#[given(expr = "{word} maps IdP group {string} to resource group {string} with role {role}")]
async fn map_resource_group(
    w: &mut IdpWorld,
    org: String,
    group: String,
    resource_group: String,
    role: Role,
) -> anyhow::Result<()> {
    w.map_group_to_resource_group(&org, &group, &resource_group, role)
        .await
}

#[then(expr = "{word} is a member of {word} with role {role} {req}")]
async fn member_role(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    role: Role,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_member_role(&actor, &org, role, &req).await
}

#[then(expr = "{word} is a member of {word} {req}")]
async fn member(w: &mut IdpWorld, actor: String, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_member(&actor, &org, &req).await
}

#[then(expr = "{word} is not a member of {word} {req}")]
async fn not_member(w: &mut IdpWorld, actor: String, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_not_member(&actor, &org, &req).await
}

#[then(expr = "{word} has exactly {int} member(s) {req}")]
async fn member_count(w: &mut IdpWorld, org: String, n: usize, req: Req) -> anyhow::Result<()> {
    w.expect_member_count(&org, n, &req).await
}

#[then(expr = "{word}'s invitation is accepted {req}")]
async fn invitation_accepted(w: &mut IdpWorld, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_invitation_accepted(&org, &req).await
}

#[then(expr = "{word}'s resource groups in {word} are {req}:")]
async fn resource_groups(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
    step: &Step,
) -> anyhow::Result<()> {
    w.expect_resource_groups(&actor, &org, &role_rows(step)?, &req)
        .await
}

#[then(expr = "{word} is in no resource group of {word} {req}")]
async fn no_resource_group(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_resource_groups(&actor, &org, &[], &req).await
}
