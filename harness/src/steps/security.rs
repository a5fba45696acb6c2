//! The security catalogue: a hostile or broken IdP's next response, and the target's verdict.

use crate::world::params::Req;
use crate::world::IdpWorld;
use cucumber::{given, then, when};

#[given(expr = "{word}'s IdP will send the next response with {}")]
async fn next_response(w: &mut IdpWorld, org: String, what: String) -> anyhow::Result<()> {
    w.alter_next_response(&org, &what)
}

#[given(expr = "{word}'s SP advertises an encryption key to its IdP")]
async fn advertises_encryption(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.advertise_encryption(&org).await
}

#[given(
    expr = "{word}'s IdP has rolled its signing certificate over and signs with the {word} one"
)]
async fn rolled_over(w: &mut IdpWorld, org: String, which: String) -> anyhow::Result<()> {
    w.roll_idp_certificate(&org, &which).await
}

#[when(expr = "{word} replays her/his last authorization callback")]
async fn replay_callback(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.replay_callback(&actor).await
}

#[then(expr = "the sign-in to {word} is refused {req}")]
async fn refused(w: &mut IdpWorld, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_sign_in_refused(&org, &req).await
}

#[then(expr = "{word} is answered with an error {req}")]
async fn error_answer(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_error_answer(&actor, &req).await
}

#[then(expr = "{word} is never signed in to {word} as the victim {req}")]
async fn never_victim(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_never_victim(&actor, &org, &req).await
}

#[given(expr = "{word} has started from {word}'s app tile at the IdP")]
async fn started_idp(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.sign_in_from_idp(&actor, &org).await?;
    w.expect_success(&actor).await
}

#[given(expr = "{word} has issued a SCIM token to its IdP")]
async fn scim_token(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.issue_scim_token(&org).await
}

#[given(expr = "{word}'s SCIM directory holds {word}")]
async fn scim_user(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.scim_holds_user(&org, &actor).await
}

#[given(expr = "{word}'s SCIM directory holds the group {string}")]
async fn scim_group(w: &mut IdpWorld, org: String, group: String) -> anyhow::Result<()> {
    w.scim_holds_group(&org, &group).await
}

#[when(expr = "a SCIM client sends {word} a request with {}")]
async fn scim_hostile(w: &mut IdpWorld, org: String, case: String) -> anyhow::Result<()> {
    w.scim_hostile(&org, &case).await
}

#[when(expr = "two SCIM clients add {word} and {word} to {word}'s group {string} at once")]
async fn scim_concurrent(
    w: &mut IdpWorld,
    a: String,
    b: String,
    org: String,
    group: String,
) -> anyhow::Result<()> {
    w.scim_concurrent_adds(&org, &a, &b, &group).await
}

#[then(expr = "the SCIM request is refused with {int} and nothing changes {req}")]
async fn scim_refused(w: &mut IdpWorld, status: u16, req: Req) -> anyhow::Result<()> {
    w.expect_scim_refused(status, None, &req)
}

#[then(expr = "the SCIM request is refused with {int} {word} and nothing changes {req}")]
async fn scim_refused_type(
    w: &mut IdpWorld,
    status: u16,
    scim_type: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_scim_refused(status, Some(&scim_type), &req)
}

#[then(expr = "{word}'s SCIM group {string} holds {word} and {word} {req}")]
async fn scim_group_holds(
    w: &mut IdpWorld,
    org: String,
    group: String,
    a: String,
    b: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_scim_group_members(&org, &group, &[a, b], &req)
        .await
}
