//! The black-box meaning of the steps (docs/black-box.md): an organisation is the profile's
//! login for that vendor and protocol, on the fixed tenant the SP trusts; a sign-in starts at the
//! SP's login URL in a fresh browser session and visits the IdP once; "signed in" and "refused"
//! are read from the probe URL with the accept rule. Whatever needs the admin API is not
//! applicable.

use super::params::{Protocol, Req, Vendor};
use super::{IdpWorld, Org, Outcome};
use crate::agent::AgentError;
use crate::black_box::{Login, NotAccepted, Proto};
use crate::target::{OrgUrls, NOT_APPLICABLE};
use anyhow::{bail, Context as _};

/// How a step error that means the SP never answered begins.
pub const NO_ANSWER: &str = "no answer: ";

fn proto(p: Protocol) -> Proto {
    match p {
        Protocol::Saml => Proto::Saml,
        Protocol::Oidc => Proto::Oidc,
    }
}

/// An agent error, with timeouts and refused connections named as "no answer".
pub fn agent_error(e: AgentError) -> anyhow::Error {
    if e.is_no_answer() {
        return anyhow::anyhow!("{NO_ANSWER}{e}");
    }
    anyhow::Error::new(e)
}

impl IdpWorld {
    /// The profile's login for `vendor` over `protocol`, or "not applicable".
    fn bb_login(&self, vendor: Vendor, protocol: Protocol) -> anyhow::Result<Login> {
        let bb = self
            .env
            .black_box
            .as_ref()
            .context("not a black-box target")?;
        bb.login(vendor.mock(), proto(protocol))
            .cloned()
            .with_context(|| {
                format!(
                    "{NOT_APPLICABLE}the profile has no login for {} over {}",
                    vendor.name(),
                    protocol.api()
                )
            })
    }

    /// The login behind a scenario's organisation.
    fn bb_login_of(&self, org: &str) -> anyhow::Result<Login> {
        let o = self.org(org)?;
        self.bb_login(o.vendor, o.protocol)
    }

    /// `name` is the fixed tenant and SP of the profile's `vendor` x `protocol` login (the mode
    /// is the SP's own business: a black-box SP has no organisations the harness can create).
    pub(super) fn black_box_org(
        &mut self,
        name: &str,
        mode: super::params::Mode,
        vendor: Vendor,
        protocol: Protocol,
    ) -> anyhow::Result<()> {
        let l = self.bb_login(vendor, protocol)?;
        let secret = l
            .client_id
            .as_ref()
            .and_then(|c| l.tenant.oidc_client(c))
            .map(|k| k.client_secret)
            .unwrap_or_default();
        let org = Org::new(
            name,
            l.tenant.id.to_string(),
            mode,
            vendor,
            protocol,
            l.tenant.clone(),
            OrgUrls {
                sso_login: l.login_url.clone(),
                join: String::new(),
                saml_acs: l.acs_url.clone().unwrap_or_default(),
                saml_entity_id: l.sp_entity_id.clone().unwrap_or_default(),
                oidc_callback: l.redirect_uri.clone().unwrap_or_default(),
            },
            secret,
            l.client_id.clone().unwrap_or_default(),
        );
        self.orgs.insert(name.to_string(), org);
        Ok(())
    }

    /// A black-box sign-in: a new browser session (the SP's earlier cookies gone, as with a
    /// fresh jar per login), starting at `url`, visiting the IdP at most once.
    pub(super) async fn black_box_journey(&mut self, actor: &str, url: &str) -> anyhow::Result<()> {
        self.bb_journey(actor, url, 1).await
    }

    async fn bb_journey(
        &mut self,
        actor: &str,
        url: &str,
        max_idp_visits: usize,
    ) -> anyhow::Result<()> {
        let j = self
            .browse_as(actor, url, Some(max_idp_visits), true)
            .await?;
        self.keep(actor, j);
        Ok(())
    }

    /// The actor's browser at the probe URL of `org`'s login: `Ok(attributes)` when the accept
    /// rule holds (a session), `Err(why not)` otherwise.
    async fn bb_session(
        &mut self,
        actor: &str,
        org: &str,
    ) -> anyhow::Result<Result<Vec<(&'static str, String)>, NotAccepted>> {
        let l = self.bb_login_of(org)?;
        let agent = self.known_actor(actor)?.agent.clone();
        // The journey that just ended at the probe URL is the probe: asking again would cost
        // the SP another request and tell nothing new.
        let last_exchange = agent.last_exchange();
        let reuse = self.last.as_ref().and_then(|o| {
            let last = last_exchange.as_ref()?;
            (o.actor == actor
                && o.page.url.as_str() == l.probe_url
                && last.url == l.probe_url
                && last.method == "GET"
                && last.status == o.page.status.as_u16())
            .then(|| o.page.clone())
        });
        let page = match reuse {
            Some(p) => p,
            None => agent.get(&l.probe_url).await.map_err(agent_error)?,
        };
        let bb = self
            .env
            .black_box
            .as_ref()
            .context("not a black-box target")?;
        Ok(match bb.spec.accept.check(&page) {
            Ok(()) => Ok(bb.spec.attributes.read(&page)),
            Err(why) => Err(why),
        })
    }

