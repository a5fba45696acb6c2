//! Organisations and their IdPs: one SP organisation and one mock tenant per named org, the
//! SSO trust between them, role and resource-group mapping, platform accounts and members.

use super::params::{Mode, Protocol, Role, Vendor};
use super::IdpWorld;
use crate::target::OrgUrls;
use anyhow::{bail, Context as _};
use mock_idps::control::{NewOidcClient, NewSamlApp};
use mock_idps::directory::NewUser;
use mock_idps::personality::TokenAuth;
use mock_idps::surface::UserPatch;
use mock_idps::tenant::SharedTenant;
use mock_idps::NewTenant;
use serde_json::{json, Value};

/// Entra's SAML groups claim (object ids).
pub const ENTRA_SAML_GROUPS: &str =
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
/// Entra's SAML app-role claim.
pub const ENTRA_SAML_ROLE: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
/// The attribute name a Google admin gives the custom SAML app's "Group membership" mapping.
/// Google sends group names under whatever name the admin picks; scenarios pick `groups` and
/// register it as the mock app's `groups_attribute`.
pub const GOOGLE_SAML_GROUPS: &str = "groups";

/// One organisation of the scenario, at the SP and at its IdP.
#[derive(Debug)]
pub struct Org {
    pub name: String,
    pub slug: String,
    pub mode: Mode,
    pub vendor: Vendor,
    pub protocol: Protocol,
    pub tenant: SharedTenant,
    pub urls: OrgUrls,
    client_secret: String,
    client_id: String,
    role_attribute: Option<String>,
    role_rules: Vec<Value>,
    group_attribute: Option<String>,
    group_rules: Vec<Value>,
    /// The SCIM base URL and bearer token the IdP pushes with, once minted.
    pub scim: Option<(String, String)>,
    /// The SP's decryption key and certificate (PEM), once it advertises encryption.
    pub decryption: Option<(String, String)>,
    /// The SP's SAML Single Logout signing key and certificate (PEM), once SLO is enabled.
    pub slo_key: Option<(String, String)>,
}

