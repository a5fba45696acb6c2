//! The executor: sends a plan's requests to a SCIM server with reqwest, one at a time, feeds
//! each answer back (ids learnt, lookups found or not) and records everything as evidence.

use super::dialect::{DialectId, LookupAttribute, ScimDialect};
use super::event::ScimEvent;
use super::evidence::{
    EventStatus, Exchange, Finding, FindingKind, PushOutcome, RecordedRequest, RecordedResponse,
    MAX_BODY,
};
use super::judge::{judge, Judgement, Received, Verdict};
use super::knowledge::Knowledge;
use super::plan::plan;
use super::request::{render, BearerToken, Prepared, WireHeaders};
use super::step::{Guard, Method, Step};
use protocols::{RandomIds, SharedIdGen};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A vendor's SCIM push client, pointed at one SCIM base URL.
#[derive(Debug)]
pub struct ScimPushClient {
    dialect: ScimDialect,
    base_url: String,
    token: BearerToken,
    wire: WireHeaders,
    timeout: Duration,
    ids: SharedIdGen,
    known: Knowledge,
    seq: u64,
    http: Option<reqwest::Client>,
}

impl ScimPushClient {
    /// A client of `dialect` for the SCIM server at `base_url` (e.g.
    /// `https://sp.example/scim/v2/organizations/acme`), with the dialect's headers and timeout.
    pub fn new(dialect: DialectId, base_url: impl Into<String>, token: impl Into<String>) -> Self {
        let d = dialect.dialect();
        ScimPushClient {
            dialect: d.clone(),
            base_url: base_url.into(),
            token: BearerToken::new(token),
            wire: WireHeaders::of(d),
            timeout: Duration::from_secs(d.timeout_secs),
            ids: Arc::new(RandomIds),
            known: Knowledge::default(),
            seq: 0,
            http: None,
        }
    }

