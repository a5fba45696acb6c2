//! What an actor can reach afterwards: resources, content, the platform login itself.

use crate::world::params::Req;
use crate::world::IdpWorld;
use cucumber::then;

#[then(expr = "{word} is asked to sign in to the platform first {req}")]
async fn platform_login_first(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_platform_login_first(&actor, &req)
}

#[then(expr = "{word} gets in through {word}'s SSO {req}")]
async fn through_sso(w: &mut IdpWorld, actor: String, org: String, req: Req) -> anyhow::Result<()> {
    w.expect_went_through_sso(&actor, &org, &req)
}

#[then(expr = "{word} gets in without SSO {req}")]
async fn without_sso(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_no_sso(&actor, &req)
}

#[then(expr = "{word} reaches {word}'s repository {string} {req}")]
async fn reaches(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_reaches(&actor, &org, &repo, &req)
        .await
        .map(|_| ())
}

#[then(expr = "{word} reaches {word}'s repository {string} with an SSO banner {req}")]
async fn reaches_with_banner(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_reaches_with_banner(&actor, &org, &repo, &req)
        .await
}

#[then(expr = "{word} is refused {word}'s repository {string} {req}")]
async fn refused_repo(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_repo_refused(&actor, &org, &repo, &req).await
}

#[then(expr = "{word} must sign in through SSO to reach {word}'s repository {string} {req}")]
async fn must_sso(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_sent_to_sso(&actor, &org, &repo, &req).await
}

#[then(expr = "{word} must sign in through SSO again to reach {word}'s repository {string} {req}")]
async fn must_sso_again(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_sent_to_sso(&actor, &org, &repo, &req).await
}

#[then(expr = "{word} can create content in her/his personal namespace {req}")]
async fn can_create(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_personal_content(&actor, true, &req).await
}

#[then(expr = "{word} cannot create content in her/his personal namespace {req}")]
async fn cannot_create(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_personal_content(&actor, false, &req).await
}

#[then(
    expr = "{word}'s sign-in is refused because her/his IdP email matches none of her/his account's emails {req}"
)]
async fn refused_email(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_refused(&actor, "email-mismatch", &req)
}

#[then(
    expr = "{word}'s sign-in is refused because another organisation manages her/his account {req}"
)]
async fn refused_managed_elsewhere(
    w: &mut IdpWorld,
    actor: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_refused(&actor, "managed-account-restricted", &req)
}

#[then(expr = "{word}'s sign-in is refused because her/his account is deactivated {req}")]
async fn refused_deactivated(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_refused(&actor, "account-deactivated", &req)
}

#[then(expr = "{word}'s password sign-in is refused because the IdP owns her/his account {req}")]
async fn no_password(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_refused(&actor, "managed-account-password-login", &req)
}

#[then(expr = "{word} is signed in to the platform as a managed account of {word} {req}")]
async fn managed_account(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    req: Req,
) -> anyhow::Result<()> {
    w.expect_managed_account(&actor, &org, &req).await
}

#[then(expr = "{word} is still signed in with her/his own personal account {req}")]
async fn personal_account(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_personal_account(&actor, &req).await
}

#[then(expr = "{word} is still signed in to the platform {req}")]
async fn still_signed_in(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_signed_in(&actor, &req).await
}

#[then(expr = "{word} is signed out of the platform {req}")]
async fn signed_out(w: &mut IdpWorld, actor: String, req: Req) -> anyhow::Result<()> {
    w.expect_signed_out(&actor, &req).await
}
