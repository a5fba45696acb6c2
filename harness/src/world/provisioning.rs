//! SCIM provisioning as the IdP's push client does it, in the vendor's dialect (vendors.md):
//! Okta and Entra create users with core attributes and an externalId, and deactivate with
//! `active=false` (Okta: a value-object replace; Entra: `Replace` with the string "False").

use super::params::Vendor;
use super::IdpWorld;
use anyhow::{bail, ensure, Context as _};
use reqwest::Method;
use serde_json::{json, Value};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

impl IdpWorld {
    /// `org` mints a SCIM token and hands it to its IdP.
    pub async fn enable_scim(&mut self, org: &str) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let v = self.admin.scim_token(&slug).await?;
        let token = v["token"].as_str().context("no SCIM token in the answer")?;
        let base = self.env.target.url(
            &self.env.target.profile.endpoints.scim_base,
            &[("org", slug.as_str())],
        );
        self.org_mut(org)?.scim = Some((base, token.to_string()));
        Ok(())
    }

    /// `org`'s IdP pushes `actor` to the target: POST /Users in the vendor's dialect.
    pub async fn scim_provision(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        let key = self.key.clone();
        let (vendor, base, token) = {
            let o = self.org(org)?;
            let (b, t) = o
                .scim
                .clone()
                .context("the org has no SCIM token (a Given is missing)")?;
            (o.vendor, b, t)
        };
        let (email, given) = {
            let a = self.known_actor(actor)?;
            (a.email.clone(), a.name.clone())
        };
        let external_id = {
            let o = self.org(org)?;
            let st = o.tenant.state.lock();
            st.directory
                .find(&email)
                .map(|u| u.id.clone())
                .with_context(|| format!("{actor} is not in {org}'s directory"))?
        };
        let username = format!("{}-{key}", given.to_ascii_lowercase());
        let body = match vendor {
            Vendor::Okta => json!({
                "schemas": [USER], "userName": username, "externalId": external_id,
                "name": {"givenName": given, "familyName": "Tester"},
                "emails": [{"primary": true, "value": email, "type": "work"}],
                "displayName": format!("{given} Tester"), "locale": "en-US",
                "groups": [], "active": true,
            }),
            Vendor::Entra => json!({
                "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "externalId": external_id, "userName": username, "active": true,
                "emails": [{"primary": true, "type": "work", "value": email}],
                "name": {"formatted": format!("{given} Tester"), "familyName": "Tester", "givenName": given},
                "roles": [],
            }),
            Vendor::Google => bail!("Google Workspace has no SCIM for custom apps"),
        };
        let (status, v) = self
            .admin
            .scim(Method::POST, &format!("{base}/Users"), &token, Some(&body))
            .await?;
        ensure!(
            status == 201,
            "SCIM create of {actor} answered {status}: {v}"
        );
        let id = v["id"]
            .as_str()
            .context("the SCIM answer has no id")?
            .to_string();
        let a = self.actor(actor)?;
        a.username = Some(username);
        a.scim_id = Some(id);
        Ok(())
    }

    /// `org`'s IdP deactivates `actor` over SCIM, as the vendor does.
    pub async fn scim_deactivate(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        let (vendor, base, token) = {
            let o = self.org(org)?;
            let (b, t) = o.scim.clone().context("the org has no SCIM token")?;
            (o.vendor, b, t)
        };
        let id = self
            .known_actor(actor)?
            .scim_id
            .clone()
            .with_context(|| format!("{actor} was never provisioned by SCIM"))?;
        let op = match vendor {
            Vendor::Okta => json!({"op": "replace", "value": {"active": false}}),
            Vendor::Entra => json!({"op": "Replace", "path": "active", "value": "False"}),
            Vendor::Google => bail!("Google Workspace has no SCIM for custom apps"),
        };
        let body = json!({"schemas": [PATCH], "Operations": [op]});
        let (status, v) = self
            .admin
            .scim(
                Method::PATCH,
                &format!("{base}/Users/{id}"),
                &token,
                Some(&body),
            )
            .await?;
        ensure!(
            status == 200 || status == 204,
            "SCIM deactivation of {actor} answered {status}: {v}"
        );
        Ok(())
    }

    /// The actor's browser is signed in as the account SCIM created for them.
    pub async fn expect_scim_account(
        &mut self,
        actor: &str,
        org: &str,
        req: &super::params::Req,
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
