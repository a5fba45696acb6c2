//! SCIM provisioning pushed by the org's mock IdP through its SCIM push client, in the vendor's
//! dialect (docs/scim-push.md; vendors.md): the tenant acts in its directory and pushes, every
//! request and answer goes into the scenario's target calls, and a push finding fails the step
//! with the finding's text. The SP's side is asserted through the admin API and the probes.

use super::params::{Req, Role, Vendor};
use super::IdpWorld;
use anyhow::{bail, ensure, Context as _};
use mock_idps::scim_push::tenant::UserNameFormat;
use mock_idps::scim_push::{DialectId, EventStatus, PushOutcome, PushTarget, TenantEvent};
use mock_idps::surface::UserPatch;
use reqwest::Method;
use serde_json::{json, Value};

/// The directory attribute the tenants push as userName (a platform username).
const USERNAME_ATTR: &str = "platform_username";

/// A dialect as the features name it.
pub fn dialect(name: &str) -> anyhow::Result<DialectId> {
    Ok(match name {
        "okta-catalogue" => DialectId::OktaCatalogue,
        "okta-custom" => DialectId::OktaCustom,
        "entra" | "entra-default" => DialectId::EntraDefault,
        "entra-aadoptscim062020" | "aadOptscim062020" => DialectId::EntraAadOptScim062020,
        other => bail!("unknown SCIM dialect {other:?}"),
    })
}

/// One exchange of a push as a target call (no token, no Okta password, no timings).
fn recorded(event: &str, ex: &Value) -> Value {
    let parse = |b: &Value| match b.as_str() {
        Some(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!(s)),
        None => b.clone(),
    };
    let mut req_body = parse(&ex["request"]["body"]);
    if let Some(o) = req_body.as_object_mut() {
        if o.contains_key("password") {
            o.insert("password".into(), json!("[password]"));
        }
    }
    let headers: Value = ex["request"]["headers"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .filter(|h| {
                    matches!(
                        h[0].as_str().map(str::to_ascii_lowercase).as_deref(),
                        Some("user-agent" | "accept" | "content-type")
                    )
                })
                .map(|h| json!([h[0].as_str().unwrap_or("").to_ascii_lowercase(), h[1]]))
                .collect()
        })
        .unwrap_or_default();
    let mut e = json!({
        "scim_push": event,
        "purpose": ex["purpose"],
        "method": ex["request"]["method"],
        "scim": ex["request"]["url"],
        "headers": headers,
        "status": ex["response"]["status"],
    });
    if !req_body.is_null() {
        e["request"] = req_body;
    }
    let resp = parse(&ex["response"]["body"]);
    if !resp.is_null() && resp != json!("") {
        e["response"] = resp;
    }
    if !ex["error"].is_null() {
        e["error"] = ex["error"].clone();
    }
    e
}

impl IdpWorld {
    /// A dialect as the features name it.
    pub fn scim_dialect(name: &str) -> anyhow::Result<DialectId> {
        dialect(name)
    }

