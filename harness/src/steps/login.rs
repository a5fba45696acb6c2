//! Signing in: platform accounts and passwords, SP- and IdP-initiated SSO, join links, and
//! reaching resources (which signs in where the target asks for it).

use crate::world::IdpWorld;
use cucumber::{given, when};

#[given(expr = "{word} has a platform account with her/his work email")]
async fn account_work_email(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.platform_account(&actor, true).await
}

#[given(expr = "{word} has a platform account with a personal email only")]
async fn account_personal_email(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.platform_account(&actor, false).await
}

#[given(expr = "{word} has signed in to the platform with her/his password")]
async fn signed_in_password(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.password_login(&actor).await?;
    w.expect_success(&actor).await
}

#[when(expr = "{word} signs in to the platform with her/his password")]
async fn sign_in_password(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.password_login(&actor).await
}

#[given(expr = "{word} has signed in to {word} through SSO")]
async fn signed_in_sso(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.sign_in_sso(&actor, &org).await?;
    w.expect_success(&actor).await
}

#[when(expr = "{word} signs in to {word} through SSO( again)")]
async fn sign_in_sso(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.sign_in_sso(&actor, &org).await
}

#[given(expr = "{word} has followed {word}'s SSO join link")]
async fn followed_join(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.follow_join_link(&actor, &org).await?;
    w.expect_success(&actor).await
}

#[when(expr = "{word} follows {word}'s SSO join link")]
async fn follow_join(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.follow_join_link(&actor, &org).await
}

#[when(expr = "{word} starts from {word}'s app tile at the IdP")]
async fn idp_initiated(w: &mut IdpWorld, actor: String, org: String) -> anyhow::Result<()> {
    w.sign_in_from_idp(&actor, &org).await
}

#[given(expr = "{word} has opened {word}'s repository {string}")]
async fn opened_repo(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
) -> anyhow::Result<()> {
    w.open_repo(&actor, &org, &repo).await?;
    w.expect_success(&actor).await
}

#[when(expr = "{word} opens {word}'s repository {string}")]
async fn open_repo(
    w: &mut IdpWorld,
    actor: String,
    org: String,
    repo: String,
) -> anyhow::Result<()> {
    w.open_repo(&actor, &org, &repo).await
}

#[when(expr = "{word} tries to sign in to the platform with a password")]
async fn try_password(w: &mut IdpWorld, actor: String) -> anyhow::Result<()> {
    w.try_password_login(&actor).await
}