impl Org {
    /// Where this vendor puts group membership over this protocol (vendors.md).
    pub fn groups_attribute(&self) -> anyhow::Result<&'static str> {
        Ok(match (self.vendor, self.protocol) {
            (Vendor::Okta, _) => "groups",
            (Vendor::Entra, Protocol::Saml) => ENTRA_SAML_GROUPS,
            (Vendor::Entra, Protocol::Oidc) => "groups",
            (Vendor::Google, Protocol::Saml) => GOOGLE_SAML_GROUPS,
            (Vendor::Google, Protocol::Oidc) => {
                bail!("Google's OIDC id_token carries no groups: run this scenario over SAML")
            }
        })
    }

    /// Where this vendor puts app roles over this protocol.
    pub fn app_roles_attribute(&self) -> anyhow::Result<&'static str> {
        Ok(match (self.vendor, self.protocol) {
            (Vendor::Entra, Protocol::Saml) => ENTRA_SAML_ROLE,
            (Vendor::Entra, Protocol::Oidc) => "roles",
            (v, _) => bail!("{} has no app roles claim", v.name()),
        })
    }

    /// The value the IdP sends for group `name`: its name (Okta, Google) or its object id
    /// (Entra), creating the group in the directory when needed.
    pub fn group_value(&self, name: &str) -> String {
        let id = self.tenant.ensure_group(name);
        match self.vendor {
            Vendor::Entra => id,
            Vendor::Okta | Vendor::Google => name.to_string(),
        }
    }

    fn saml_metadata_url(&self, idps: &mock_idps::MockIdps) -> anyhow::Result<String> {
        idps.index()
            .tenants
            .into_iter()
            .find(|i| i.vendor == self.tenant.vendor && i.id == self.tenant.id)
            .map(|i| i.saml.metadata_url)
            .context("the tenant is missing from the IdPs' index")
    }

    /// The full SSO configuration as it stands: trust plus the mappings given so far.
    pub fn sso_config(&self, idps: &mock_idps::MockIdps) -> anyhow::Result<Value> {
        let mut cfg = match self.protocol {
            Protocol::Saml => {
                let mut cfg = json!({
                    "protocol": "saml",
                    "metadata_url": self.saml_metadata_url(idps)?,
                });
                if let Some((key, cert)) = &self.decryption {
                    cfg["decryption_key"] = json!(key);
                    cfg["decryption_certificate"] = json!(cert);
                }
                if let Some((key, cert)) = &self.slo_key {
                    cfg["slo"] = json!({"signing_key": key, "signing_certificate": cert});
                }
                cfg
            }
            Protocol::Oidc => {
                let mut scopes = vec!["openid", "email", "profile"];
                if let Some(s) = self.tenant.personality().oidc.groups_scope {
                    scopes.push(s);
                }
                json!({
                    "protocol": "oidc",
                    "issuer": self.tenant.oidc_issuer(),
                    "client_id": self.client_id(),
                    "client_secret": self.client_secret,
                    "scopes": scopes,
                })
            }
        };
        if let Some(a) = &self.role_attribute {
            cfg["role_mapping"] = json!({"attribute": a, "rules": self.role_rules});
        }
        if let Some(a) = &self.group_attribute {
            cfg["resource_group_mapping"] = json!({"attribute": a, "rules": self.group_rules});
        }
        Ok(cfg)
    }

    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// A `mode` organisation `slug` at the target trusting a fresh `vendor` tenant (id `slug`,
    /// no users) over `protocol`, its SSO configured; `key` makes its client secret unique.
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        env: &crate::world::Env,
        admin: &mut crate::target::Admin,
        name: &str,
        slug: String,
        key: &str,
        mode: Mode,
        vendor: Vendor,
        protocol: Protocol,
    ) -> anyhow::Result<Org> {
        admin.create_org(&slug, mode.api()).await?;
        let urls = env.target.org_urls(&slug);
        let client_secret = format!("secret-{key}");
        let tenant = env
            .idps
            .create_tenant(NewTenant {
                vendor: Some(vendor.mock()),
                id: Some(slug.clone().into()),
                mode: mock_idps::Mode::Strict,
                seed_users: Some(0),
                saml_apps: vec![NewSamlApp {
                    sp_entity_id: urls.saml_entity_id.clone().into(),
                    acs_urls: vec![urls.saml_acs.clone()],
                    send_groups: true,
                    // Google sends groups only under a name its admin gives the mapping, Okta
                    // only through a group attribute statement (S12).
                    groups_attribute: match vendor {
                        Vendor::Google => Some(GOOGLE_SAML_GROUPS.to_string()),
                        Vendor::Okta => Some("groups".to_string()),
                        Vendor::Entra => None,
                    },
                    // A fresh Okta app sends no attributes (S12): Acme's admin defines the
                    // usual profile statements.
                    attribute_statements: (vendor == Vendor::Okta)
                        .then(mock_idps::control::okta_profile_statements),
                    allow_idp_initiated: Some(true),
                    ..NewSamlApp::default()
                }],
                oidc_clients: vec![NewOidcClient {
                    client_id: Some(format!("client-{slug}").into()),
                    client_secret: Some(client_secret.clone()),
                    redirect_uris: vec![urls.oidc_callback.clone()],
                    auth_method: Some(TokenAuth::ClientSecretPost),
                    require_pkce: true,
                    post_logout_redirect_uris: vec![],
                    // The org's IdP admin configured the groups claim (Okta's filter, Entra's
                    // groupMembershipClaims): group mapping scenarios need it.
                    groups_claim: true,
                }],
                ..NewTenant::default()
            })
            .map_err(|e| anyhow::anyhow!("creating the {} tenant: {e}", vendor.name()))?;
        let client_id = format!("client-{slug}");
        let org = Org::new(
            name,
            slug,
            mode,
            vendor,
            protocol,
            tenant,
            urls,
            client_secret,
            client_id,
        );
        admin
            .configure_sso(&org.slug, &org.sso_config(&env.idps)?)
            .await?;
        Ok(org)
    }

    /// An organisation with no mappings yet: its SP side, its IdP tenant and its OIDC client.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        name: &str,
        slug: String,
        mode: Mode,
        vendor: Vendor,
        protocol: Protocol,
        tenant: SharedTenant,
        urls: OrgUrls,
        client_secret: String,
        client_id: String,
    ) -> Self {
        Self {
            name: name.to_string(),
            slug,
            mode,
            vendor,
            protocol,
            tenant,
            urls,
            client_secret,
            client_id,
            role_attribute: None,
            role_rules: Vec::new(),
            group_attribute: None,
            group_rules: Vec::new(),
            scim: None,
            decryption: None,
            slo_key: None,
        }
    }
}

