//! The IdP side: directory users, their groups and app roles, suspension.

use super::list;
use crate::world::params::Vendor;
use crate::world::IdpWorld;
use cucumber::{given, when};

#[given(expr = "{word} is in {word}'s {vendor} directory")]
async fn in_directory(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    vendor: Vendor,
) -> anyhow::Result<()> {
    w.idp_user(&actor, &org, vendor, &[])
}

#[given(expr = "{word} is in {word}'s {vendor} directory in group(s) {string}")]
async fn in_directory_groups(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    vendor: Vendor,
    groups: String,
) -> anyhow::Result<()> {
    w.idp_user(&actor, &org, vendor, &list(&groups))
}

#[given(expr = "{word} holds the app role {string} at {word}'s IdP")]
async fn app_role(
    w: &mut IdpWorld,
    actor: String,
    role: String,
    org: String,
) -> anyhow::Result<()> {
    w.grant_app_role(&actor, &org, &role)
}

#[given(expr = "{word}'s IdP moves {word} to group(s) {string}")]
#[when(expr = "{word}'s IdP moves {word} to group(s) {string}")]
async fn move_groups(
    w: &mut IdpWorld,
    org: String,
    actor: String,
    groups: String,
) -> anyhow::Result<()> {
    w.set_idp_groups(&actor, &org, &list(&groups))
}

#[given(expr = "{word}'s IdP removes {word} from every group")]
async fn no_groups(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.set_idp_groups(&actor, &org, &[])
}

#[given(expr = "{word}'s IdP suspends {word}")]
async fn suspend(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.deactivate_at_idp(&actor, &org)
}
