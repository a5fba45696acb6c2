//! Browser mode in the World: the sign-in journeys go through the actor's Chromium when the run
//! has one (docs/browser.md), everything else through their HTTP agent, with the cookies shared.

use super::black_box::NO_ANSWER;
use super::{agent_error, IdpWorld};
use crate::agent::Journey;
use crate::browser::{self, BrowserError, BrowserEvidence, ChromeSession};
use std::time::Duration;

/// How long one Chromium navigation (a whole redirect chain) may take against the embedded SP.
const EMBEDDED_NAVIGATION: Duration = Duration::from_secs(30);

/// A browser error, with a navigation that got no answer named as "no answer".
fn browser_error(e: BrowserError) -> anyhow::Error {
    if e.is_no_answer() {
        return anyhow::anyhow!("{NO_ANSWER}{e}");
    }
    anyhow::Error::new(e)
}

impl IdpWorld {
    /// Whether the journeys run in Chromium.
    pub fn browser_mode(&self) -> bool {
        self.env.browser.is_some()
    }

    fn navigation_timeout(&self) -> Duration {
        match &self.env.black_box {
            // A navigation is several hops; each may take the profile's hop timeout.
            Some(bb) => Duration::from_secs(bb.spec.hop_timeout_secs.saturating_mul(3)),
            None => EMBEDDED_NAVIGATION,
        }
    }

    /// `actor`'s Chromium, opened on first use; `fresh`: a new one (an empty cookie jar).
    async fn chrome(&mut self, actor: &str, fresh: bool) -> anyhow::Result<ChromeSession> {
        let Some(chromium) = self.env.browser.clone() else {
            anyhow::bail!("not in browser mode");
        };
        let timeout = self.navigation_timeout();
        let a = self.actor(actor)?;
        if fresh {
            if let Some(old) = a.chrome.take() {
                old.close().await;
            }
        }
        if let Some(c) = &a.chrome {
            return Ok(c.clone());
        }
        let c = chromium.session(timeout).await.map_err(browser_error)?;
        self.actor(actor)?.chrome = Some(c.clone());
        Ok(c)
    }

    /// Go from `url` where a browser would, as `actor`: in Chromium in browser mode, else with
    /// the HTTP agent. `guard`: visit the IdP at most that many times (black-box journeys).
    pub(super) async fn browse_as(
        &mut self,
        actor: &str,
        url: &str,
        guard: Option<usize>,
        fresh: bool,
    ) -> anyhow::Result<Journey> {
        let idp = self.env.idps.base_url().to_string();
        if fresh {
            let agent = self
                .known_actor(actor)?
                .agent
                .fresh_session()
                .map_err(agent_error)?;
            self.actor(actor)?.agent = agent;
        }
        let agent = self.known_actor(actor)?.agent.clone();
        if !self.browser_mode() {
            return match guard {
                Some(max) => agent
                    .browse_guarded(url, Some(&idp), max)
                    .await
                    .map_err(agent_error),
                None => Ok(agent.browse(url).await?),
            };
        }
        let chrome = self.chrome(actor, fresh).await?;
        let origins = [self.env.target.base.clone(), idp.clone()];
        let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
        let (guard_idp, max) = match guard {
            Some(max) => (Some(idp.as_str()), max),
            None => (None, usize::MAX),
        };
        chrome
            .browse(&agent, url, guard_idp, max, &origins)
            .await
            .map_err(browser_error)
    }

    /// After a scenario in browser mode: each actor's cookies into the evidence, a screenshot
    /// of each actor's page when the scenario `failed`, and the browsers closed.
    pub async fn finish_browsers(&mut self, scenario: &str, failed: bool) {
        let Some(chromium) = self.env.browser.clone() else {
            return;
        };
        let dir = chromium.screenshot_dir();
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let Some(chrome) = self.actors.get_mut(&name).and_then(|a| a.chrome.take()) else {
                continue;
            };
            let mut ev = BrowserEvidence {
                cookies: chrome.cookies_seen().await.unwrap_or_default(),
                screenshot: None,
            };
            if let (true, Some(dir)) = (failed, &dir) {
                let file = browser::screenshot_name(scenario, &name);
                match chrome.screenshot().await {
                    Ok(png) => match browser::save_screenshot(dir, &file, &png) {
                        Ok(rel) => ev.screenshot = Some(rel),
                        Err(e) => self.bb_notes.push(format!("screenshot of {name}: {e}")),
                    },
                    Err(e) => self.bb_notes.push(format!("screenshot of {name}: {e}")),
                }
            }
            chrome.close().await;
            self.browser_evidence.insert(name, ev);
        }
    }
}