    /// `org` mints a SCIM token and points its IdP's push client at the target, in `dialect`
    /// (the vendor's default when `None`).
    pub async fn enable_scim_push(
        &mut self,
        org: &str,
        dialect: Option<DialectId>,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let v = self.admin.scim_token(&slug).await?;
        let token = v["token"].as_str().context("no SCIM token in the answer")?;
        let base = self.env.target.url(
            &self.env.target.profile.endpoints.scim_base,
            &[("org", slug.as_str())],
        );
        let o = self.org_mut(org)?;
        o.tenant
            .configure_scim_push(PushTarget {
                base_url: base.clone(),
                token: token.to_string(),
                dialect,
                user_name: UserNameFormat::Attribute(USERNAME_ATTR.into()),
                timeout_ms: Some(15_000),
                user_agent: None,
                user_lookup: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("configuring {org}'s SCIM push: {e}"))?;
        o.scim = Some((base, token.to_string()));
        Ok(())
    }

    /// The default dialect of the org's vendor.
    pub async fn enable_scim(&mut self, org: &str) -> anyhow::Result<()> {
        self.enable_scim_push(org, None).await
    }

    fn check_vendor(&self, org: &str, vendor: Option<Vendor>) -> anyhow::Result<()> {
        if let Some(v) = vendor {
            let o = self.org(org)?;
            ensure!(
                o.vendor == v,
                "{org} trusts {}, not {}",
                o.vendor.name(),
                v.name()
            );
        }
        Ok(())
    }

    /// Do `event` in `org`'s tenant and push it; the exchanges become target calls.
    async fn push(&mut self, org: &str, event: TenantEvent) -> anyhow::Result<PushOutcome> {
        let tenant = self.org(org)?.tenant.clone();
        ensure!(
            self.org(org)?.scim.is_some(),
            "{org}'s IdP pushes no SCIM (a Given is missing)"
        );
        // The IdP's ids as the snapshots name them, taken before a delete drops the user.
        let mut ids: Vec<(String, String)> = tenant
            .users()
            .iter()
            .map(|u| (u.id.clone(), format!("[{org}-user-id:{}]", u.given_name)))
            .chain(
                tenant
                    .groups()
                    .iter()
                    .map(|g| (g.id.clone(), format!("[{org}-group-id:{}]", g.name))),
            )
            .filter(|(id, _)| id.len() >= 6)
            .collect();
        ids.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        let outcome = tenant
            .scim_push(event)
            .await
            .map_err(|e| anyhow::anyhow!("{org}'s IdP: {e}"))?;
        for ex in &outcome.exchanges {
            let v = serde_json::to_value(ex).unwrap_or_default();
            let mut text = recorded(&outcome.event, &v).to_string();
            for (id, name) in &ids {
                text = text.replace(id.as_str(), name);
            }
            self.admin
                .record(serde_json::from_str(&text).unwrap_or_default());
        }
        if let Some(f) = outcome.findings.first() {
            bail!(
                "SCIM push finding ({}): {} [{}]",
                serde_json::to_value(f.kind).unwrap_or_default(),
                f.detail,
                outcome.event
            );
        }
        Ok(outcome)
    }

    /// Push `event`, which must succeed.
    async fn push_ok(&mut self, org: &str, event: TenantEvent) -> anyhow::Result<PushOutcome> {
        let o = self.push(org, event).await?;
        match &o.status {
            EventStatus::Done => Ok(o),
            other => bail!("the SCIM push {} did not go through: {other:?}", o.event),
        }
    }

    fn email_of(&self, actor: &str) -> anyhow::Result<String> {
        Ok(self.known_actor(actor)?.email.clone())
    }

    /// Set the userName the tenant will push for `actor`.
    fn set_push_username(&mut self, org: &str, actor: &str, username: &str) -> anyhow::Result<()> {
        let email = self.email_of(actor)?;
        let o = self.org(org)?;
        let mut attributes = o
            .tenant
            .user(&email)
            .with_context(|| format!("{actor} is not in {org}'s directory"))?
            .attributes;
        attributes.insert(USERNAME_ATTR.into(), vec![username.to_string()]);
        o.tenant.patch_user(
            &email,
            UserPatch {
                attributes: Some(attributes),
                ..UserPatch::default()
            },
        );
        Ok(())
    }

    fn scim_id_of(&self, org: &str, actor: &str) -> anyhow::Result<Option<String>> {
        let email = self.email_of(actor)?;
        let o = self.org(org)?;
        let idp_id = o.tenant.user(&email).map(|u| u.id);
        let known = o.tenant.scim_push_evidence().known;
        Ok(idp_id.and_then(|id| known.user(&id).map(|k| k.scim_id.clone())))
    }

    /// `org`'s IdP assigns `actor` to the app: the push client creates the SCIM user.
    pub async fn scim_provision(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        self.scim_assign(org, None, actor).await
    }

    pub async fn scim_assign(
        &mut self,
        org: &str,
        vendor: Option<Vendor>,
        actor: &str,
    ) -> anyhow::Result<()> {
        self.check_vendor(org, vendor)?;
        let username = format!("{}-{}", actor.to_ascii_lowercase(), self.key);
        self.set_push_username(org, actor, &username)?;
        let email = self.email_of(actor)?;
        self.push_ok(org, TenantEvent::Assign { user: email })
            .await?;
        let id = self.scim_id_of(org, actor)?;
        let mode = self.org(org)?.mode;
        let a = self.actor(actor)?;
        // Managed: the account is SCIM's, named by userName. Basic: an existing account.
        if mode == super::params::Mode::Managed {
            a.username = Some(username);
        }
        a.scim_id = id;
        Ok(())
    }

    /// `org`'s IdP tries to assign `actor` under `username`: the target must refuse it.
    pub async fn expect_scim_username_refused(
        &mut self,
        org: &str,
        vendor: Vendor,
        actor: &str,
        username: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        self.check_vendor(org, Some(vendor))?;
        self.set_push_username(org, actor, username)?;
        let email = self.email_of(actor)?;
        let o = self.push(org, TenantEvent::Assign { user: email }).await?;
        match &o.status {
            EventStatus::Refused {
                status: 400,
                scim_type,
                ..
            } if scim_type.as_deref() == Some("invalidValue") => Ok(()),
            other => bail!("{req}: expected userName {username:?} refused with 400 invalidValue, got {other:?}"),
        }
    }

    /// A user lifecycle event of `org`'s IdP about `actor`, pushed in its dialect.
    pub async fn scim_lifecycle(
        &mut self,
        org: &str,
        vendor: Option<Vendor>,
        what: &str,
        actor: &str,
    ) -> anyhow::Result<()> {
        self.check_vendor(org, vendor)?;
        let user = self.email_of(actor)?;
        let event = match what {
            "deactivates" => TenantEvent::Deactivate { user },
            "suspends" => TenantEvent::Suspend { user },
            "reactivates" => TenantEvent::Reactivate { user },
            "unassigns" => TenantEvent::Unassign { user },
            "deletes" => TenantEvent::Delete { user },
            other => bail!("unknown SCIM lifecycle event {other:?}"),
        };
        self.push_ok(org, event).await?;
        Ok(())
    }

    pub async fn scim_deactivate(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        self.scim_lifecycle(org, None, "deactivates", actor).await
    }

    /// `org`'s IdP renames `actor`'s login-derived username: a profile update.
    pub async fn scim_change_username(
        &mut self,
        org: &str,
        vendor: Vendor,
        actor: &str,
        new_name: &str,
    ) -> anyhow::Result<PushOutcome> {
        self.check_vendor(org, Some(vendor))?;
        let username = format!("{new_name}-{}", self.key);
        self.set_push_username(org, actor, &username)?;
        let email = self.email_of(actor)?;
        let o = self
            .push(
                org,
                TenantEvent::Update {
                    user: email,
                    changes: Default::default(),
                },
            )
            .await?;
        if o.status == EventStatus::Done && self.org(org)?.mode == super::params::Mode::Managed {
            self.actor(actor)?.username = Some(username);
        }
        Ok(o)
    }

    /// Managed: the update applied; the account now has the new username.
    pub async fn expect_scim_username(
        &mut self,
        actor: &str,
        new_name: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let username = format!("{new_name}-{}", self.key);
        let acct = self.admin.user(&username).await?;
        ensure!(
            acct.is_some(),
            "{req}: expected {actor}'s account renamed to {username}, no such account"
        );
        Ok(())
    }

    /// Basic: the profile update was refused (mutability) and the account kept its name.
    pub async fn expect_scim_profile_read_only(
        &mut self,
        org: &str,
        vendor: Vendor,
        actor: &str,
        new_name: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let before = self.username(actor)?;
        let o = self
            .scim_change_username(org, vendor, actor, new_name)
            .await?;
        ensure!(
            matches!(&o.status, EventStatus::Refused { scim_type, .. } if scim_type.as_deref() == Some("mutability")),
            "{req}: expected the profile update refused with mutability, got {:?}",
            o.status
        );
        ensure!(
            self.admin.user(&before).await?.is_some(),
            "{req}: {actor}'s account {before} is gone"
        );
        let renamed = format!("{new_name}-{}", self.key);
        ensure!(
            self.admin.user(&renamed).await?.is_none(),
            "{req}: the read-only profile change was applied ({renamed} exists)"
        );
        Ok(())
    }

    /// `actor` is still listed in `org`, but the membership is deactivated (Basic active=false).
    pub async fn expect_membership_deactivated(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let username = self.username(actor)?;
        let m = self.admin.member(&slug, &username).await?;
        ensure!(
            matches!(&m, Some(m) if m["active"] == false && m["account_active"] == true),
            "{req}: expected {actor}'s membership of {org} deactivated (account active), got {m:?}"
        );
        Ok(())
    }

    /// The account SCIM made for `actor` is gone, or kept (deactivated) when `kept`.
    pub async fn expect_scim_account_state(
        &mut self,
        actor: &str,
        kept: bool,
        req: &Req,
    ) -> anyhow::Result<()> {
        let username = self.username(actor)?;
        let acct = self.admin.user(&username).await?;
        match (kept, acct) {
            (false, None) => Ok(()),
            (false, Some(a)) => bail!("{req}: expected {actor}'s account deleted, found {a}"),
            (true, Some(a)) if a["active"] == false => Ok(()),
            (true, a) => bail!("{req}: expected {actor}'s account kept and deactivated, got {a:?}"),
        }
    }

    /// `org`'s IdP pushes its group `group` (created in its directory if new) with members.
    pub async fn scim_push_group(
        &mut self,
        org: &str,
        vendor: Vendor,
        group: &str,
        members: &[String],
    ) -> anyhow::Result<()> {
        self.check_vendor(org, Some(vendor))?;
        let emails = members
            .iter()
            .map(|m| self.email_of(m))
            .collect::<anyhow::Result<Vec<_>>>()?;
        {
            let o = self.org(org)?;
            let gid = o.tenant.ensure_group(group);
            for e in &emails {
                o.tenant
                    .add_member(e, &gid)
                    .map_err(|_| anyhow::anyhow!("{e} is not in {org}'s directory"))?;
            }
        }
        self.push_ok(
            org,
            TenantEvent::PushGroup {
                group: group.to_string(),
            },
        )
        .await?;
        Ok(())
    }

    /// `org`'s IdP adds or removes `actor` in its pushed group.
    pub async fn scim_group_member(
        &mut self,
        org: &str,
        vendor: Vendor,
        add: bool,
        actor: &str,
        group: &str,
    ) -> anyhow::Result<()> {
        self.check_vendor(org, Some(vendor))?;
        let user = self.email_of(actor)?;
        let group = group.to_string();
        let event = if add {
            TenantEvent::AddMember { group, user }
        } else {
            TenantEvent::RemoveMember { group, user }
        };
        self.push_ok(org, event).await?;
        Ok(())
    }

    fn pushed_group_id(&self, org: &str, group: &str) -> anyhow::Result<String> {
        let o = self.org(org)?;
        let idp_id = o
            .tenant
            .group(group)
            .map(|g| g.id)
            .with_context(|| format!("no group {group} in {org}'s directory"))?;
        let known = o.tenant.scim_push_evidence().known;
        Ok(known
            .group(&idp_id)
            .with_context(|| format!("{org}'s IdP never pushed {group}"))?
            .scim_id
            .clone())
    }

    /// `org`'s admin links the pushed group to a resource group with `role` (again: changes it).
    pub async fn link_scim_group(
        &mut self,
        org: &str,
        group: &str,
        resource_group: &str,
        role: Role,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let id = self.pushed_group_id(org, group)?;
        let path = format!("/orgs/{slug}/scim-groups/{id}/link");
        let body = json!({"resource_group": resource_group, "role": role.api()});
        self.admin
            .expect(Method::PUT, &path, Some(&body), 200)
            .await?;
        Ok(())
    }

    /// A manual placement in the linked resource group gets 403 scim-managed.
    pub async fn expect_manual_change_refused(
        &mut self,
        org: &str,
        resource_group: &str,
        actor: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let username = self.username(actor)?;
        let path = format!("/orgs/{slug}/resource-groups/{resource_group}/members/{username}");
        let (status, v) = self
            .admin
            .call(Method::PUT, &path, Some(&json!({"role": "admin"})))
            .await?;
        ensure!(
            status == 403 && v.to_string().contains("scim-managed"),
            "{req}: expected 403 scim-managed for a manual placement, got {status} {v}"
        );
        let (status, v) = self.admin.call(Method::DELETE, &path, None).await?;
        ensure!(
            status == 403 && v.to_string().contains("scim-managed"),
            "{req}: expected 403 scim-managed for a manual removal, got {status} {v}"
        );
        Ok(())
    }

    /// The actor's browser is signed in as the account SCIM created for them.
    pub async fn expect_scim_account(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let username = self.username(actor)?;
        self.expect_managed_account(actor, org, req).await?;
        let url = self.env.target.whoami_url();
        let agent = self.known_actor(actor)?.agent.clone();
        let v: Value = agent.get(&url).await?.json().unwrap_or_default();
        ensure!(
            v["account"]["username"] == username.as_str(),
            "{req}: expected {actor} signed in as SCIM's {username}, got {}",
            v["account"]
        );
        Ok(())
    }
}