    fn bb_last_page(&self, actor: &str) -> String {
        self.last_of(actor)
            .map(|o| o.page.describe())
            .unwrap_or_default()
    }

    /// Refused: no session at the probe afterwards, whatever page the SP showed.
    pub(super) async fn bb_expect_refused(&mut self, org: &str, req: &Req) -> anyhow::Result<()> {
        let actor = self
            .last
            .as_ref()
            .map(|o| o.actor.clone())
            .context("nobody has signed in yet (a When is missing)")?;
        let attrs = match self.bb_session(&actor, org).await? {
            Err(_) => return Ok(()),
            Ok(attrs) => attrs,
        };
        // OIDC-KID-2: "reject, or try each key". The token is signed by a published key, so
        // an RP that tried each key accepted it rightly.
        if req.to_string().contains("OIDC-KID-2") {
            self.bb_notes.push(format!(
                "{req}: the RP accepted a token without kid by trying each published key (the \
                 catalogue allows it)"
            ));
            return Ok(());
        }
        // Wrapping rows: "reject, or act only on the signed assertion's content". An SP that
        // took the login as the honest user, and shows whom it took, held the row.
        let wrapping = ["SAML-XSW-", "SAML-TWO-"]
            .iter()
            .any(|p| req.to_string().contains(p));
        let victim = protocols::saml::attacks::DEFAULT_VICTIM;
        if wrapping
            && !attrs.is_empty()
            && !attrs
                .iter()
                .any(|(_, v)| v.to_ascii_lowercase().contains(victim))
        {
            self.bb_notes.push(format!(
                "{req}: the SP accepted, acting only on the signed assertion (it saw {attrs:?}, \
                 not the wrapped {victim})"
            ));
            return Ok(());
        }
        bail!(
            "{req}: the SP accepted the sign-in: {actor} has a session at the probe (it saw \
             {attrs:?}); the SP answered the login with {}",
            self.bb_last_page(&actor)
        )
    }

    /// The last journey ended in a session (what "has signed in" means for a black-box SP).
    pub(super) async fn bb_expect_success(&mut self, actor: &str) -> anyhow::Result<()> {
        let org = self
            .orgs
            .keys()
            .next()
            .cloned()
            .context("no organisation in this scenario")?;
        match self.bb_session(actor, &org).await? {
            Ok(_) => Ok(()),
            Err(why) => bail!(
                "{actor}'s sign-in did not end in a session: {why}; the SP answered {}",
                self.bb_last_page(actor)
            ),
        }
    }

    /// Signed in: the accept rule holds at the probe.
    pub(super) async fn bb_expect_signed_in(
        &mut self,
        actor: &str,
        org: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        match self.bb_session(actor, org).await? {
            Ok(_) => Ok(()),
            Err(why) => bail!(
                "{req}: expected {actor} signed in, but {why}; the SP answered the login with {}",
                self.bb_last_page(actor)
            ),
        }
    }

    /// Not signed in as `victim`: if there is a session, what the SP saw must not be the victim.
    pub(super) async fn bb_expect_never_victim(
        &mut self,
        actor: &str,
        org: &str,
        victim: &str,
        req: &Req,
    ) -> anyhow::Result<()> {
        let Ok(attrs) = self.bb_session(actor, org).await? else {
            return Ok(());
        };
        if attrs.is_empty() {
            bail!(
                "{NOT_APPLICABLE}{actor} has a session, and the profile shows no attributes \
                 ([black_box.attributes]) to tell whom the SP took them for"
            );
        }
        if let Some((name, v)) = attrs
            .iter()
            .find(|(_, v)| v.trim().eq_ignore_ascii_case(victim))
        {
            bail!("{req}: the SP signed {actor} in as the victim ({name} = {v:?})");
        }
        Ok(())
    }

    /// Whether the org's login takes IdP-initiated responses; "not applicable" if not.
    pub(super) fn bb_idp_initiated(&self, org: &str) -> anyhow::Result<()> {
        let l = self.bb_login_of(org)?;
        if !l.idp_initiated {
            bail!(
                "{NOT_APPLICABLE}the profile's {} login does not take IdP-initiated responses \
                 (idp_initiated = false)",
                l.label()
            );
        }
        Ok(())
    }

    /// Replay the last journey's authorization callback in a fresh session (an attacker
    /// holding the URL).
    pub(super) async fn bb_replay_callback(&mut self, actor: &str) -> anyhow::Result<()> {
        let o = self.last_of(actor)?;
        let cb = o
            .visited
            .iter()
            .find(|u| u.contains("code=") && !u.starts_with(self.env.idps.base_url()))
            .cloned()
            .with_context(|| format!("{actor}'s last journey had no authorization callback"))?;
        // The attacker has the callback URL, not the IdP: a replay that sends the browser to
        // the IdP ends there.
        self.bb_journey(actor, &cb, 0).await
    }

    /// The journey outcome as kept, for hooks.
    pub fn last_outcome(&self) -> Option<&Outcome> {
        self.last.as_ref()
    }

