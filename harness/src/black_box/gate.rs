//! The honest baseline login of each vendor x protocol a black-box profile enables. It runs
//! before the catalogue, as a gate: a catalogue row means nothing for an SP that refuses honest
//! logins. When it fails, it says which hop went wrong and what to check.

use super::Login;
use crate::agent::{AgentError, Journey, Page, UserAgent};
use crate::result::{Evidence, ScenarioResult, StepResult, StepStatus, Verdict};
use crate::world::Env;
use mock_idps::NextLogin;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The feature path baseline results are reported under.
pub const BASELINE_PATH: &str = "black-box/baseline";

fn describe(p: &Page) -> String {
    let loc = p
        .header("location")
        .map(|l| format!(" -> {l}"))
        .unwrap_or_default();
    let text = p
        .text_of("error")
        .unwrap_or_else(|| p.body.chars().take(240).collect());
    format!(
        "{} {}{loc} {}",
        p.status.as_u16(),
        p.url,
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// What went wrong, and whether it was silence (no answer) rather than a refusal.
struct GateError {
    message: String,
    no_answer: bool,
}

fn agent_failure(e: AgentError, hop: &str) -> GateError {
    let no_answer = e.is_no_answer();
    let what = if no_answer {
        "no answer (unreachable, or slower than black_box.hop_timeout_secs)"
    } else {
        "the request failed"
    };
    GateError {
        message: format!("{hop}: {what}: {e}"),
        no_answer,
    }
}

/// Run the honest login of `login`, as `user`, and judge it.
pub async fn baseline(
    env: &Env,
    login: &Login,
    user: &str,
    hop_timeout: Duration,
) -> ScenarioResult {
    let started = Instant::now();
    let idp = env.idps.base_url().to_string();
    let agent = UserAgent::with_timeout("Baseline", hop_timeout);
    let outcome = match agent {
        Ok(agent) => {
            let r = judge(env, login, user, &agent, &idp).await;
            (r, agent.trace().exchanges)
        }
        Err(e) => (Err(agent_failure(e, "starting the browser")), Vec::new()),
    };
    // A fault must never outlive its scenario; the baseline sets none, but clear the user too.
    login.tenant.clear_next_login();
    let (result, exchanges) = outcome;
    let (verdict, error, reason) = match result {
        Ok(()) => (Verdict::Passed, None, None),
        Err(g) => {
            let v = if g.no_answer {
                Verdict::NoAnswer
            } else {
                Verdict::Failed
            };
            (v, Some(g.message.clone()), Some(g.message))
        }
    };
    ScenarioResult {
        feature: "Black-box baseline: honest logins".into(),
        feature_path: BASELINE_PATH.into(),
        scenario: format!("An honest login is accepted ({})", login.label()),
        line: 0,
        tags: vec![
            "@baseline".into(),
            format!("@{}", login.vendor.as_str()),
            format!("@{}", login.protocol.as_str()),
        ],
        verdict,
        deviation: None,
        steps: vec![StepResult {
            keyword: "Then".into(),
            text: format!(
                "an honest {} login at {} ends with a session",
                login.label(),
                login.login_url
            ),
            status: if verdict == Verdict::Passed {
                StepStatus::Passed
            } else {
                StepStatus::Failed
            },
            error,
        }],
        reason,
        duration_ms: started.elapsed().as_millis() as u64,
        evidence: Evidence {
            actors: BTreeMap::from([("Baseline".to_string(), exchanges)]),
            ..Evidence::default()
        },
    }
}

async fn judge(
    env: &Env,
    login: &Login,
    user: &str,
    agent: &UserAgent,
    idp: &str,
) -> Result<(), GateError> {
    login.tenant.set_next_login(NextLogin {
        user: Some(user.to_string()),
        ..NextLogin::default()
    });
    let journey: Journey = agent
        .browse_guarded(&login.login_url, Some(idp), 1)
        .await
        .map_err(|e| agent_failure(e, &format!("GET {} (the login URL)", login.login_url)))?;
    let exchanges = agent.trace().exchanges;
    let at_idp = exchanges.iter().position(|e| e.url.starts_with(idp));
    let Some(first_idp) = at_idp else {
        let first = exchanges
            .first()
            .map(|e| format!("{} {}", e.status, e.url))
            .unwrap_or_default();
        return Err(GateError {
            message: format!(
                "the login URL {} did not send the browser to the IdP at {idp} (first answer: \
                 {first}; ended at {}). Check login_url, and that the SP is configured with \
                 the IdP values of the profile",
                login.login_url,
                describe(&journey.page)
            ),
            no_answer: false,
        });
    };
    // The IdP's own refusal: its error page, on the hop that reached it.
    if let Some(e) = exchanges[first_idp..]
        .iter()
        .take_while(|e| e.url.starts_with(idp))
        .find(|e| e.status >= 400)
    {
        let expect = match (&login.sp_entity_id, &login.acs_url, &login.redirect_uri) {
            (Some(id), acs, _) => format!(
                "the SP's entity id {id:?} and ACS URL {:?}",
                acs.clone().unwrap_or_default()
            ),
            (None, _, Some(r)) => format!(
                "client id {:?} and redirect URI {r:?}",
                login.client_id.clone().unwrap_or_default()
            ),
            _ => "the values in the IdP config".into(),
        };
        return Err(GateError {
            message: format!(
                "the IdP refused the SP's request at {} ({}): the SP is configured with IdP \
                 values that do not match the tenant's registration; the tenant expects {expect}",
                e.url, e.status
            ),
            no_answer: false,
        });
    }
    if let Some(why) = &journey.stopped {
        return Err(GateError {
            message: format!(
                "the SP did not accept the honest response: {why}; last answer {}",
                describe(&journey.page)
            ),
            no_answer: false,
        });
    }
    let bb = env.black_box.as_ref().ok_or_else(|| GateError {
        message: "not a black-box run".into(),
        no_answer: false,
    })?;
    let probe = agent
        .get(&login.probe_url)
        .await
        .map_err(|e| agent_failure(e, &format!("GET {} (the probe)", login.probe_url)))?;
    bb.spec.accept.check(&probe).map_err(|why| GateError {
        message: format!(
            "the SP did not accept an honest {} response: {why}. The login ended at {}. Check \
             the IdP's entity id / issuer, certificate and URLs the SP is configured with, and \
             the accept rule",
            login.label(),
            describe(&journey.page)
        ),
        no_answer: false,
    })
}
