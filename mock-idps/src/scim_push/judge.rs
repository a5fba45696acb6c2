//! Reading an answer as the vendor would: whether the push goes on, what it learnt, and what
//! was wrong. Pure: status, content type and body in; a [`Judgement`] out. Nothing a server
//! sends can make this panic; whatever cannot be read becomes a finding.

use super::evidence::FindingKind;
use super::step::{Answer, Step};
use protocols::scim::{ScimError, ERROR_MESSAGE};
use serde_json::{Map, Value};

/// An answer, as far as the judgement needs it.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    /// The body was cut at the client's limit.
    pub truncated: bool,
}

/// Whether the event goes on after this answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on. `id`: the resource id the answer carried (for a lookup, the first match);
    /// `found`: for a lookup, whether it matched anything.
    Continue {
        id: Option<String>,
        found: Option<bool>,
    },
    /// A refusal the vendor reports and stops at.
    Refused {
        status: u16,
        scim_type: Option<String>,
        detail: String,
    },
    /// The vendor cannot go on from this answer.
    Failed { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub findings: Vec<(FindingKind, String)>,
}

fn failed(findings: Vec<(FindingKind, String)>, reason: impl Into<String>) -> Judgement {
    Judgement {
        verdict: Verdict::Failed {
            reason: reason.into(),
        },
        findings,
    }
}

