//! The conformance summary: totals, requirement by requirement, vendor × protocol, and each
//! failure with its step, expected and actual outcome, and an excerpt of the trace.

use crate::result::{ScenarioResult, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub expected_failures: usize,
    pub unexpected_passes: usize,
    pub skipped: usize,
    pub not_applicable: usize,
    pub not_applied: usize,
    pub no_answer: usize,
}

impl Totals {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Passed => self.passed += 1,
            Verdict::Failed => self.failed += 1,
            Verdict::ExpectedFailure => self.expected_failures += 1,
            Verdict::UnexpectedPass => self.unexpected_passes += 1,
            Verdict::Skipped => self.skipped += 1,
            Verdict::NotApplicable => self.not_applicable += 1,
            Verdict::NotApplied => self.not_applied += 1,
            Verdict::NoAnswer => self.no_answer += 1,
        }
    }

    pub fn of<'a>(results: impl IntoIterator<Item = &'a ScenarioResult>) -> Self {
        let mut t = Totals::default();
        for r in results {
            t.add(r.verdict);
        }
        t
    }

    /// The closing line CI reads.
    pub fn closing_line(&self) -> String {
        format!(
            "{} passed, {} failed",
            self.passed + self.unexpected_passes + self.expected_failures,
            self.failures()
        )
    }

    /// Outcomes that fail the run.
    pub fn failures(&self) -> usize {
        self.failed + self.not_applied + self.no_answer
    }

    pub fn ok(&self) -> bool {
        self.failures() == 0
    }
}

/// Run-level facts the results do not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub target: String,
    pub started: String,
    pub wall_time_ms: u64,
    /// Flaws switched on in an embedded reference SP, if any.
    pub sp_flaws: Vec<String>,
}

const TRACE_EXCERPT_EXCHANGES: usize = 6;

fn status_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Failed => "FAILED",
        Verdict::ExpectedFailure => "expected failure",
        Verdict::UnexpectedPass => "unexpected pass",
        Verdict::Skipped => "skipped",
        Verdict::NotApplicable => "not applicable",
        Verdict::NotApplied => "NOT APPLIED",
        Verdict::NoAnswer => "NO ANSWER",
    }
}

fn by_requirement(results: &[ScenarioResult]) -> BTreeMap<String, (Totals, Vec<&ScenarioResult>)> {
    let mut m: BTreeMap<String, (Totals, Vec<&ScenarioResult>)> = BTreeMap::new();
    for r in results {
        let reqs = r.requirements();
        let reqs = if reqs.is_empty() {
            vec!["(untagged)".to_string()]
        } else {
            reqs
        };
        for id in reqs {
            let e = m.entry(id).or_default();
            e.0.add(r.verdict);
            e.1.push(r);
        }
    }
    m
}

fn by_matrix(results: &[ScenarioResult]) -> BTreeMap<(String, String), Totals> {
    let mut m: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for r in results {
        let key = (
            r.vendor().unwrap_or_else(|| "any".into()),
            r.protocol().unwrap_or_else(|| "any".into()),
        );
        m.entry(key).or_default().add(r.verdict);
    }
    m
}

/// A few lines per exchange from the end of the trace: where the scenario was when it failed.
fn trace_excerpt(r: &ScenarioResult) -> Vec<String> {
    let mut lines = Vec::new();
    for (actor, exchanges) in &r.evidence.actors {
        let skip = exchanges.len().saturating_sub(TRACE_EXCERPT_EXCHANGES);
        for e in exchanges.iter().skip(skip) {
            let mut l = format!("{actor}: {} {} -> {}", e.method, e.url, e.status);
            if let Some(loc) = &e.location {
                let _ = write!(l, " (Location: {loc})");
            }
            lines.push(l);
        }
    }
    lines
}