impl IdpWorld {
    /// `name` is a `mode` organisation trusting a fresh `vendor` tenant over `protocol`.
    pub async fn create_org(
        &mut self,
        name: &str,
        mode: Mode,
        vendor: Vendor,
        protocol: Protocol,
    ) -> anyhow::Result<()> {
        if self.orgs.contains_key(name) {
            bail!("{name} is already set up in this scenario");
        }
        if self.env.black_box.is_some() {
            return self.black_box_org(name, mode, vendor, protocol);
        }
        let caps = &self.env.target.profile.capabilities;
        let supported = match mode {
            Mode::Basic => caps.basic,
            Mode::Managed => caps.managed,
        } && match protocol {
            Protocol::Saml => caps.saml,
            Protocol::Oidc => caps.oidc,
        };
        if !supported {
            bail!(
                "the target profile does not declare {} over {}",
                mode.api(),
                protocol.api()
            );
        }
        let slug = format!("{}-{}", name.to_ascii_lowercase(), self.key);
        let org = Org::create(
            &self.env,
            &mut self.admin,
            name,
            slug,
            &self.key,
            mode,
            vendor,
            protocol,
        )
        .await?;
        self.orgs.insert(name.to_string(), org);
        Ok(())
    }

    /// PUT the org's whole SSO configuration as it now stands.
    pub(super) async fn push_sso(&mut self, org: &str) -> anyhow::Result<()> {
        let o = self.org(org)?;
        let (slug, cfg) = (o.slug.clone(), o.sso_config(&self.env.idps)?);
        self.admin.configure_sso(&slug, &cfg).await?;
        Ok(())
    }

    pub async fn patch_org(&mut self, org: &str, patch: Value) -> anyhow::Result<()> {
        if self.env.black_box.is_some() && patch == json!({"allow_idp_initiated": true}) {
            return self.bb_idp_initiated(org);
        }
        let slug = self.org(org)?.slug.clone();
        self.admin.patch_org(&slug, patch).await?;
        Ok(())
    }

    /// `actor` is a user of `org`'s `vendor` directory, in `groups`.
    pub fn idp_user(
        &mut self,
        actor: &str,
        org: &str,
        vendor: Vendor,
        groups: &[String],
    ) -> anyhow::Result<()> {
        let (given, email) = {
            let a = self.actor(actor)?;
            (a.name.clone(), a.email.clone())
        };
        let o = self.org(org)?;
        if o.vendor != vendor {
            bail!("{org} trusts {}, not {}", o.vendor.name(), vendor.name());
        }
        o.tenant
            .add_user(NewUser {
                login: Some(email.clone()),
                email: Some(email.clone()),
                given_name: Some(given),
                family_name: Some("Tester".into()),
                groups: groups.to_vec(),
                ..NewUser::default()
            })
            .map_err(|e| anyhow::anyhow!("adding {actor} to {org}'s directory: {e}"))?;
        Ok(())
    }

    /// Replace `actor`'s groups at `org`'s IdP.
    pub fn set_idp_groups(
        &mut self,
        actor: &str,
        org: &str,
        groups: &[String],
    ) -> anyhow::Result<()> {
        let email = self.known_actor(actor)?.email.clone();
        let o = self.org(org)?;
        o.tenant
            .set_user_groups(&email, groups)
            .with_context(|| format!("{actor} is not in {org}'s directory"))?;
        Ok(())
    }

    /// Give `actor` an app role at `org`'s IdP (Entra app roles).
    pub fn grant_app_role(&mut self, actor: &str, org: &str, role: &str) -> anyhow::Result<()> {
        let email = self.known_actor(actor)?.email.clone();
        let o = self.org(org)?;
        o.app_roles_attribute()?;
        let mut roles = o
            .tenant
            .user(&email)
            .with_context(|| format!("{actor} is not in {org}'s directory"))?
            .roles;
        roles.push(role.to_string());
        o.tenant.patch_user(
            &email,
            UserPatch {
                roles: Some(roles),
                ..UserPatch::default()
            },
        );
        Ok(())
    }

    /// Suspend `actor` at `org`'s IdP: the IdP refuses to sign them in.
    pub fn deactivate_at_idp(&mut self, actor: &str, org: &str) -> anyhow::Result<()> {
        let email = self.known_actor(actor)?.email.clone();
        let o = self.org(org)?;
        o.tenant
            .patch_user(
                &email,
                UserPatch {
                    active: Some(false),
                    ..UserPatch::default()
                },
            )
            .with_context(|| format!("{actor} is not in {org}'s directory"))?;
        Ok(())
    }

    fn role_rules(o: &Org, rules: &[(String, Role)]) -> Vec<Value> {
        rules
            .iter()
            .map(|(g, r)| json!({"value": o.group_value(g), "role": r.api()}))
            .collect()
    }

    /// Map IdP groups to roles (the vendor's groups claim), in table order.
    pub async fn map_groups_to_roles(
        &mut self,
        org: &str,
        rules: &[(String, Role)],
    ) -> anyhow::Result<()> {
        let o = self.org_mut(org)?;
        let attr = o.groups_attribute()?.to_string();
        let new_rules = Self::role_rules(o, rules);
        o.role_attribute = Some(attr);
        o.role_rules.extend(new_rules);
        self.push_sso(org).await
    }

