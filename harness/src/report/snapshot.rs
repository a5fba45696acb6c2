//! Snapshots of normalised evidence, kept with insta as committed baselines under
//! reports/snapshots/<target>/. A change in the target's behaviour shows as a snapshot diff;
//! `--update-snapshots` accepts it.

use super::normalize::{normalize, Context};
use crate::result::ScenarioResult;
use std::path::Path;

/// A scenario whose evidence no longer matches its baseline (or has none yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub scenario: String,
    pub message: String,
    /// The baseline's snapshot body, when there is one.
    pub old: Option<String>,
    /// The new snapshot body, when insta wrote it (`<name>.snap.new`).
    pub new: Option<String>,
}

/// The body of an insta snapshot file: what follows its `---` header.
fn snapshot_body(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let body = match text.strip_prefix("---\n") {
        Some(rest) => rest.split_once("\n---\n").map_or(rest, |(_, b)| b),
        None => text.as_str(),
    };
    Some(body.to_string())
}

/// A file-name-safe snapshot name for a scenario.
pub fn snapshot_name(r: &ScenarioResult) -> String {
    let raw = format!(
        "{}__{}",
        r.feature_path.trim_end_matches(".feature"),
        r.scenario
    );
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") && s.len() > 120 {
        s = s.replacen("__", "_", 1);
    }
    s.truncate(150);
    s
}

/// Compare each passed scenario's normalised evidence with its baseline in `dir`. With
/// `update`, write the new baselines instead. Failed scenarios are not snapshotted: their
/// evidence is in the report.
pub fn check(
    results: &[ScenarioResult],
    contexts: &dyn Fn(&ScenarioResult) -> Context,
    dir: &Path,
    update: bool,
) -> Vec<Drift> {
    if update {
        // insta reads this once, when it first asserts.
        std::env::set_var("INSTA_UPDATE", "always");
        std::env::set_var("INSTA_FORCE_PASS", "1");
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_sort_maps(true);
    let mut drifts = Vec::new();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for r in results
        .iter()
        .filter(|r| r.verdict == crate::result::Verdict::Passed)
    {
        let value = normalize(&r.evidence, &contexts(r));
        let name = snapshot_name(r);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_yaml_snapshot!(name.clone(), value));
        }));
        if let Err(p) = outcome {
            let message = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "snapshot assertion failed".into());
            drifts.push(Drift {
                scenario: r.scenario.clone(),
                message,
                old: snapshot_body(&dir.join(format!("{name}.snap"))),
                new: snapshot_body(&dir.join(format!("{name}.snap.new"))),
            });
        }
    }
    std::panic::set_hook(hook);
    drifts
}
