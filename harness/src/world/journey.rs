//! What actors do in their browsers. Each journey goes where a browser would (redirects,
//! auto-submitted SAML forms) and is kept as the scenario's last outcome.

use super::params::Protocol;
use super::{IdpWorld, Outcome};
use crate::agent::Journey;
use anyhow::{bail, Context as _};

impl IdpWorld {
    /// The IdP of `org` signs `actor` in at its next login (the mock has no login form).
    fn next_idp_login(&self, actor: &str, org: &str) -> anyhow::Result<()> {
        let email = self.known_actor(actor)?.email.clone();
        let o = self.org(org)?;
        // Keep what a Given prepared for this login (an attack, an override); set the user.
        o.tenant.update_next_login(|next| next.user = Some(email));
        Ok(())
    }

    pub(super) fn keep(&mut self, actor: &str, j: Journey) {
        let visited = self
            .actors
            .get(actor)
            .map(|a| {
                a.agent.trace().exchanges[j.first_exchange..]
                    .iter()
                    .map(|e| e.url.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.last = Some(Outcome {
            actor: actor.to_string(),
            page: j.page,
            visited,
        });
    }

    /// Browse `url` as `actor`, with `org`'s IdP ready to sign them in.
    async fn journey(&mut self, actor: &str, org: &str, url: &str) -> anyhow::Result<()> {
        self.actor(actor)?;
        self.next_idp_login(actor, org)?;
        if self.env.black_box.is_some() {
            return self.black_box_journey(actor, url).await;
        }
        let j = self.browse_as(actor, url, None, false).await?;
        let ok = j.page.status.is_success();
        self.keep(actor, j);
        if ok {
            self.learn_username(actor).await?;
        }
        Ok(())
    }

    /// After a sign-in, ask the target who the actor is (a just-in-time account's username).
    async fn learn_username(&mut self, actor: &str) -> anyhow::Result<()> {
        if self.known_actor(actor)?.username.is_some() {
            return Ok(());
        }
        let agent = self.known_actor(actor)?.agent.clone();
        let page = agent.get(&self.env.target.whoami_url()).await?;
        if let Some(u) = page
            .json()
            .and_then(|v| v["account"]["username"].as_str().map(str::to_string))
        {
            self.actor(actor)?.username = Some(u);
        }
        Ok(())
    }

    /// SP-initiated SSO with `org`.
    pub async fn sign_in_sso(&mut self, actor: &str, org: &str) -> anyhow::Result<()> {
        let url = self.org(org)?.urls.sso_login.clone();
        self.journey(actor, org, &url).await
    }

    /// `org`'s SSO join link.
    pub async fn follow_join_link(&mut self, actor: &str, org: &str) -> anyhow::Result<()> {
        let url = self.org(org)?.urls.join.clone();
        self.journey(actor, org, &url).await
    }

    /// IdP-initiated SAML: from the IdP's app dashboard straight to the SP's ACS.
    pub async fn sign_in_from_idp(&mut self, actor: &str, org: &str) -> anyhow::Result<()> {
        let o = self.org(org)?;
        if o.protocol != Protocol::Saml {
            bail!("IdP-initiated sign-in is a SAML flow; {org} uses OIDC");
        }
        if self.env.black_box.is_some() {
            self.bb_idp_initiated(org)?;
        }
        let o = self.org(org)?;
        let t = &o.tenant;
        let app = t.default_saml_app();
        let url = t.app_path(t.personality().saml.idp_initiated_path, &app);
        self.journey(actor, org, &url).await
    }

    /// Open `org`'s repository `repo` (a resource probe), following wherever it leads.
    pub async fn open_repo(&mut self, actor: &str, org: &str, repo: &str) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let url = self.env.target.resource_url(&slug, repo);
        self.journey(actor, org, &url).await
    }

    /// The platform's own password login.
    pub async fn password_login(&mut self, actor: &str) -> anyhow::Result<()> {
        let (agent, username, password) = {
            let a = self.actor(actor)?;
            let username = a
                .username
                .clone()
                .with_context(|| format!("{actor} has no platform account"))?;
            (a.agent.clone(), username, a.password.clone())
        };
        let url = self.env.target.password_login_url();
        let first = agent.trace().exchanges.len();
        let page = agent
            .post_form(
                &url,
                &[
                    ("username".to_string(), username),
                    ("password".to_string(), password),
                ],
            )
            .await?;
        self.keep(
            actor,
            Journey {
                page,
                first_exchange: first,
                hops: 0,
                stopped: None,
            },
        );
        Ok(())
    }

    /// A password login with the actor's username and a password they were never given.
    pub async fn try_password_login(&mut self, actor: &str) -> anyhow::Result<()> {
        let agent = self.known_actor(actor)?.agent.clone();
        let username = self.username(actor)?;
        let url = self.env.target.password_login_url();
        let first = agent.trace().exchanges.len();
        let page = agent
            .post_form(
                &url,
                &[
                    ("username".to_string(), username),
                    ("password".to_string(), format!("guess-{}", self.key)),
                ],
            )
            .await?;
        self.keep(
            actor,
            Journey {
                page,
                first_exchange: first,
                hops: 0,
                stopped: None,
            },
        );
        Ok(())
    }

    /// The last journey must have ended well: a 2xx page or, for a password login, its 303.
    pub async fn expect_success(&mut self, actor: &str) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            return self.bb_expect_success(actor).await;
        }
        let o = self.last_of(actor)?;
        let s = o.page.status.as_u16();
        if !(200..300).contains(&s) && s != 303 {
            bail!(
                "{actor}'s journey ended with {s} at {}: {}",
                o.page.url,
                excerpt(&o.page.body)
            );
        }
        Ok(())
    }
}

pub(super) fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}
