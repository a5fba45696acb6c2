//! One planned request, as the planner emits it and the client, the renderer and the judge read
//! it: method, target (resolved just before sending), query and body, the answers it expects,
//! what it teaches the client, and the guard that decides whether it is sent at all.

use super::knowledge::Learn;
use serde::Serialize;
use serde_json::Value;

/// HTTP methods a push client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The resource a request addresses; single resources by IdP id, resolved at send time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "idp_id", rename_all = "snake_case")]
pub enum Target {
    Users,
    User(String),
    Groups,
    Group(String),
}

/// What the answer must carry for the step to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// A resource with an id (POST, PUT, GET of one resource).
    Resource,
    /// A resource, or no body at all (user PATCH: 200 with the user or 204).
    ResourceOrEmpty,
    /// A ListResponse (lookups).
    List,
    /// Whatever body; only the status counts (DELETE, group PATCH).
    Nothing,
}

/// Whether a step runs, after the plan's lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    Always,
    /// Only when the lookup found the resource.
    IfFound,
    /// Only when the lookup found nothing.
    IfAbsent,
}

/// One request of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What the vendor does with this request, for evidence.
    pub purpose: &'static str,
    pub method: Method,
    pub target: Target,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Put the resolved resource id into the body as `id` (Okta's PUT after a lookup).
    pub body_id: bool,
    /// Statuses taken as success.
    pub expect: &'static [u16],
    pub answer: Answer,
    /// A 404 to this lookup means "absent" rather than an error (Okta).
    pub absent_on_404: bool,
    pub guard: Guard,
    pub learn: Learn,
}

impl Step {
    pub(super) fn new(purpose: &'static str, method: Method, target: Target) -> Step {
        Step {
            purpose,
            method,
            target,
            query: Vec::new(),
            body: None,
            body_id: false,
            expect: &[200],
            answer: Answer::Nothing,
            absent_on_404: false,
            guard: Guard::Always,
            learn: Learn::Nothing,
        }
    }

    pub(super) fn body(mut self, body: Value) -> Step {
        self.body = Some(body);
        self
    }

    pub(super) fn expect(mut self, expect: &'static [u16], answer: Answer) -> Step {
        self.expect = expect;
        self.answer = answer;
        self
    }

    pub(super) fn learn(mut self, learn: Learn) -> Step {
        self.learn = learn;
        self
    }

    pub(super) fn guard(mut self, guard: Guard) -> Step {
        self.guard = guard;
        self
    }

    /// Whether this step is a lookup (its answer decides the guards after it).
    pub fn is_lookup(&self) -> bool {
        self.answer == Answer::List
    }
}
