//! What the Then steps assert: the outcome of the last journey, fresh probes through the actor's
//! browser, and the target's state through its admin API. Each error says what was expected
//! and what happened.

use super::params::{Req, Role};
use super::IdpWorld;
use crate::agent::Page;
use anyhow::{bail, ensure, Context as _};
use serde_json::Value;

fn code_of(p: &Page) -> String {
    p.json()
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn describe(p: &Page) -> String {
    p.describe()
}

impl IdpWorld {
    async fn probe(&mut self, actor: &str, url: &str) -> anyhow::Result<Page> {
        let agent = self.known_actor(actor)?.agent.clone();
        Ok(agent.get(url).await?)
    }

    async fn whoami(&mut self, actor: &str) -> anyhow::Result<Page> {
        let url = self.env.target.whoami_url();
        self.probe(actor, &url).await
    }

    /// The last journey ended at the platform's password login, without visiting any IdP.
    pub fn expect_platform_login_first(&self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let o = self.last_of(actor)?;
        let login = url::Url::parse(&self.env.target.password_login_url())?;
        ensure!(
            o.page.url.path() == login.path(),
            "{req}: expected {actor} at the platform login {}, got {}",
            login.path(),
            describe(&o.page)
        );
        let idp = self.env.idps.base_url();
        ensure!(
            !o.visited.iter().any(|u| u.starts_with(idp)),
            "{req}: {actor} was sent to an IdP before signing in to the platform: {:?}",
            o.visited
        );
        Ok(())
    }

    /// The last journey went through `org`'s SSO (the SP's start and the IdP) and succeeded.
    pub fn expect_went_through_sso(&self, actor: &str, org: &str, req: &Req) -> anyhow::Result<()> {
        let o = self.last_of(actor)?;
        let org_ = self.org(org)?;
        ensure!(
            o.visited
                .iter()
                .any(|u| u.starts_with(&org_.tenant.base_url)),
            "{req}: {actor} never reached {org}'s IdP; visited {:?}",
            o.visited
        );
        ensure!(
            o.page.status.is_success(),
            "{req}: {actor}'s SSO journey ended with {}",
            describe(&o.page)
        );
        Ok(())
    }

    /// The last journey did not involve any IdP and ended well.
    pub fn expect_no_sso(&self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let o = self.last_of(actor)?;
        let idp = self.env.idps.base_url();
        ensure!(
            !o.visited.iter().any(|u| u.starts_with(idp)),
            "{req}: {actor} was sent to an IdP: {:?}",
            o.visited
        );
        ensure!(
            o.page.status.is_success(),
            "{req}: expected {actor} in, got {}",
            describe(&o.page)
        );
        Ok(())
    }

    /// A fresh request for `org`'s `repo` answers 200 (no redirect to follow). Returns the probe.
    pub async fn expect_reaches(
        &mut self,
        actor: &str,
        org: &str,
        repo: &str,
        req: &Req,
    ) -> anyhow::Result<Value> {
        let slug = self.org(org)?.slug.clone();
        let url = self.env.target.resource_url(&slug, repo);
        let p = self.probe(actor, &url).await?;
        ensure!(
            p.status.as_u16() == 200,
            "{req}: expected {actor} to reach {org}'s {repo}, got {}",
            describe(&p)
        );
        p.json().context("the resource probe answered no JSON")
    }

    pub async fn expect_reaches_with_banner(
        &mut self,
        actor: &str,
        org: &str,
        repo: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let v = self.expect_reaches(actor, org, repo, req).await?;
        ensure!(
            v["sso_banner"] == true,
            "{req}: expected the SSO banner on {org}'s {repo}, got {v}"
        );
        Ok(())
    }

    /// A fresh request for `org`'s `repo` is refused outright (403), not sent to SSO.
    pub async fn expect_repo_refused(
        &mut self,
        actor: &str,
        org: &str,
        repo: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let url = self.env.target.resource_url(&slug, repo);
        let p = self.probe(actor, &url).await?;
        ensure!(
            p.status.as_u16() == 403,
            "{req}: expected {org}'s {repo} to refuse {actor} (403), got {}",
            describe(&p)
        );
        Ok(())
    }

    /// A fresh request for `org`'s `repo` sends the browser to `org`'s SSO.
    pub async fn expect_sent_to_sso(
        &mut self,
        actor: &str,
        org: &str,
        repo: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let (slug, sso) = {
            let o = self.org(org)?;
            (o.slug.clone(), o.urls.sso_login.clone())
        };
        let url = self.env.target.resource_url(&slug, repo);
        let p = self.probe(actor, &url).await?;
        let to = p
            .header("location")
            .and_then(|l| p.url.join(l).ok())
            .map(|u| u.to_string())
            .unwrap_or_default();
        ensure!(
            p.status.is_redirection() && to.starts_with(&sso),
            "{req}: expected {org}'s {repo} to send {actor} to SSO at {sso}, got {}",
            describe(&p)
        );
        Ok(())
    }

    /// Create a repository in the actor's personal namespace: allowed or refused.
    pub async fn expect_personal_content(
        &mut self,
        actor: &str,
        allowed: bool,
        req: &Req,
    ) -> anyhow::Result<()> {
        let username = self.username(actor)?;
        let url = self.env.target.create_content_url(&username);
        let agent = self.known_actor(actor)?.agent.clone();
        let p = agent
            .post_form(&url, &[("name".to_string(), format!("notes-{}", self.key))])
            .await?;
        let s = p.status.as_u16();
        if allowed {
            ensure!(
                s == 201,
                "{req}: expected {actor} to create content in {username}, got {}",
                describe(&p)
            );
        } else {
            ensure!(
                s == 403,
                "{req}: expected {actor}'s personal namespace to refuse content (403), got {}",
                describe(&p)
            );
        }
        Ok(())
    }

    /// The last journey was refused with the rule `code`.
    pub fn expect_refused(&self, actor: &str, code: &str, req: &Req) -> anyhow::Result<()> {
        let o = self.last_of(actor)?;
        ensure!(
            o.page.status.is_client_error() && code_of(&o.page) == code,
            "{req}: expected {actor} to be refused ({code}), got {}",
            describe(&o.page)
        );
        Ok(())
    }

    /// The actor's browser is signed in to the platform as a managed account of `org`.
    pub async fn expect_managed_account(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        if self.env.black_box.is_some() {
            return self.bb_expect_signed_in(actor, org, req).await;
        }
        let slug = self.org(org)?.slug.clone();
        let p = self.whoami(actor).await?;
        let v = p.json().unwrap_or_default();
        ensure!(
            p.status.as_u16() == 200
                && v["account"]["managed"] == true
                && v["account"]["managed_by"] == slug.as_str(),
            "{req}: expected {actor} signed in as a managed account of {org}, got {}",
            describe(&p)
        );
        Ok(())
    }

    /// The actor's account is still the personal one the harness created.
    pub async fn expect_personal_account(&mut self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let username = self.username(actor)?;
        let p = self.whoami(actor).await?;
        let v = p.json().unwrap_or_default();
        ensure!(
            p.status.as_u16() == 200
                && v["account"]["managed"] == false
                && v["account"]["username"] == username.as_str(),
            "{req}: expected {actor} still signed in as personal account {username}, got {}",
            describe(&p)
        );
        Ok(())
    }

    async fn member_entry(&mut self, actor: &str, org: &str) -> anyhow::Result<Option<Value>> {
        let slug = self.org(org)?.slug.clone();
        let Some(username) = self.known_actor(actor)?.username.clone() else {
            return Ok(None);
        };
        Ok(self.admin.member(&slug, &username).await?)
    }

    pub async fn expect_member_role(
        &mut self,
        actor: &str,
        org: &str,
        role: Role,
        req: &Req,
    ) -> anyhow::Result<()> {
        let m = self
            .member_entry(actor, org)
            .await?
            .with_context(|| format!("{req}: {actor} is not a member of {org}"))?;
        ensure!(
            m["role"] == role.api(),
            "{req}: expected {actor}'s role in {org} to be {}, got {}",
            role.api(),
            m["role"]
        );
        Ok(())
    }

    pub async fn expect_member(&mut self, actor: &str, org: &str, req: &Req) -> anyhow::Result<()> {
        let m = self.member_entry(actor, org).await?;
        ensure!(
            m.is_some(),
            "{req}: expected {actor} to be a member of {org}"
        );
        Ok(())
    }

    pub async fn expect_not_member(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        if let Some(m) = self.member_entry(actor, org).await? {
            bail!("{req}: expected {actor} not to be a member of {org}, found {m}");
        }
        Ok(())
    }

    /// The actor's resource groups in `org`, as (name, role), sorted.
    async fn resource_groups_of(
        &mut self,
        actor: &str,
        org: &str,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let m = self
            .member_entry(actor, org)
            .await?
            .with_context(|| format!("{actor} is not a member of {org}"))?;
        let mut out: Vec<(String, String)> = m["resource_groups"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|g| {
                        (
                            g["name"].as_str().unwrap_or("").to_string(),
                            g["role"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        Ok(out)
    }

    pub async fn expect_resource_groups(
        &mut self,
        actor: &str,
        org: &str,
        want: &[(String, Role)],
        req: &Req,
    ) -> anyhow::Result<()> {
        let got = self.resource_groups_of(actor, org).await?;
        let mut want: Vec<(String, String)> = want
            .iter()
            .map(|(g, r)| (g.clone(), r.api().to_string()))
            .collect();
        want.sort();
        ensure!(
            got == want,
            "{req}: expected {actor}'s resource groups in {org} to be {want:?}, got {got:?}"
        );
        Ok(())
    }

    /// The actor's browser still has a platform login (whoami answers 200).
    pub async fn expect_signed_in(&mut self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let p = self.whoami(actor).await?;
        ensure!(
            p.status.as_u16() == 200,
            "{req}: expected {actor} still signed in to the platform, got {}",
            describe(&p)
        );
        Ok(())
    }

    /// The actor's browser has no platform login any more.
    pub async fn expect_signed_out(&mut self, actor: &str, req: &Req) -> anyhow::Result<()> {
        let p = self.whoami(actor).await?;
        ensure!(
            p.status.as_u16() == 401,
            "{req}: expected {actor} signed out of the platform (401), got {}",
            describe(&p)
        );
        Ok(())
    }

    /// The SP never sent `org`'s IdP a logout request.
    pub fn expect_no_idp_logout(&self, org: &str, req: &Req) -> anyhow::Result<()> {
        let o = self.org(org)?;
        for e in &o.tenant.request_log() {
            let p = e.path.to_ascii_lowercase();
            ensure!(
                !p.contains("logout") && !p.contains("/slo") && !p.contains("end_session"),
                "{req}: the SP sent {org}'s IdP a logout request: {} {}",
                e.method,
                e.path
            );
        }
        Ok(())
    }

    /// The last admin change was refused with the rule `code`, and `org` kept no role mapping.
    pub async fn expect_config_refused(
        &mut self,
        org: &str,
        code: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        match &self.last_admin {
            Some(Err(c)) if c == code => {}
            Some(Err(c)) => bail!("{req}: expected the configuration refused ({code}), got {c:?}"),
            Some(Ok(v)) => {
                bail!("{req}: expected the configuration refused ({code}); it was stored: {v}")
            }
            None => bail!("no configuration change was tried (a When is missing)"),
        }
        let slug = self.org(org)?.slug.clone();
        let stored = self.admin.sso(&slug).await?.unwrap_or_default();
        let mapping = stored
            .get("sso")
            .unwrap_or(&stored)
            .get("role_mapping")
            .cloned()
            .unwrap_or(Value::Null);
        ensure!(
            mapping.is_null(),
            "{req}: the refused mapping was stored anyway: {mapping}"
        );
        Ok(())
    }

    /// The org's admin API lists the invitation of `actor` as accepted.
    pub async fn expect_invitation_accepted(&mut self, org: &str, req: &Req) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let v = self.admin.invitations(&slug).await?;
        let all = v["invitations"].as_array().cloned().unwrap_or_default();
        ensure!(
            !all.is_empty() && all.iter().all(|i| i["accepted"] == true),
            "{req}: expected {org}'s invitation accepted, got {v}"
        );
        Ok(())
    }

    /// `org` has exactly `n` members.
    pub async fn expect_member_count(
        &mut self,
        org: &str,
        n: usize,
        req: &Req,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let v = self.admin.members(&slug).await?;
        let got = v["members"].as_array().map(Vec::len).unwrap_or(0);
        ensure!(
            got == n,
            "{req}: expected {n} member(s) in {org}, got {got}: {v}"
        );
        Ok(())
    }
}
