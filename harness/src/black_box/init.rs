//! `idpsim target init`: write a black-box profile and its IdP tenant file for an SP, and print
//! the exact values to configure the SP with. Everything it writes is stable: run it again with
//! the same arguments and the SP's configuration stays valid.

use crate::black_box::Proto;
use anyhow::{bail, Context as _};
use mock_idps::config::Config as IdpConfig;
use mock_idps::control::{NewOidcClient, NewSamlApp};
use mock_idps::directory::NewUser;
use mock_idps::personality::{TokenAuth, Vendor};
use mock_idps::{MockIdps, NewTenant, Options};
use protocols::{IdGen, SeededIds, SystemClock};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What `idpsim target init` takes.
#[derive(Debug, Clone)]
pub struct InitArgs {
    pub name: String,
    pub vendors: Vec<Vendor>,
    pub protocol: Proto,
    /// Where a browser starts a login at the SP.
    pub login_url: String,
    /// SAML: the SP's metadata (file or URL) ...
    pub sp_metadata: Option<String>,
    /// ... or its entity id and ACS URL.
    pub sp_entity_id: Option<String>,
    pub acs_url: Option<String>,
    /// OIDC: the RP's redirect URI.
    pub redirect_uri: Option<String>,
    pub idp_listen: SocketAddr,
    pub out: PathBuf,
    pub force: bool,
}

/// The user honest logins sign in as.
pub const USER: &str = "alice@idpsim.example";

