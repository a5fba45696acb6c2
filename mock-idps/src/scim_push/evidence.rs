//! Evidence: every request and answer of a push, and what was wrong with the answers.

use serde::{Deserialize, Serialize};

/// A request as sent (the bearer token redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// An answer as received. Bodies are kept up to [`MAX_BODY`] bytes, as (lossy) UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was longer than [`MAX_BODY`] and was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// The most of an answer's body the client reads.
pub const MAX_BODY: usize = 4 << 20;

impl RecordedResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// One request and its answer (or why there was none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Position in the client's whole run, from 1.
    pub seq: u64,
    /// The event's label (`assign 00u...`).
    pub event: String,
    /// What the vendor does with the request (`look the user up`).
    pub purpose: String,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    /// Transport failure or timeout, when there is no complete answer.
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// What was wrong with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// No connection, or it broke.
    Transport,
    /// No complete answer within the client's timeout.
    Timeout,
    /// A 3xx: push clients do not follow redirects with a bearer token.
    Redirect,
    /// A 5xx.
    ServerError,
    /// A status the vendor does not expect for this request.
    UnexpectedStatus,
    /// A body that is not JSON where JSON is needed.
    NotJson,
    /// No body where the vendor needs one (a 201 without the created resource).
    EmptyBody,
    /// A resource without an `id`.
    MissingId,
    /// A ListResponse the vendor cannot read (string counts, Resources not a list...).
    BadListResponse,
    /// A 4xx whose body is not a SCIM Error.
    NotScimError,
    /// A body with a media type the vendor does not accept.
    WrongContentType,
    /// An answer larger than the client reads.
    BodyTooLarge,
}

/// A finding, with the request and answer that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub event: String,
    /// The exchange's `seq`.
    pub seq: u64,
    pub kind: FindingKind,
    pub detail: String,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
}

/// How an event ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EventStatus {
    /// Every request got an answer the vendor takes as success.
    Done,
    /// The server refused a request with a SCIM Error (or another 4xx): the event stopped
    /// there. A refusal is the server's right, not a finding by itself.
    Refused {
        status: u16,
        scim_type: Option<String>,
        detail: String,
    },
    /// An answer the vendor cannot go on from (see the findings): the event stopped there.
    Failed { reason: String },
    /// Nothing was sent: the event cannot be planned (a user the client never provisioned).
    Skipped { reason: String },
}

/// The result of pushing one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOutcome {
    pub event: String,
    #[serde(flatten)]
    pub status: EventStatus,
    pub exchanges: Vec<Exchange>,
    pub findings: Vec<Finding>,
}

impl PushOutcome {
    pub fn new(event: impl Into<String>) -> Self {
        PushOutcome {
            event: event.into(),
            status: EventStatus::Done,
            exchanges: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Done, and nothing to report.
    pub fn is_clean(&self) -> bool {
        self.status == EventStatus::Done && self.findings.is_empty()
    }

    /// `METHOD path?query` of each exchange, below `base_url`: the sequence at a glance.
    pub fn requests(&self, base_url: &str) -> Vec<String> {
        let base = base_url
            .split('?')
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        self.exchanges
            .iter()
            .map(|e| {
                let path = e.request.url.strip_prefix(base).unwrap_or(&e.request.url);
                format!("{} {path}", e.request.method)
            })
            .collect()
    }
}
