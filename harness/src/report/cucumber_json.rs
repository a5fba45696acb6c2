//! The cucumber JSON report format (as cucumber-jvm and the reporting tools read it).

use crate::result::{ScenarioResult, StepStatus, Verdict};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn slug(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

pub fn render(results: &[ScenarioResult]) -> Value {
    let mut by_feature: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for r in results {
        by_feature
            .entry(r.feature_path.as_str())
            .or_default()
            .push(r);
    }
    let features: Vec<Value> = by_feature
        .into_iter()
        .map(|(path, rs)| {
            let feature = rs[0].feature.as_str();
            let elements: Vec<Value> = rs
                .iter()
                .map(|r| {
                    let per_step = r.duration_ms.saturating_mul(1_000_000)
                        / (r.steps.len().max(1) as u64);
                    let steps: Vec<Value> = r
                        .steps
                        .iter()
                        .map(|s| {
                            let status = match (s.status, r.verdict) {
                                (StepStatus::Passed, _) => "passed",
                                (StepStatus::Failed, _) => "failed",
                                (StepStatus::Skipped, _) => "skipped",
                            };
                            let mut result = json!({"status": status, "duration": per_step});
                            if let Some(e) = &s.error {
                                result["error_message"] = json!(e);
                            }
                            json!({"keyword": s.keyword, "name": s.text, "result": result})
                        })
                        .collect();
                    json!({
                        "id": format!("{};{}", slug(feature), slug(&r.scenario)),
                        "keyword": "Scenario",
                        "type": "scenario",
                        "name": r.scenario,
                        "line": r.line,
                        "tags": r.tags.iter().map(|t| json!({"name": format!("@{}", t.trim_start_matches('@'))})).collect::<Vec<_>>(),
                        "steps": steps,
                        "idpsim_verdict": r.verdict,
                        "idpsim_expected_failure": r.verdict == Verdict::ExpectedFailure,
                    })
                })
                .collect();
            json!({
                "uri": path,
                "id": slug(feature),
                "keyword": "Feature",
                "name": feature,
                "elements": elements,
            })
        })
        .collect();
    Value::Array(features)
}