/// The first characters of a body, for details.
fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    format!("{out:?}")
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A media type's essence: `application/scim+json; charset=utf-8` -> `application/scim+json`.
fn essence(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn check_media_type(
    media_types: &[&str],
    r: &Received<'_>,
    findings: &mut Vec<(FindingKind, String)>,
) {
    if is_blank(r.body) {
        return;
    }
    match r.content_type {
        None => findings.push((
            FindingKind::WrongContentType,
            format!(
                "the answer has a body but no Content-Type (expected {})",
                media_types.join(" or ")
            ),
        )),
        Some(ct) => {
            let e = essence(ct);
            if !media_types.iter().any(|m| essence(m) == e) {
                findings.push((
                    FindingKind::WrongContentType,
                    format!("Content-Type {ct:?}, expected {}", media_types.join(" or ")),
                ));
            }
        }
    }
}

fn field_ci<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// What is wrong with the shape of a 2xx answer's body (a finding's text).
#[derive(Debug, thiserror::Error)]
enum ShapeError {
    #[error("{name} is {value}, not a non-negative integer")]
    NegativeCount {
        name: &'static str,
        value: serde_json::Number,
    },
    #[error("{name} is {value}, a {kind}, not an integer")]
    CountNotInteger {
        name: &'static str,
        value: Value,
        kind: &'static str,
    },
    #[error("the answer is a JSON {kind}, not a resource")]
    NotAResource { kind: &'static str },
    #[error("the resource's id is {found}, not a non-empty string")]
    BadId { found: Value },
    #[error("the resource has no id")]
    NoId,
    #[error("the answer is a JSON {kind}, not a ListResponse")]
    NotAListResponse { kind: &'static str },
    #[error("the ListResponse has no totalResults")]
    NoTotalResults,
    #[error("Resources is a {kind}, not a list")]
    ResourcesNotAList { kind: &'static str },
    #[error("totalResults is {total} but the ListResponse carries no Resources")]
    NoResources { total: u64 },
}

/// A count in a ListResponse: a non-negative JSON integer, nothing else.
fn count(m: &Map<String, Value>, name: &'static str) -> Result<Option<u64>, ShapeError> {
    match field_ci(m, name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| ShapeError::NegativeCount {
                name,
                value: n.clone(),
            }),
        Some(other) => Err(ShapeError::CountNotInteger {
            name,
            value: other.clone(),
            kind: type_name(other),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// The `id` of a resource: a non-empty string.
fn resource_id(v: &Value) -> Result<String, ShapeError> {
    let Some(m) = v.as_object() else {
        return Err(ShapeError::NotAResource { kind: type_name(v) });
    };
    match m.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(other) => Err(ShapeError::BadId {
            found: other.clone(),
        }),
        None => Err(ShapeError::NoId),
    }
}

/// Whether the list matched anything, and the first match's id (or why it has none).
type ListRead = (bool, Option<Result<String, ShapeError>>);

fn read_list(v: &Value) -> Result<ListRead, ShapeError> {
    let Some(m) = v.as_object() else {
        return Err(ShapeError::NotAListResponse { kind: type_name(v) });
    };
    let total = count(m, "totalResults")?.ok_or(ShapeError::NoTotalResults)?;
    count(m, "itemsPerPage")?;
    count(m, "startIndex")?;
    let resources = match field_ci(m, "Resources") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(other) => {
            return Err(ShapeError::ResourcesNotAList {
                kind: type_name(other),
            })
        }
    };
    if total > 0 && resources.is_empty() {
        return Err(ShapeError::NoResources { total });
    }
    Ok((!resources.is_empty(), resources.first().map(resource_id)))
}

/// Judge `r`, the answer to `step`. `media_types`: what the dialect accepts on bodies.
pub fn judge(step: &Step, media_types: &[&str], r: &Received<'_>) -> Judgement {
    let mut findings = Vec::new();
    if r.truncated {
        findings.push((
            FindingKind::BodyTooLarge,
            format!(
                "the answer's body exceeds {} bytes",
                super::evidence::MAX_BODY
            ),
        ));
        return failed(findings, "the answer is too large to read");
    }
    match r.status {
        200..=299 => {}
        300..=399 => {
            findings.push((
                FindingKind::Redirect,
                format!("a {} redirect; push clients do not follow them", r.status),
            ));
            return failed(findings, format!("redirected with {}", r.status));
        }
        400..=499 => {
            if r.status == 404 && step.is_lookup() && step.absent_on_404 {
                return Judgement {
                    verdict: Verdict::Continue {
                        id: None,
                        found: Some(false),
                    },
                    findings,
                };
            }
            return refused(media_types, r, findings);
        }
        500..=599 => {
            findings.push((
                FindingKind::ServerError,
                format!("the server answered {}: {}", r.status, snippet(r.body)),
            ));
            return failed(findings, format!("server error {}", r.status));
        }
        other => {
            findings.push((
                FindingKind::UnexpectedStatus,
                format!("status {other} is not a final answer a SCIM server gives"),
            ));
            return failed(findings, format!("status {other}"));
        }
    }
    if !step.expect.contains(&r.status) {
        findings.push((
            FindingKind::UnexpectedStatus,
            format!(
                "{} answered {}, the vendor expects {}",
                step.method.as_str(),
                r.status,
                step.expect
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ));
    }
    check_media_type(media_types, r, &mut findings);
    let blank = is_blank(r.body);
    let done = |id: Option<String>, found: Option<bool>, findings| Judgement {
        verdict: Verdict::Continue { id, found },
        findings,
    };
    match step.answer {
        Answer::Nothing => done(None, None, findings),
        Answer::ResourceOrEmpty if blank => done(None, None, findings),
        Answer::Resource | Answer::ResourceOrEmpty | Answer::List if blank => {
            findings.push((
                FindingKind::EmptyBody,
                format!(
                    "a {} without a body: the vendor needs the {}",
                    r.status,
                    if step.answer == Answer::List {
                        "ListResponse"
                    } else {
                        "resource and its id"
                    }
                ),
            ));
            failed(findings, "empty answer")
        }
        Answer::Resource | Answer::ResourceOrEmpty | Answer::List => {
            let v: Value = match serde_json::from_slice(r.body) {
                Ok(v) => v,
                Err(e) => {
                    findings.push((
                        FindingKind::NotJson,
                        format!("the body is not JSON ({e}): {}", snippet(r.body)),
                    ));
                    return failed(findings, "the answer is not JSON");
                }
            };
            if step.answer == Answer::List {
                match read_list(&v) {
                    Err(e) => {
                        findings.push((FindingKind::BadListResponse, e.to_string()));
                        failed(findings, "unreadable ListResponse")
                    }
                    Ok((found, None)) => done(None, Some(found), findings),
                    Ok((found, Some(Ok(id)))) => done(Some(id), Some(found), findings),
                    Ok((_, Some(Err(e)))) => {
                        findings.push((FindingKind::MissingId, e.to_string()));
                        failed(findings, "a match without an id")
                    }
                }
            } else {
                match resource_id(&v) {
                    Ok(id) => done(Some(id), None, findings),
                    Err(e) => {
                        findings.push((FindingKind::MissingId, e.to_string()));
                        failed(findings, "a resource without an id")
                    }
                }
            }
        }
    }
}

/// A 4xx: the server's refusal, read as a SCIM Error when it is one.
fn refused(
    media_types: &[&str],
    r: &Received<'_>,
    mut findings: Vec<(FindingKind, String)>,
) -> Judgement {
    let body: Option<Value> = serde_json::from_slice(r.body).ok();
    let is_scim_error = body.as_ref().and_then(Value::as_object).is_some_and(|m| {
        field_ci(m, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(ERROR_MESSAGE))
                })
            })
    });
    let verdict = if let (true, Some(v)) = (is_scim_error, &body) {
        check_media_type(media_types, r, &mut findings);
        let e = ScimError::from_body(r.status, v);
        Verdict::Refused {
            status: r.status,
            scim_type: e.scim_type().map(|t| t.as_str().to_string()),
            detail: e.detail(),
        }
    } else {
        findings.push((
            FindingKind::NotScimError,
            format!(
                "a {} whose body is not a SCIM Error: {}",
                r.status,
                snippet(r.body)
            ),
        ));
        Verdict::Refused {
            status: r.status,
            scim_type: None,
            detail: String::from_utf8_lossy(r.body).chars().take(200).collect(),
        }
    };
    Judgement { verdict, findings }
}
