//! SAML Single Logout: enabling it on both sides, logging out from the SP or the IdP, and what
//! each side must have done.

use crate::world::params::Req;
use crate::world::IdpWorld;
use cucumber::{given, then, when};

#[given(expr = "{word}'s SAML app has Single Logout enabled")]
async fn slo_enabled(w: &mut IdpWorld, org: String) -> anyhow::Result<()> {
    w.enable_single_logout(&org).await
}

#[when(expr = "{word} signs out of {word} through Single Logout")]
async fn sp_logout(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.single_logout(&actor, &org).await
}

#[when(expr = "{word}'s IdP logs {word} out")]
async fn idp_logout(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.idp_logout(&org, &actor, None).await
}

#[when(expr = "{word}'s IdP logs {word} out with {}")]
async fn idp_logout_with(
    w: &mut IdpWorld,
    org: String,
    actor: String,
    how: String,
) -> anyhow::Result<()> {
    w.idp_logout(&org, &actor, Some(&how)).await
}

#[when(
    expr = "a logout response that answers nothing {word} sent reaches it through {word}'s browser"
)]
async fn unsolicited(w: &mut IdpWorld, org: String, actor: String) -> anyhow::Result<()> {
    w.unsolicited_logout_response(&org, &actor).await
}

#[then(expr = "{word} is signed out of {word} and of its IdP {req}")]
async fn out_everywhere(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_logged_out_everywhere(&actor, &org, &req).await
}

#[then(expr = "{word} is signed out of {word}, which confirmed it to its IdP {req}")]
async fn idp_logout_honoured(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_idp_logout_honoured(&actor, &org, &req).await
}

#[then(expr = "the logout message is refused and {word} is still signed in {req}")]
async fn refused(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_logout_refused(&actor, &req).await
}

#[then(
    expr = "{word} answers its IdP that it knows no such session and {word} is still signed in {req}"
)]
async fn unknown_session(
    w: &mut IdpWorld,
    org: String,
    actor: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_unknown_session_answer(&actor, &org, &req).await
}
