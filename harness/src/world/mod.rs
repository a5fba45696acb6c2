//! The scenario World: per scenario, fresh mock-IdP tenants and fresh SP organisations (unique
//! names), named actors each with a browser and a directory user, and the outcome of the last
//! journey. Steps are one-line calls into the methods here (org.rs: setting up organisations
//! and their IdPs; journey.rs: what actors do; checks.rs: what the Thens assert).

mod black_box;
mod browser;
mod checks;
mod encryption;
pub mod env;
mod journey;
mod org;
pub mod params;
mod provisioning;
mod security;
mod slo;

pub use black_box::{agent_error, reload_target, NO_ANSWER};
pub use env::{Env, EnvConfig};
pub use org::Org;

use crate::agent::{Page, UserAgent};
use crate::result::Evidence;
use crate::target::Admin;
use anyhow::Context as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A named person: a browser, a work email, and (once known) a platform username.
#[derive(Debug)]
pub struct Actor {
    pub name: String,
    pub agent: UserAgent,
    /// The email the IdPs know them by.
    pub email: String,
    /// Their platform username: set when the harness creates the account, learned from the
    /// target after a just-in-time (Managed) sign-in.
    pub username: Option<String>,
    pub password: String,
    /// The id the target gave their SCIM resource, once an IdP provisioned them.
    pub scim_id: Option<String>,
    /// Browser mode: their Chromium, opened at their first sign-in journey.
    pub chrome: Option<crate::browser::ChromeSession>,
}

/// Where an actor's last journey ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub actor: String,
    pub page: Page,
    /// Every URL the journey requested, in order.
    pub visited: Vec<String>,
}

#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct IdpWorld {
    pub env: Arc<Env>,
    pub admin: Admin,
    /// Makes this scenario's names unique: derived from the scenario, so stable across runs.
    key: String,
    orgs: BTreeMap<String, Org>,
    actors: BTreeMap<String, Actor>,
    last: Option<Outcome>,
    /// The answer to the last admin change a When step tried (for refusals).
    last_admin: Option<Result<Value, String>>,
    /// Black-box: the SP error log's length when the scenario began.
    log_offset: Option<u64>,
    /// Black-box: the error log's lines written during the scenario.
    sp_log: Vec<String>,
    /// Black-box: how a row was judged, when it was not plain (kept in the evidence).
    bb_notes: Vec<String>,
    /// Black-box: when the scenario began (the IdPs' time), and whether its fault is served
    /// only with the discovery document.
    bb_since: Option<chrono::DateTime<chrono::Utc>>,
    /// What the SP must fetch from the IdP during the scenario for its fault to be served
    /// (the discovery document, userinfo), as (path fragment, what it is).
    bb_needs_fetch: Option<(&'static str, &'static str)>,
    /// Browser mode: what each actor's Chromium showed, gathered when the scenario ended.
    browser_evidence: BTreeMap<String, crate::browser::BrowserEvidence>,
}

impl std::fmt::Debug for IdpWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdpWorld")
            .field("key", &self.key)
            .field("orgs", &self.orgs.keys().collect::<Vec<_>>())
            .field("actors", &self.actors.keys().collect::<Vec<_>>())
            .finish()
    }
}

static FALLBACK_KEY: AtomicU64 = AtomicU64::new(1);

impl IdpWorld {
    pub async fn new() -> anyhow::Result<Self> {
        let env = env::current().context("the scenario environment is not started")?;
        let admin = env.target.admin();
        let key = format!("w{}", FALLBACK_KEY.fetch_add(1, Ordering::Relaxed));
        Ok(Self {
            env,
            admin,
            key,
            orgs: BTreeMap::new(),
            actors: BTreeMap::new(),
            last: None,
            last_admin: None,
            log_offset: None,
            sp_log: Vec::new(),
            bb_notes: Vec::new(),
            bb_since: None,
            bb_needs_fetch: None,
            browser_evidence: BTreeMap::new(),
        })
    }

