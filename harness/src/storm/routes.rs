//! Setting up what a storm signs in to: per vendor and protocol, a Managed organisation at an
//! SP with an admin API and a fresh IdP tenant with the storm's users, or a black-box
//! profile's logins.

use super::journey::Route;
use crate::black_box::Proto;
use crate::world::params::{Mode, Protocol, Vendor};
use crate::world::{Env, Org};
use anyhow::{bail, Context as _};
use mock_idps::directory::NewUser;

fn label(v: Vendor, p: Protocol) -> String {
    format!(
        "{}/{}",
        v.name().to_ascii_lowercase(),
        match p {
            Protocol::Saml => "saml",
            Protocol::Oidc => "oidc",
        }
    )
}

/// One route per (vendor, protocol), each with `users` IdP users (black-box: the profile's
/// one user).
/// `vendors`: `None` for all (black-box: all the profile has logins for).
pub async fn prepare(
    env: &Env,
    vendors: Option<&[Vendor]>,
    protocols: &[Protocol],
    users: usize,
) -> anyhow::Result<Vec<Route>> {
    if env.black_box.is_some() {
        return black_box(env, vendors, protocols);
    }
    let all = [Vendor::Okta, Vendor::Entra, Vendor::Google];
    let vendors = vendors.unwrap_or(&all);
    let caps = env.target.profile.capabilities.clone();
    if !caps.managed {
        bail!(
            "the target profile does not declare managed organisations; idpsim load signs its \
             users in just in time, which needs them"
        );
    }
    let mut admin = env.target.admin();
    let mut routes = Vec::new();
    for &v in vendors {
        for &p in protocols {
            let supported = match p {
                Protocol::Saml => caps.saml,
                Protocol::Oidc => caps.oidc,
            };
            if !supported {
                bail!("the target profile does not declare {}", p.api());
            }
            let label = label(v, p);
            let slug = format!("storm-{}{}", label.replace('/', "-"), env.run_nonce);
            let org = Org::create(
                env,
                &mut admin,
                &slug,
                slug.clone(),
                &slug,
                Mode::Managed,
                v,
                p,
            )
            .await
            .with_context(|| format!("setting up {label} at the target"))?;
            let emails: Vec<String> = (0..users)
                .map(|i| format!("u{i}.{slug}@idpsim.example"))
                .collect();
            for (i, email) in emails.iter().enumerate() {
                org.tenant
                    .add_user(NewUser {
                        login: Some(email.clone()),
                        email: Some(email.clone()),
                        given_name: Some(format!("User{i}")),
                        family_name: Some("Storm".into()),
                        ..NewUser::default()
                    })
                    .map_err(|e| anyhow::anyhow!("adding {email} to the {label} IdP: {e}"))?;
            }
            routes.push(Route {
                label,
                start_url: org.urls.sso_login.clone(),
                probe_url: env.target.whoami_url(),
                idp_base: env.idps.base_url().to_string(),
                users: emails,
                org_slug: Some(slug),
            });
        }
    }
    Ok(routes)
}

fn black_box(
    env: &Env,
    vendors: Option<&[Vendor]>,
    protocols: &[Protocol],
) -> anyhow::Result<Vec<Route>> {
    let bb = env
        .black_box
        .as_ref()
        .context("black_box: the profile has no [black_box] section")?;
    let all = [Vendor::Okta, Vendor::Entra, Vendor::Google];
    let mut routes = Vec::new();
    for &v in vendors.unwrap_or(&all) {
        for &p in protocols {
            let proto = match p {
                Protocol::Saml => Proto::Saml,
                Protocol::Oidc => Proto::Oidc,
            };
            let label = label(v, p);
            let Some(login) = bb.login(v.mock(), proto) else {
                if vendors.is_none() {
                    continue;
                }
                bail!(
                    "the black-box profile has no [[black_box.login]] for {label} (choose \
                     --vendor and --protocol among its logins)"
                );
            };
            let user = bb
                .users
                .get(login.tenant.id.as_str())
                .cloned()
                .with_context(|| format!("{label}: no user to sign in"))?;
            routes.push(Route {
                label,
                start_url: login.login_url.clone(),
                probe_url: login.probe_url.clone(),
                idp_base: env.idps.base_url().to_string(),
                users: vec![user],
                org_slug: None,
            });
        }
    }
    if routes.is_empty() {
        bail!("the black-box profile has no [[black_box.login]] over the chosen protocol");
    }
    Ok(routes)
}