    /// Map IdP app roles (Entra) to roles.
    pub async fn map_app_roles_to_roles(
        &mut self,
        org: &str,
        rules: &[(String, Role)],
    ) -> anyhow::Result<()> {
        let o = self.org_mut(org)?;
        o.role_attribute = Some(o.app_roles_attribute()?.to_string());
        o.role_rules.extend(
            rules
                .iter()
                .map(|(v, r)| json!({"value": v, "role": r.api()})),
        );
        self.push_sso(org).await
    }

    /// Try a role mapping as the only rules; remember whether the target took it.
    pub async fn try_role_mapping(
        &mut self,
        org: &str,
        rules: &[(String, Role)],
    ) -> anyhow::Result<()> {
        let o = self.org(org)?;
        let mut cfg = o.sso_config(&self.env.idps)?;
        cfg["role_mapping"] =
            json!({"attribute": o.groups_attribute()?, "rules": Self::role_rules(o, rules)});
        let slug = o.slug.clone();
        self.last_admin = Some(
            self.admin
                .configure_sso(&slug, &cfg)
                .await
                .map_err(|e| e.code().unwrap_or("").to_string()),
        );
        Ok(())
    }

    /// Map an IdP group to a resource group with a role in it.
    pub async fn map_group_to_resource_group(
        &mut self,
        org: &str,
        group: &str,
        resource_group: &str,
        role: Role,
    ) -> anyhow::Result<()> {
        let o = self.org_mut(org)?;
        let attr = o.groups_attribute()?.to_string();
        let value = o.group_value(group);
        o.group_attribute = Some(attr);
        o.group_rules
            .push(json!({"value": value, "group": resource_group, "role": role.api()}));
        self.push_sso(org).await
    }

    pub async fn create_resource_group(&mut self, org: &str, name: &str) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        self.admin.create_resource_group(&slug, name).await?;
        Ok(())
    }

    pub async fn create_repo(
        &mut self,
        org: &str,
        repo: &str,
        resource_group: Option<&str>,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        self.admin.create_repo(&slug, repo, resource_group).await?;
        Ok(())
    }

    /// A personal platform account for `actor` with a password; with `work_email`, the email
    /// their IdPs know, else a personal address only.
    pub async fn platform_account(&mut self, actor: &str, work_email: bool) -> anyhow::Result<()> {
        let key = self.key.clone();
        let a = self.actor(actor)?;
        let username = format!("{}-{key}", a.name.to_ascii_lowercase());
        let email = if work_email {
            a.email.clone()
        } else {
            format!("{}.{key}@home.example", a.name.to_ascii_lowercase())
        };
        let password = a.password.clone();
        a.username = Some(username.clone());
        self.admin
            .create_user(&username, &password, &[&email])
            .await?;
        Ok(())
    }

    /// Make `actor` a member of `org` directly (an admin's act, no SSO).
    pub async fn add_member(
        &mut self,
        org: &str,
        actor: &str,
        role: Role,
        external: bool,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let username = self.username(actor)?;
        self.admin
            .add_member(&slug, &username, role.api(), external)
            .await?;
        Ok(())
    }

    pub async fn place_in_resource_group(
        &mut self,
        org: &str,
        group: &str,
        actor: &str,
        role: Role,
    ) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let username = self.username(actor)?;
        self.admin
            .place_in_resource_group(&slug, group, &username, role.api())
            .await?;
        Ok(())
    }

    /// `org` invites `actor` (by work email) with `role`.
    pub async fn invite(&mut self, org: &str, actor: &str, role: Role) -> anyhow::Result<()> {
        let slug = self.org(org)?.slug.clone();
        let email = self.actor(actor)?.email.clone();
        self.admin.invite(&slug, &email, role.api()).await?;
        Ok(())
    }

    /// Deprovision `actor` from `org` as its admin would: a managed account is deactivated
    /// (what SCIM active=false does), a Basic member is removed from the organisation.
    pub async fn deprovision(&mut self, org: &str, actor: &str) -> anyhow::Result<()> {
        let (slug, mode) = {
            let o = self.org(org)?;
            (o.slug.clone(), o.mode)
        };
        let username = self.username(actor)?;
        match mode {
            Mode::Managed => {
                self.admin
                    .patch_user(&username, json!({"active": false}))
                    .await?;
            }
            Mode::Basic => self.admin.remove_member(&slug, &username).await?,
        }
        Ok(())
    }
}