    /// Before a black-box scenario: no fault left pending from elsewhere, and the SP's error
    /// log position noted. Does nothing for other targets.
    pub async fn bb_before_scenario(&mut self, vendor: Option<&str>, stateful: bool) {
        let Some(bb) = &self.env.black_box else {
            return;
        };
        // An attack an RP may cache needs an RP with cold caches, so that it fetches what the
        // attack alters (discovery, JWKS) during the scenario; the runner reloads once more
        // after the last such scenario. Only in the stateful pass, which runs alone: a reload
        // may restart the whole SP.
        if stateful && bb.spec.reload_command.is_some() {
            if let Err(e) = reload_target(&self.env).await {
                self.sp_log.push(format!("idpsim: {e}"));
            }
        }
        let Some(bb) = &self.env.black_box else {
            return;
        };
        self.bb_since = bb.logins.first().map(|l| l.tenant.now());
        // Only this scenario's vendor: the other vendors' lanes are mid-scenario.
        for l in bb
            .logins
            .iter()
            .filter(|l| vendor.is_none_or(|v| v == l.vendor.as_str()))
        {
            l.tenant.clear_next_login();
        }
        self.log_offset = bb
            .spec
            .error_log
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
    }

    /// After a black-box scenario: the fault it set up and never used (the scenario is then
    /// "not applied"), with every tenant restored to its configured keys and no pending fault;
    /// the profile's reload command runs after a stateful attack. `None` for other targets.
    pub async fn bb_after_scenario(&mut self, stateful: bool) -> Option<String> {
        let bb = self.env.black_box.as_ref()?;
        let mut unused = None;
        if let Some((path, what)) = self.bb_needs_fetch.take() {
            let since = self.bb_since.unwrap_or_default();
            let fetched = self.orgs.values().any(|o| {
                o.tenant
                    .request_log()
                    .iter()
                    .any(|e| e.at >= since && e.path.contains(path))
            });
            if !fetched {
                unused = Some(format!(
                    "the RP never fetched {what} during the scenario, so the altered answer was \
                     never served"
                ));
            }
        }
        for o in self.orgs.values() {
            let pending = o.tenant.clear_next_login();
            if let Some(n) = pending {
                let mut v = serde_json::to_value(&n).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.remove("user");
                }
                let blank = {
                    let mut d =
                        serde_json::to_value(mock_idps::NextLogin::default()).unwrap_or_default();
                    if let Some(m) = d.as_object_mut() {
                        m.remove("user");
                    }
                    d
                };
                if v != blank {
                    unused = Some(format!(
                        "the IdP's prepared fault was never used: the SP did not ask {}'s IdP \
                         for a login during the scenario (pending: {v})",
                        o.name
                    ));
                }
            }
        }
        let mut rotated = false;
        let mine: Vec<&str> = self.orgs.values().map(|o| o.tenant.id.as_str()).collect();
        for l in bb
            .logins
            .iter()
            .filter(|l| mine.contains(&l.tenant.id.as_str()))
        {
            l.tenant.clear_next_login();
            if key_ids(&l.tenant.keys()) != key_ids(&l.keys) {
                l.tenant.set_keys(l.keys.clone());
                rotated = true;
            }
        }
        if let (Some(path), Some(from)) = (&bb.spec.error_log, self.log_offset) {
            if let Ok(text) = std::fs::read(path) {
                let from = usize::try_from(from).unwrap_or(0).min(text.len());
                self.sp_log = String::from_utf8_lossy(&text[from..])
                    .lines()
                    .map(str::to_string)
                    .collect();
            }
        }
        if rotated && !stateful {
            self.bb_notes.push(
                "the IdP's keys changed in a scenario not run as stateful; they were restored"
                    .into(),
            );
        }
        unused
    }
}

/// Run the black-box profile's reload command, if it has one, in the profile's folder.
pub async fn reload_target(env: &super::Env) -> anyhow::Result<()> {
    let Some(cmd) = env
        .black_box
        .as_ref()
        .and_then(|b| b.spec.reload_command.clone())
    else {
        return Ok(());
    };
    let dir = env
        .target
        .profile
        .source
        .as_ref()
        .and_then(|p| p.parent())
        .map(|p| p.to_path_buf());
    reload(&cmd, dir.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("reload command failed: {e}"))
}

/// The published kids and the active one: what tells a rotated key set from the configured one.
fn key_ids(k: &protocols::keys::KeySet) -> (String, Vec<String>) {
    (
        k.active().kid().to_string(),
        k.all().iter().map(|x| x.kid().to_string()).collect(),
    )
}

/// Run the profile's reload command (`sh -c`, in the profile's folder), bounded to a minute.
async fn reload(cmd: &str, dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    let mut c = tokio::process::Command::new("sh");
    c.arg("-c").arg(cmd).kill_on_drop(true);
    if let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        c.current_dir(d);
    }
    let child = c.output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), child)
        .await
        .map_err(|_| anyhow::anyhow!("{cmd:?} took over 60 s"))??;
    if !out.status.success() {
        bail!(
            "{cmd:?} exited {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
