//! The verdict table of a black-box run: one row per catalogue scenario, one column per vendor,
//! each cell what the SP did (refused, accepted) or why there is no verdict. Written as
//! `verdicts.md` in the report folder; docs/black-box.md shows the committed tables.

use crate::result::{ScenarioResult, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const VENDORS: [&str; 3] = ["okta", "entra", "google"];

/// Whether the scenario's Then expects the SP to refuse.
fn expects_refusal(r: &ScenarioResult) -> bool {
    r.steps.iter().filter(|s| s.keyword == "Then").any(|s| {
        s.text.contains("is refused")
            || s.text.contains("answered with an error")
            || s.text.contains("never signed in")
    })
}

/// What the SP did in one scenario, in a word or two.
pub fn cell(r: &ScenarioResult) -> String {
    let (good, bad) = if expects_refusal(r) {
        ("refused", "ACCEPTED")
    } else {
        ("accepted", "REFUSED")
    };
    match r.verdict {
        Verdict::Passed | Verdict::UnexpectedPass
            if r.evidence
                .notes
                .iter()
                .any(|n| n.contains("signed assertion")) =>
        {
            "accepted, signed content only".into()
        }
        Verdict::Passed | Verdict::UnexpectedPass
            if r.evidence
                .notes
                .iter()
                .any(|n| n.contains("each published key")) =>
        {
            "accepted, tried each key".into()
        }
        Verdict::Passed | Verdict::UnexpectedPass => good.into(),
        Verdict::Failed => format!("{bad} (new)"),
        Verdict::ExpectedFailure => format!("{bad} (finding)"),
        Verdict::NotApplicable | Verdict::Skipped => "n/a".into(),
        Verdict::NotApplied => "not applied".into(),
        Verdict::NoAnswer => "no answer".into(),
    }
}

/// The scenario's name without its vendor suffix: the row of the table.
fn row_name(r: &ScenarioResult) -> String {
    let mut name = r.scenario.clone();
    for v in ["Okta", "Entra", "Google"] {
        name = name
            .replace(&format!(" ({v})"), "")
            .replace(&format!("({v}, "), "(");
    }
    for v in ["okta", "entra", "google"] {
        name = name
            .replace(&format!(" ({v} over saml)"), "")
            .replace(&format!(" ({v} over oidc)"), "");
    }
    name
}

/// The table for `protocol` (`saml` or `oidc`), Markdown; empty when no scenario has it.
pub fn table(results: &[ScenarioResult], protocol: &str) -> String {
    let mut rows: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for r in results {
        if r.protocol().as_deref() != Some(protocol) {
            continue;
        }
        if !r.tags.iter().any(|t| t == "@security" || t == "@baseline") {
            continue;
        }
        let Some(v) = r.vendor() else { continue };
        let reqs = r.requirements();
        let id = if reqs.is_empty() {
            "baseline".to_string()
        } else {
            reqs.join(", ")
        };
        rows.entry((id, row_name(r)))
            .or_default()
            .insert(v, cell(r));
    }
    // A protocol the SP does not serve at all is one line in the summary, not a table of n/a.
    if rows
        .values()
        .all(|cells| cells.values().all(|c| c == "n/a"))
    {
        return String::new();
    }
    let mut s = String::new();
    let _ = writeln!(s, "| row | scenario | Okta | Entra | Google |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    // The baseline first, then the catalogue rows in id order.
    let mut ordered: Vec<_> = rows.into_iter().collect();
    ordered.sort_by_key(|((id, name), _)| (id != "baseline", id.clone(), name.clone()));
    for ((id, name), cells) in ordered {
        let c: Vec<String> = VENDORS
            .iter()
            .map(|v| cells.get(*v).cloned().unwrap_or_else(|| "-".into()))
            .collect();
        let _ = writeln!(
            s,
            "| {id} | {} | {} |",
            name.replace('|', "\\|"),
            c.join(" | ")
        );
    }
    s
}

/// Both protocols' tables, each under a heading, for `verdicts.md`.
pub fn markdown(target: &str, results: &[ScenarioResult]) -> String {
    let mut s = format!("# Verdicts: {target}\n\n");
    let _ = writeln!(
        s,
        "refused / accepted: what the SP did, as the catalogue row wants it. ACCEPTED or \
         REFUSED: the SP did the opposite (finding: listed in its expectations with a reason; \
         new: not listed). n/a: the row needs what a black-box SP lacks. not applied: the SP \
         never asked for the faulty answer. no answer: a hop timed out.\n"
    );
    for (p, title) in [("saml", "SAML"), ("oidc", "OIDC")] {
        let t = table(results, p);
        if !t.is_empty() {
            let _ = writeln!(s, "## {title}\n\n{t}");
        }
    }
    s
}