fn check_url(flag: &str, u: &str) -> anyhow::Result<()> {
    let parsed = url::Url::parse(u).with_context(|| format!("{flag} {u:?} is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        bail!("{flag} {u:?} is not an http(s) URL");
    }
    Ok(())
}

/// The SP's entity id and ACS URL, from the arguments or its metadata.
async fn saml_sp(a: &InitArgs) -> anyhow::Result<(String, String, Option<String>)> {
    if let Some(m) = &a.sp_metadata {
        let md = super::read_sp_metadata(m, std::path::Path::new("."))
            .await
            .map_err(|e| anyhow::anyhow!("--sp-metadata: {e:#}"))?;
        let acs = md
            .default_acs()
            .map(|x| x.location.clone())
            .context("--sp-metadata: the SP metadata lists no AssertionConsumerService")?;
        return Ok((md.entity_id, acs, Some(m.clone())));
    }
    match (&a.sp_entity_id, &a.acs_url) {
        (Some(e), Some(acs)) => {
            check_url("--acs-url", acs)?;
            Ok((e.clone(), acs.clone(), None))
        }
        _ => bail!("a SAML SP needs --sp-metadata, or --sp-entity-id with --acs-url"),
    }
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Write the profile and tenant file; return what to paste into the SP.
pub async fn init(a: InitArgs) -> anyhow::Result<String> {
    if a.vendors.is_empty() {
        bail!("--vendor: name at least one of okta, entra, google");
    }
    check_url("--login-url", &a.login_url)?;
    let slug = slug_of(&a.name);
    let profile_path = a.out.join(format!("{slug}.toml"));
    let idp_path = a.out.join(format!("{slug}-idp.toml"));
    for p in [&profile_path, &idp_path] {
        if p.exists() && !a.force {
            bail!(
                "{} exists: pass --force to overwrite it (the SP's configuration stays valid \
                 only with the same arguments)",
                p.display()
            );
        }
    }
    let (saml_sp, redirect) = match a.protocol {
        Proto::Saml => (Some(saml_sp(&a).await?), None),
        Proto::Oidc => {
            let r = a
                .redirect_uri
                .clone()
                .context("an OIDC RP needs --redirect-uri")?;
            check_url("--redirect-uri", &r)?;
            (None, Some(r))
        }
    };
    let sp_key = saml_sp
        .as_ref()
        .map(|s| s.0.clone())
        .or(redirect.clone())
        .unwrap_or_default();
    let mut tenants = Vec::new();
    for v in &a.vendors {
        let ids = SeededIds::new(mock_idps::control::stable_seed(&[
            &slug,
            v.as_str(),
            &sp_key,
        ]));
        let p = v.personality();
        let mut t = NewTenant {
            vendor: Some(*v),
            id: Some(p.ids.tenant.make(&ids as &dyn IdGen).into()),
            mode: mock_idps::Mode::Strict,
            domain: Some("idpsim.example".into()),
            seed_users: Some(0),
            users: vec![NewUser {
                login: Some(USER.into()),
                email: Some(USER.into()),
                given_name: Some("Alice".into()),
                family_name: Some("Tester".into()),
                groups: vec!["engineering".into()],
                ..NewUser::default()
            }],
            ..NewTenant::default()
        };
        match (&saml_sp, &redirect) {
            (Some((entity, acs, _)), _) => t.saml_apps.push(NewSamlApp {
                id: Some(p.ids.saml_app.make(&ids as &dyn IdGen)),
                sp_entity_id: entity.clone().into(),
                acs_urls: vec![acs.clone()],
                send_groups: true,
                // Google's group mapping and Okta's group attribute statement need a name
                // (S12); Okta sends profile attributes only from attribute statements.
                groups_attribute: matches!(*v, Vendor::Google | Vendor::Okta)
                    .then(|| "groups".to_string()),
                attribute_statements: (*v == Vendor::Okta)
                    .then(mock_idps::control::okta_profile_statements),
                ..NewSamlApp::default()
            }),
            (None, Some(r)) => t.oidc_clients.push(NewOidcClient {
                client_id: Some(p.ids.oidc_client.make(&ids as &dyn IdGen).into()),
                client_secret: Some(format!("idpsim-{}", ids.hex(16))),
                redirect_uris: vec![r.clone()],
                auth_method: Some(TokenAuth::ClientSecretPost),
                require_pkce: false,
                post_logout_redirect_uris: vec![],
                groups_claim: true,
            }),
            (None, None) => {}
        }
        tenants.push(t);
    }
    let cfg = IdpConfig {
        control_token: None,
        tenants,
    };
    // The IdPs as the run will start them, in memory: every value printed is what they serve.
    let idps = MockIdps::new(Options {
        base_url: format!("http://{}", a.idp_listen),
        clock: Arc::new(SystemClock),
        ids: Arc::new(SeededIds::new(0x1d9)),
        control_token: None,
    });
    cfg.apply(&idps, &idp_path.display().to_string())?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;

    let mut idp_toml = format!(
        "# The IdPs {name} trusts: written by `idpsim target init`. Serve them by hand with\n\
         # `idpsim serve --listen {listen} --config {file}`.\n",
        name = a.name,
        listen = a.idp_listen,
        file = idp_path.display()
    );
    idp_toml.push_str(&toml::to_string(&cfg).context("writing the IdP config")?);
    let mut profile = format!(
        "# A black-box target profile (docs/black-box.md), written by `idpsim target init`.\n\
         name = {}\n\n[black_box]\nidp_listen = {}\nidp_config = {}\nhop_timeout_secs = 10\n\
         # reload_command = \"...\"   # run after attacks an RP may cache (keys, discovery)\n\
         # error_log = \"/var/log/...\" # kept as evidence\n\n\
         # How a signed-in browser shows at the probe URL: edit to match the SP.\n\
         [black_box.accept]\nstatus = 200\n\n",
        toml_str(&a.name),
        toml_str(&a.idp_listen.to_string()),
        toml_str(
            &idp_path
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default()
        ),
    );
    let mut paste = String::new();
    let _ = writeln!(
        paste,
        "Wrote {} and {}.\nConfigure the SP with these values:\n",
        profile_path.display(),
        idp_path.display()
    );
    for t in idps.tenants() {
        let v = t.vendor.as_str();
        let _ = writeln!(
            profile,
            "[[black_box.login]]\nvendor = \"{v}\"\nprotocol = \"{}\"\ntenant = {}\nlogin_url = {}",
            a.protocol.as_str(),
            toml_str(t.id.as_str()),
            toml_str(&a.login_url)
        );
        let _ = writeln!(paste, "== {v} (tenant {}) ==", t.id);
        match &saml_sp {
            Some((entity, acs, md)) => {
                // The entity id read from the metadata, not the metadata's path: a relative
                // path given here would be read against the profile's folder later.
                if let Some(m) = md {
                    let _ = writeln!(profile, "# from the SP metadata {m}");
                }
                let _ = writeln!(profile, "sp_entity_id = {}", toml_str(entity));
                let app = t.saml_app(entity).context("the app just registered")?;
                let xml = mock_idps::saml_idp::metadata_xml(&t, Some(&app.id))
                    .map_err(anyhow::Error::msg)?;
                let md_file = a.out.join(format!("{slug}-{v}-idp-metadata.xml"));
                std::fs::write(&md_file, &xml)
                    .with_context(|| format!("writing {}", md_file.display()))?;
                let cert = t.keys().active().cert_pem().to_string();
                let cert_file = a.out.join(format!("{slug}-{v}-idp.crt.pem"));
                std::fs::write(&cert_file, &cert)
                    .with_context(|| format!("writing {}", cert_file.display()))?;
                let p = t.personality();
                let _ = writeln!(
                    paste,
                    "IdP entity id:      {}\nSSO URL (Redirect and POST): {}\nmetadata URL:       {}\nmetadata file:      {}\nsigning certificate: {}\nSP entity id:       {entity}\nACS URL:            {acs}\n",
                    t.saml_entity_id(Some(&app)),
                    t.app_path(p.saml.sso_path, &app),
                    t.app_path(p.saml.metadata_path, &app),
                    md_file.display(),
                    cert_file.display(),
                );
            }
            None => {
                let clients = t.oidc_clients();
                let c = clients.first().context("the client just registered")?;
                let _ = writeln!(profile, "client_id = {}", toml_str(c.client_id.as_str()));
                let issuer = t.oidc_issuer();
                let _ = writeln!(
                    paste,
                    "issuer:        {issuer}\ndiscovery:     {issuer}/.well-known/openid-configuration\nclient id:     {}\nclient secret: {}\ntoken auth:    client_secret_post\nredirect URI:  {}\nscopes:        openid email profile\n",
                    c.client_id,
                    c.client_secret,
                    c.redirect_uris.join(" "),
                );
            }
        }
        let _ = writeln!(profile);
    }
    std::fs::write(&idp_path, idp_toml)
        .with_context(|| format!("writing {}", idp_path.display()))?;
    std::fs::write(&profile_path, profile)
        .with_context(|| format!("writing {}", profile_path.display()))?;
    let _ = writeln!(
        paste,
        "Then edit [black_box.accept] in {} to tell a signed-in page, and run:\n  idpsim run --target {}",
        profile_path.display(),
        profile_path.display()
    );
    Ok(paste)
}

/// A file-name-safe form of the target's name.
fn slug_of(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
