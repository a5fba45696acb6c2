//! Organisation setup at the target: mode, trust, options, resource groups, members.

use crate::world::params::{Mode, Protocol, Role, Vendor};
use crate::world::IdpWorld;
use cucumber::given;
use serde_json::json;

#[given(expr = "{word} is a {mode} organisation using {vendor} over {protocol}")]
async fn organisation(
    w: &mut IdpWorld,
    org: String,
    mode: Mode,
    vendor: Vendor,
    protocol: Protocol,
) -> anyhow::Result<()> {
    w.create_org(&org, mode, vendor, protocol).await
}

#[given(expr = "{word} makes SSO optional")]
async fn sso_optional(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.patch_org(&org, json!({"sso_enforced": false})).await
}

#[given(expr = "{word}'s default role is {role}")]
async fn default_role(w: &mut IdpWorld, org: String, role: Role) -> anyhow::Result<()> {
    w.patch_org(&org, json!({"default_role": role.api()})).await
}

#[given(expr = "{word} allows IdP-initiated sign-in")]
async fn allow_idp_initiated(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.patch_org(&org, json!({"allow_idp_initiated": true}))
        .await
}

#[given(expr = "{word} has a resource group {string}")]
async fn resource_group(w: &mut IdpWorld, org: String, name: String) -> anyhow::Result<()> {
    w.create_resource_group(&org, &name).await
}

#[given(expr = "{word} has a repository {string}")]
async fn repository(w: &mut IdpWorld, org: String, repo: String) -> anyhow::Result<()> {
    w.create_repo(&org, &repo, None).await
}

#[given(expr = "{word} has a repository {string} in resource group {string}")]
async fn repository_in_group(
    w: &mut IdpWorld,
    org: String,
    repo: String,
    group: String,
) -> anyhow::Result<()> {
    w.create_repo(&org, &repo, Some(&group)).await
}

#[given(expr = "{word} has invited {word} with role {role}")]
async fn invited(w: &mut IdpWorld, org: String, actor: String, role: Role) -> anyhow::Result<()> {
    w.invite(&org, &actor, role).await
}

#[given(expr = "{word} is a member of {word} with role {role}, added by an admin")]
async fn direct_member(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    role: Role,
) -> anyhow::Result<()> {
    w.add_member(&org, &actor, role, false).await
}

#[given(expr = "{word} is an external collaborator of {word}")]
async fn external_collaborator(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.add_member(&org, &actor, Role::Read, true).await
}

#[given(expr = "{word} is in {word}'s resource group {string} with role {role}")]
async fn in_resource_group(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    group: String,
    role: Role,
) -> anyhow::Result<()> {
    w.place_in_resource_group(&org, &group, &actor, role).await
}