impl Summary {
    pub fn markdown(&self, results: &[ScenarioResult]) -> String {
        let t = Totals::of(results);
        let mut s = String::new();
        let _ = writeln!(s, "# idpsim conformance summary\n");
        let _ = writeln!(s, "- target: {}", self.target);
        let _ = writeln!(s, "- started: {}", self.started);
        let _ = writeln!(s, "- wall time: {:.2} s", self.wall_time_ms as f64 / 1000.0);
        if !self.sp_flaws.is_empty() {
            let _ = writeln!(s, "- reference SP flaws on: {}", self.sp_flaws.join(", "));
        }
        let _ = writeln!(
            s,
            "- scenarios: {} passed, {} failed, {} expected failures, {} unexpected passes, {} skipped, {} not applicable, {} not applied, {} no answer\n",
            t.passed, t.failed, t.expected_failures, t.unexpected_passes, t.skipped,
            t.not_applicable, t.not_applied, t.no_answer
        );
        let _ = writeln!(s, "## By requirement\n");
        let _ = writeln!(
            s,
            "| requirement | passed | failed | expected failures | verdict |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---|");
        for (id, (tot, _)) in by_requirement(results) {
            let verdict = if tot.failures() > 0 {
                "FAILS"
            } else if tot.expected_failures > 0 {
                "deviates (expected)"
            } else if tot.passed + tot.unexpected_passes == 0 && tot.not_applicable > 0 {
                "not applicable"
            } else {
                "conforms"
            };
            let _ = writeln!(
                s,
                "| {id} | {} | {} | {} | {verdict} |",
                tot.passed + tot.unexpected_passes,
                tot.failures(),
                tot.expected_failures
            );
        }
        let _ = writeln!(s, "\n## By vendor × protocol\n");
        let _ = writeln!(
            s,
            "| vendor | protocol | passed | failed | not applicable |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|");
        for ((v, p), tot) in by_matrix(results) {
            let _ = writeln!(
                s,
                "| {v} | {p} | {} | {} | {} |",
                tot.passed + tot.unexpected_passes + tot.expected_failures,
                tot.failures(),
                tot.not_applicable
            );
        }
        let grades = grades(results);
        if !grades.is_empty() {
            let _ = writeln!(s, "\n## Security catalogue grade by vendor × protocol\n");
            let _ = writeln!(
                s,
                "| vendor | protocol | rows held | wrongly accepted or failed | of which listed findings | not applicable | not applied / no answer |"
            );
            let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|");
            for g in &grades {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    g.vendor, g.protocol, g.held, g.broken, g.listed, g.not_applicable, g.unjudged
                );
            }
        }
        let na: Vec<&ScenarioResult> = results
            .iter()
            .filter(|r| r.verdict == Verdict::NotApplicable)
            .collect();
        if !na.is_empty() {
            let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &na {
                *reasons
                    .entry(r.reason.as_deref().unwrap_or(""))
                    .or_default() += 1;
            }
            let _ = writeln!(s, "\n## Not applicable ({})\n", na.len());
            let _ = writeln!(s, "| scenarios | reason |");
            let _ = writeln!(s, "|---:|---|");
            for (why, n) in reasons {
                let _ = writeln!(s, "| {n} | {} |", why.replace('|', "\\|"));
            }
        }
        let notable: Vec<&ScenarioResult> = results
            .iter()
            .filter(|r| {
                !matches!(
                    r.verdict,
                    Verdict::Passed | Verdict::Skipped | Verdict::NotApplicable
                )
            })
            .collect();
        if !notable.is_empty() {
            let _ = writeln!(s, "\n## Failures and deviations\n");
        }
        for r in notable {
            let _ = writeln!(
                s,
                "### {} — {}\n\n{} ({}:{}), requirements: {}\n",
                status_word(r.verdict),
                r.scenario,
                r.feature,
                r.feature_path,
                r.line,
                r.requirements().join(", ")
            );
            if let Some(d) = &r.deviation {
                let _ = writeln!(s, "Listed deviation: {d}\n");
            }
            if let Some(why) = &r.reason {
                let _ = writeln!(s, "Why: {why}\n");
            }
            if let Some(step) = r.failed_step() {
                let _ = writeln!(s, "Failed step: `{} {}`\n", step.keyword.trim(), step.text);
                if let Some(err) = &step.error {
                    let _ = writeln!(s, "```text\n{}\n```\n", err.trim());
                }
            }
            for shot in r.evidence.screenshots() {
                let _ = writeln!(s, "Screenshot: [{shot}]({shot})\n");
            }
            let excerpt = trace_excerpt(r);
            if !excerpt.is_empty() {
                let _ = writeln!(
                    s,
                    "Trace (last exchanges):\n\n```text\n{}\n```\n",
                    excerpt.join("\n")
                );
            }
        }
        s
    }

    pub fn json(&self, results: &[ScenarioResult]) -> Value {
        let reqs: BTreeMap<String, Value> = by_requirement(results)
            .into_iter()
            .map(|(id, (tot, rs))| {
                let scenarios: Vec<Value> = rs
                    .iter()
                    .map(|r| json!({"scenario": r.scenario, "verdict": r.verdict, "vendor": r.vendor(), "protocol": r.protocol()}))
                    .collect();
                (id, json!({"totals": tot, "scenarios": scenarios}))
            })
            .collect();
        let matrix: Vec<Value> = by_matrix(results)
            .into_iter()
            .map(|((v, p), tot)| json!({"vendor": v, "protocol": p, "totals": tot}))
            .collect();
        let failures: Vec<Value> = results
            .iter()
            .filter(|r| !r.verdict.is_ok())
            .map(|r| {
                json!({
                    "scenario": r.scenario,
                    "feature": r.feature_path,
                    "line": r.line,
                    "requirements": r.requirements(),
                    "verdict": r.verdict,
                    "reason": r.reason,
                    "step": r.failed_step(),
                    "trace_excerpt": trace_excerpt(r),
                    "screenshots": r.evidence.screenshots(),
                })
            })
            .collect();
        json!({
            "run": self,
            "totals": Totals::of(results),
            "requirements": reqs,
            "matrix": matrix,
            "grades": grades(results),
            "not_applicable": results
                .iter()
                .filter(|r| r.verdict == Verdict::NotApplicable)
                .map(|r| json!({"scenario": r.scenario, "feature": r.feature_path, "line": r.line, "reason": r.reason}))
                .collect::<Vec<_>>(),
            "failures": failures,
        })
    }
}