    /// Per-request timeout (the dialect's: 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.http = None;
        self
    }

    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.wire.user_agent = user_agent.into();
        self
    }

    /// Replace the User-Agent, Accept and Content-Type headers.
    pub fn with_headers(mut self, wire: WireHeaders) -> Self {
        self.wire = wire;
        self
    }

    /// Where passwords and probe values come from (seeded in tests).
    pub fn with_ids(mut self, ids: SharedIdGen) -> Self {
        self.ids = ids;
        self
    }

    /// Start from what an earlier client learnt.
    pub fn with_knowledge(mut self, known: Knowledge) -> Self {
        self.known = known;
        self
    }

    pub fn dialect(&self) -> &ScimDialect {
        &self.dialect
    }

    /// Look users up by another attribute than the dialect's (Entra's default is `userName`,
    /// S6; an app whose matching attribute is `externalId` mapped to objectId, like the one
    /// idpsim modelled before issue 11, looks up by `externalId`).
    pub fn with_user_lookup(mut self, attribute: LookupAttribute) -> Self {
        self.dialect.user_lookup.attribute = attribute;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn headers(&self) -> &WireHeaders {
        &self.wire
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The ids learnt so far.
    pub fn knowledge(&self) -> &Knowledge {
        &self.known
    }

    /// The ids learnt, keeping them after the client is done.
    pub fn into_knowledge(self) -> Knowledge {
        self.known
    }

    /// The plan for `event` as it stands, rendered: what [`Self::push`] would send if every
    /// lookup found nothing. For tests and dry runs.
    pub fn plan(&self, event: &ScimEvent) -> Result<Vec<Step>, super::plan::PlanError> {
        plan(&self.dialect, &self.known, event, self.ids.as_ref())
    }

    fn http(&mut self) -> Result<reqwest::Client, HttpClientError> {
        if let Some(c) = &self.http {
            return Ok(c.clone());
        }
        let c = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(HttpClientError)?;
        self.http = Some(c.clone());
        Ok(c)
    }

    /// Push every event in order; a failed event does not stop the ones after it.
    pub async fn push_all(&mut self, events: &[ScimEvent]) -> Vec<PushOutcome> {
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            out.push(self.push(e).await);
        }
        out
    }

    /// Send the requests `event` makes, in order, stopping at the first answer the vendor
    /// would not go on from. Never panics on what the server sends.
    pub async fn push(&mut self, event: &ScimEvent) -> PushOutcome {
        let label = event.label();
        let mut out = PushOutcome::new(label.clone());
        let steps = match plan(&self.dialect, &self.known, event, self.ids.as_ref()) {
            Ok(s) => s,
            Err(e) => {
                out.status = EventStatus::Skipped {
                    reason: e.to_string(),
                };
                return out;
            }
        };
        let http = match self.http() {
            Ok(c) => c,
            Err(e) => {
                out.status = EventStatus::Failed {
                    reason: e.to_string(),
                };
                return out;
            }
        };
        let mut found: Option<bool> = None;
        for step in &steps {
            let skip = match step.guard {
                Guard::Always => false,
                Guard::IfFound => found != Some(true),
                Guard::IfAbsent => found == Some(true),
            };
            if skip {
                continue;
            }
            let prepared = match render(step, &self.base_url, &self.wire, &self.token, &self.known)
            {
                Ok(p) => p,
                Err(e) => {
                    out.status = EventStatus::Failed {
                        reason: e.to_string(),
                    };
                    break;
                }
            };
            self.seq += 1;
            let (exchange, judgement) = self
                .exchange(&http, &label, step, &prepared, self.seq)
                .await;
            for (kind, detail) in judgement.findings {
                out.findings.push(Finding {
                    event: label.clone(),
                    seq: exchange.seq,
                    kind,
                    detail,
                    request: exchange.request.clone(),
                    response: exchange.response.clone(),
                });
            }
            out.exchanges.push(exchange);
            match judgement.verdict {
                Verdict::Continue { id, found: f } => {
                    if step.is_lookup() {
                        found = f;
                        if f != Some(true) {
                            continue;
                        }
                    }
                    self.known.learn(&step.learn, id.as_deref());
                }
                Verdict::Refused {
                    status,
                    scim_type,
                    detail,
                } => {
                    out.status = EventStatus::Refused {
                        status,
                        scim_type,
                        detail,
                    };
                    break;
                }
                Verdict::Failed { reason } => {
                    out.status = EventStatus::Failed {
                        reason: format!("{} ({}): {reason}", step.purpose, step.method.as_str()),
                    };
                    break;
                }
            }
        }
        out
    }

    /// Send one request and judge its answer.
    async fn exchange(
        &self,
        http: &reqwest::Client,
        event: &str,
        step: &Step,
        p: &Prepared,
        seq: u64,
    ) -> (Exchange, Judgement) {
        let request = RecordedRequest {
            method: p.method.as_str().to_string(),
            url: p.url.clone(),
            headers: p.recorded_headers(),
            body: p.body.clone(),
        };
        let started = Instant::now();
        let sent = send(http, p).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut exchange = Exchange {
            seq,
            event: event.to_string(),
            purpose: step.purpose.to_string(),
            request,
            response: None,
            error: None,
            duration_ms,
        };
        let judgement = match sent {
            Err((kind, message)) => {
                exchange.error = Some(message.clone());
                Judgement {
                    verdict: Verdict::Failed {
                        reason: message.clone(),
                    },
                    findings: vec![(kind, message)],
                }
            }
            Ok(Raw {
                status,
                headers,
                body,
                truncated,
                broken,
            }) => {
                let content_type = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.clone());
                exchange.response = Some(RecordedResponse {
                    status,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    truncated,
                });
                match broken {
                    Some((kind, message)) => {
                        exchange.error = Some(message.clone());
                        Judgement {
                            verdict: Verdict::Failed {
                                reason: message.clone(),
                            },
                            findings: vec![(kind, message)],
                        }
                    }
                    None => judge(
                        step,
                        self.dialect.response_media_types,
                        &Received {
                            status,
                            content_type: content_type.as_deref(),
                            body: &body,
                            truncated,
                        },
                    ),
                }
            }
        };
        (exchange, judgement)
    }
}

/// An answer as read off the socket.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    truncated: bool,
    /// The body broke off (timeout or transport) after the status line.
    broken: Option<(FindingKind, String)>,
}

fn classify(e: &reqwest::Error, timeout_hint: &str) -> (FindingKind, String) {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        (FindingKind::Timeout, format!("{timeout_hint}: {msg}"))
    } else {
        (FindingKind::Transport, msg)
    }
}

async fn send(http: &reqwest::Client, p: &Prepared) -> Result<Raw, (FindingKind, String)> {
    let method = match p.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    };
    let mut req = http
        .request(method, &p.url)
        .bearer_auth(p.authorization.secret());
    for (k, v) in &p.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    if let Some(b) = &p.body {
        req = req.body(b.clone());
    }
    let mut resp = req
        .send()
        .await
        .map_err(|e| classify(&e, "no answer within the client's timeout"))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let mut truncated = false;
    let mut broken = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                broken = Some(classify(
                    &e,
                    "the body did not finish within the client's timeout",
                ));
                break;
            }
        }
    }
    Ok(Raw {
        status,
        headers,
        body,
        truncated,
        broken,
    })
}

/// The push client's HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
struct HttpClientError(#[source] reqwest::Error);