    /// Name this scenario's resources after `scenario` (feature path, name and line), so that
    /// the same scenario gets the same names on every run against a fresh target.
    pub fn name_after(&mut self, scenario: &str) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        scenario.hash(&mut h);
        self.key = format!("{:08x}{}", h.finish() as u32, self.env.run_nonce);
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// Run-specific strings in the evidence and their stable names, for snapshots.
    pub fn substitutions(&self) -> Vec<(String, String)> {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut subs = Vec::new();
        // Ids the IdPs draw from one generator shared by concurrent scenarios.
        for o in self.orgs.values() {
            for app in &o.tenant.saml_apps() {
                subs.push((app.key.clone(), format!("[{}-saml-app-key]", o.name)));
                subs.push((app.id.clone(), format!("[{}-saml-app-id]", o.name)));
            }
            for u in &o.tenant.users() {
                subs.push((
                    u.id.clone(),
                    format!("[{}-user-id:{}]", o.name, u.given_name),
                ));
            }
            for g in &o.tenant.groups() {
                subs.push((g.id.clone(), format!("[{}-group-id:{}]", o.name, g.name)));
            }
        }
        subs.retain(|(from, _)| from.len() >= 6);
        subs.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        subs.extend(vec![
            (enc(&self.env.target.base), "[sp-origin]".to_string()),
            (enc(self.env.idps.base_url()), "[idp-origin]".to_string()),
            (self.key.clone(), "[key]".to_string()),
        ]);
        subs
    }

    /// Move virtual time forward for the target and the IdPs.
    pub async fn advance(&mut self, seconds: i64) -> anyhow::Result<()> {
        let env = self.env.clone();
        env.advance(&mut self.admin, seconds).await
    }

    fn org(&self, name: &str) -> anyhow::Result<&Org> {
        self.orgs.get(name).with_context(|| {
            format!("no organisation {name} in this scenario (a Given is missing)")
        })
    }

    fn org_mut(&mut self, name: &str) -> anyhow::Result<&mut Org> {
        self.orgs.get_mut(name).with_context(|| {
            format!("no organisation {name} in this scenario (a Given is missing)")
        })
    }

    /// The actor called `name`, created on first mention.
    fn actor(&mut self, name: &str) -> anyhow::Result<&mut Actor> {
        if !self.actors.contains_key(name) {
            let lower = name.to_ascii_lowercase();
            let actor = Actor {
                name: name.to_string(),
                agent: match &self.env.black_box {
                    Some(bb) => UserAgent::with_timeout(
                        name,
                        std::time::Duration::from_secs(bb.spec.hop_timeout_secs),
                    )?,
                    None => UserAgent::new(name)?,
                },
                email: format!("{lower}.{}@idpsim.example", self.key),
                username: None,
                password: format!("pw-{lower}-{}", self.key),
                scim_id: None,
                chrome: None,
            };
            self.actors.insert(name.to_string(), actor);
        }
        self.actors
            .get_mut(name)
            .with_context(|| format!("actor {name}"))
    }

    fn known_actor(&self, name: &str) -> anyhow::Result<&Actor> {
        self.actors
            .get(name)
            .with_context(|| format!("{name} has not appeared in this scenario yet"))
    }

    /// The platform username of `name`.
    fn username(&self, name: &str) -> anyhow::Result<String> {
        self.known_actor(name)?.username.clone().with_context(|| {
            format!("{name} has no platform account yet (no sign-in or Given created one)")
        })
    }

    fn last_of(&self, actor: &str) -> anyhow::Result<&Outcome> {
        match &self.last {
            Some(o) if o.actor == actor => Ok(o),
            Some(o) => anyhow::bail!("the last journey was {}'s, not {actor}'s", o.actor),
            None => anyhow::bail!("{actor} has not done anything yet (a When is missing)"),
        }
    }

    /// Everything this scenario saw: each actor's trace, the admin calls, and the target's
    /// final state of every organisation (as its admin API reports it).
    pub async fn evidence(&mut self) -> Evidence {
        let actors = self
            .actors
            .iter()
            .map(|(n, a)| (n.clone(), a.agent.trace().exchanges))
            .collect();
        let mut state = serde_json::Map::new();
        // A black-box SP's state is not readable; its answers are in the actors' traces.
        let slugs: Vec<(String, String)> = if self.env.black_box.is_some() {
            Vec::new()
        } else {
            self.orgs
                .iter()
                .map(|(n, o)| (n.clone(), o.slug.clone()))
                .collect()
        };
        // The final-state reads are not part of the scenario's own calls.
        let mut reader = self.env.target.admin();
        for (name, slug) in slugs {
            let members = reader.members(&slug).await.unwrap_or(Value::Null);
            let groups = reader.resource_groups(&slug).await.unwrap_or(Value::Null);
            let org = reader.org(&slug).await.unwrap_or(Value::Null);
            state.insert(
                name,
                json!({"org": org, "members": members, "resource_groups": groups}),
            );
        }
        Evidence {
            actors,
            target_calls: self.admin.calls().to_vec(),
            final_state: (!state.is_empty()).then_some(Value::Object(state)),
            sp_log: std::mem::take(&mut self.sp_log),
            notes: std::mem::take(&mut self.bb_notes),
            browser: std::mem::take(&mut self.browser_evidence),
        }
    }
}
