//! One virtual user's round trip: the SP's sign-in link, the IdP, the SP's acceptance, then
//! the protected page, each hop timed. The way through is the browser's ([`UserAgent`]):
//! follow redirects, submit auto-submitting forms.

use super::stats::{ErrorKind, Failure, Hop, Timings};
use crate::agent::{redirect_target, AgentError, Page, UserAgent, MAX_HOPS};
use reqwest::Method;
use std::time::Instant;
use url::Url;

/// Where one kind of login starts and how it is checked.
#[derive(Debug, Clone)]
pub struct Route {
    /// e.g. `okta/saml`.
    pub label: String,
    pub start_url: String,
    pub probe_url: String,
    /// URLs under this prefix are the IdP's.
    pub idp_base: String,
    /// The IdP users this route signs in, by index.
    pub users: Vec<String>,
    /// The organisation at an SP with an admin API (for the checks afterwards).
    pub org_slug: Option<String>,
}

fn failure(kind: ErrorKind, status: Option<u16>, hop: Hop, detail: impl Into<String>) -> Failure {
    Failure {
        kind,
        status,
        hop,
        detail: detail.into(),
    }
}

fn agent_failure(e: &AgentError, hop: Hop) -> Failure {
    let kind = match e {
        AgentError::Http { source, .. } if source.is_timeout() => ErrorKind::Timeout,
        AgentError::Http { .. } => ErrorKind::Connection,
        AgentError::BadLocation { .. } | AgentError::TooManyHops { .. } | AgentError::BadUrl(_) => {
            ErrorKind::Protocol
        }
    };
    failure(kind, None, hop, e.to_string())
}

/// A non-redirect answer that ends the journey badly.
fn status_failure(page: &Page, hop: Hop) -> Option<Failure> {
    let code = page.status.as_u16();
    let kind = if page.status.is_server_error() {
        ErrorKind::ServerError
    } else if page.status.is_client_error() {
        ErrorKind::Refused
    } else {
        return None;
    };
    let excerpt: String = page.body.chars().take(160).collect();
    Some(failure(
        kind,
        Some(code),
        hop,
        format!("{code} at {}: {}", page.url, excerpt.trim()),
    ))
}

/// `url` with `login_hint` added: the user names themselves at the IdP, as they would type it
/// at its login page (the mock IdPs have none).
fn with_hint(mut url: Url, user: &str) -> Url {
    if !url.query_pairs().any(|(k, _)| k == "login_hint") {
        url.query_pairs_mut().append_pair("login_hint", user);
    }
    url
}

/// One login of `user` on `route` in a fresh browser session of `agent`.
pub async fn login(agent: &UserAgent, route: &Route, user: &str) -> Result<Timings, Failure> {
    let mut t = Timings::default();
    let begun = Instant::now();
    let at_idp = |u: &Url| u.as_str().starts_with(&route.idp_base);
    let timed = |t: &mut Timings, hop: Hop, since: Instant| t.add(hop, since.elapsed());

    let mut hop = Hop::SpStart;
    let since = Instant::now();
    let mut page = agent
        .get(&route.start_url)
        .await
        .map_err(|e| agent_failure(&e, hop))?;
    timed(&mut t, hop, since);
    let mut idp_visits = 0;
    let mut steps = 0;
    loop {
        if let Some(f) = status_failure(&page, hop) {
            return Err(f);
        }
        let redirect = redirect_target(&page).map_err(|e| agent_failure(&e, hop))?;
        let (next, form) = match redirect {
            Some(u) => (u, None),
            None => match page.auto_submit_form() {
                Some(f) => (f.action.clone(), Some(f)),
                None => break,
            },
        };
        steps += 1;
        if steps > MAX_HOPS {
            return Err(failure(
                ErrorKind::Protocol,
                None,
                hop,
                format!("more than {MAX_HOPS} hops from {}", route.start_url),
            ));
        }
        hop = if at_idp(&next) {
            idp_visits += 1;
            if idp_visits > 1 {
                return Err(failure(
                    ErrorKind::Protocol,
                    None,
                    hop,
                    format!("the SP sent the browser back to the IdP ({next})"),
                ));
            }
            Hop::Idp
        } else if idp_visits == 0 {
            Hop::SpStart
        } else {
            Hop::SpAccept
        };
        let since = Instant::now();
        let answer = match (form, hop) {
            (Some(mut f), Hop::Idp) => {
                f.action = with_hint(f.action.clone(), user);
                agent.submit(&f).await
            }
            (Some(f), _) => agent.submit(&f).await,
            (None, Hop::Idp) => agent.get(with_hint(next, user).as_str()).await,
            (None, _) => agent.get(next.as_str()).await,
        };
        page = answer.map_err(|e| agent_failure(&e, hop))?;
        timed(&mut t, hop, since);
    }
    if idp_visits == 0 {
        return Err(failure(
            ErrorKind::Protocol,
            None,
            hop,
            format!(
                "the sign-in link ended at {} ({}) without visiting the IdP",
                page.url, page.status
            ),
        ));
    }
    let since = Instant::now();
    let probe = agent
        .request(
            Method::GET,
            &route.probe_url,
            None,
            reqwest::header::HeaderMap::new(),
        )
        .await
        .map_err(|e| agent_failure(&e, Hop::Probe))?;
    timed(&mut t, Hop::Probe, since);
    if let Some(f) = status_failure(&probe, Hop::Probe) {
        return Err(f);
    }
    if !probe.status.is_success() {
        return Err(failure(
            ErrorKind::Protocol,
            Some(probe.status.as_u16()),
            Hop::Probe,
            format!("the protected page answered {}", probe.status),
        ));
    }
    t.total = begun.elapsed();
    Ok(t)
}
