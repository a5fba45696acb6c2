//! The RP's back channel: GET a JSON document, POST a form, with every body capped. Only
//! transport lives here; what an answer means is decided by the callers.
//!
//! No per-request timeout is set: the caller's `reqwest::Client` carries its own, and a tokio
//! timer here would fire at once in tests that pause time.

use serde_json::Value;

/// The largest body read from the OP: discovery, JWKS, token and userinfo answers are a few KiB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Why nothing came back: the request failed or the answer is too large.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// reqwest's message with its chain of causes (its top-level one hides the cause).
    #[error("{detail}")]
    Transport { detail: String },
    #[error("the answer is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

/// Why an answer's body is not the JSON object it should be.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("not a JSON object")]
    NotAnObject,
}

/// What came back, before anyone interprets it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as a JSON value, or why it is not one.
    pub fn json(&self) -> Result<Value, BodyError> {
        serde_json::from_slice(&self.body).map_err(BodyError::NotJson)
    }

    /// The body as a JSON object.
    pub fn json_object(&self) -> Result<serde_json::Map<String, Value>, BodyError> {
        match self.json()? {
            Value::Object(m) => Ok(m),
            _ => Err(BodyError::NotAnObject),
        }
    }

    /// The start of the body, for error messages.
    pub fn excerpt(&self) -> String {
        let s = String::from_utf8_lossy(&self.body);
        s.chars().take(200).collect()
    }
}

pub async fn get(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<Answer, FetchError> {
    let mut req = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    read(req.send().await.map_err(describe)?).await
}

pub async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<Answer, FetchError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let req = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body);
    read(req.send().await.map_err(describe)?).await
}

async fn read(mut resp: reqwest::Response) -> Result<Answer, FetchError> {
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(describe)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}

/// reqwest's top-level message hides the cause ("error sending request"); keep the chain.
fn describe(e: reqwest::Error) -> FetchError {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    FetchError::Transport { detail: msg }
}