/// How a target fared on the security catalogue (`@security` scenarios) for one vendor and
/// protocol: what it held, what it wrongly let through (listed as known findings or not), what
/// could not be asked of it, and what got no verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grade {
    pub vendor: String,
    pub protocol: String,
    pub held: usize,
    pub broken: usize,
    pub listed: usize,
    pub not_applicable: usize,
    pub unjudged: usize,
}

/// One grade per vendor × protocol that has security scenarios.
pub fn grades(results: &[ScenarioResult]) -> Vec<Grade> {
    let mut m: BTreeMap<(String, String), Grade> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.tags.iter().any(|t| t == "@security"))
    {
        let (Some(v), Some(p)) = (r.vendor(), r.protocol()) else {
            continue;
        };
        let g = m.entry((v.clone(), p.clone())).or_insert_with(|| Grade {
            vendor: v,
            protocol: p,
            ..Grade::default()
        });
        match r.verdict {
            Verdict::Passed | Verdict::UnexpectedPass => g.held += 1,
            Verdict::Failed => g.broken += 1,
            Verdict::ExpectedFailure => {
                g.broken += 1;
                g.listed += 1;
            }
            Verdict::NotApplicable | Verdict::Skipped => g.not_applicable += 1,
            Verdict::NotApplied | Verdict::NoAnswer => g.unjudged += 1,
        }
    }
    m.into_values().collect()
}
