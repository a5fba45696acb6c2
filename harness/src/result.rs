//! What one scenario run produced: the verdict, the steps, and the evidence. The runner fills
//! these; reports and snapshots are functions of a list of them.

use crate::agent::Exchange;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    Failed,
    /// Failed, and listed as a known deviation in the target's expectations.
    ExpectedFailure,
    /// Listed as a known deviation but passed: the expectation is stale.
    UnexpectedPass,
    Skipped,
    /// The target cannot take part (a capability or step it lacks, e.g. the admin API of a
    /// black-box SP); `reason` says which. Counted, never dropped.
    NotApplicable,
    /// The fault the scenario set up was never used (the SP never asked the IdP for what it
    /// alters): no verdict on the SP, and not a pass.
    NotApplied,
    /// A hop got no answer within its timeout.
    NoAnswer,
}

impl Verdict {
    /// Whether this outcome lets the run exit 0.
    pub fn is_ok(self) -> bool {
        !matches!(
            self,
            Verdict::Failed | Verdict::NotApplied | Verdict::NoAnswer
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub keyword: String,
    pub text: String,
    pub status: StepStatus,
    /// For a failed step: what was expected and what happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything the scenario saw, for the trace and the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Each actor's browser exchanges, by actor name.
    pub actors: BTreeMap<String, Vec<Exchange>>,
    /// Admin-API and SCIM calls the harness made, as (method, url, status, body excerpt).
    pub target_calls: Vec<serde_json::Value>,
    /// The SP's state at the end (members, roles, resource groups), as the admin API reported it.
    pub final_state: Option<serde_json::Value>,
    /// A black-box SP's error-log lines written during the scenario (evidence only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sp_log: Vec<String>,
    /// How the verdict was reached, when not plainly (e.g. accepted, acting only on signed
    /// content).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    /// Browser mode: per actor, the cookies Chromium held at the end and, for a failed
    /// scenario, the screenshot (relative to the report directory).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub browser: BTreeMap<String, crate::browser::BrowserEvidence>,
}

impl Evidence {
    /// The screenshots of a failed scenario, relative to the report directory.
    pub fn screenshots(&self) -> Vec<&str> {
        self.browser
            .values()
            .filter_map(|b| b.screenshot.as_deref())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub feature: String,
    /// Path of the feature file, relative to the features directory.
    pub feature_path: String,
    pub scenario: String,
    pub line: usize,
    pub tags: Vec<String>,
    pub verdict: Verdict,
    /// The deviation's reason, for ExpectedFailure and UnexpectedPass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviation: Option<String>,
    pub steps: Vec<StepResult>,
    /// Why the scenario is not applicable, not applied, or got no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub evidence: Evidence,
}

impl ScenarioResult {
    /// Requirement ids from `@req-<id>` tags.
    pub fn requirements(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter_map(|t| t.trim_start_matches('@').strip_prefix("req-"))
            .map(str::to_string)
            .collect()
    }

    /// The value of the first tag among `options` (e.g. vendor or protocol).
    pub fn tag_among(&self, options: &[&str]) -> Option<String> {
        self.tags
            .iter()
            .map(|t| t.trim_start_matches('@'))
            .find(|t| options.contains(t))
            .map(str::to_string)
    }

    pub fn vendor(&self) -> Option<String> {
        self.tag_among(&["okta", "entra", "google"])
    }

    pub fn protocol(&self) -> Option<String> {
        self.tag_among(&["saml", "oidc", "scim"])
    }

    pub fn failed_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.status == StepStatus::Failed)
    }
}
