//! report.html: one self-contained page (inline CSS and a little inline JS for the filters, no
//! network) for people who will not read JSON. It is rendered with minijinja from
//! `harness/templates/report.html` (compiled in) and from the same data as summary.json: the
//! page's totals, requirements, matrix and grades are [`Summary::json`]'s, and the rest
//! (matrix cells, evidence) comes from the same [`ScenarioResult`]s.
//!
//! Everything shown goes through the template's HTML autoescape, including attacker-controlled
//! XML, NameIDs and claims.

use super::evidence_view::{jwts_in, pretty_xml, DecodedJwt, XmlLine};
use super::snapshot::Drift;
use super::{grades, CatalogueId, Grade, Summary, Totals};
use crate::agent::Decoded;
use crate::result::{ScenarioResult, StepResult, Verdict};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const TEMPLATE: &str = include_str!("../../templates/report.html");

const VENDOR_ORDER: [&str; 4] = ["okta", "entra", "google", "any"];
const PROTOCOL_ORDER: [&str; 4] = ["saml", "oidc", "scim", "any"];

/// The certification block: what a vendor publishes about a run.
#[derive(Debug, Clone, Serialize)]
pub struct Certification {
    pub target: String,
    pub idpsim_version: String,
    /// The catalogue the run drew from: its size and digest (results.json's `catalogue`).
    pub catalogue: String,
    pub date: String,
    pub totals: Totals,
    pub scenarios: usize,
}

#[derive(Debug, Serialize)]
struct Column {
    vendor: String,
    protocol: String,
}

#[derive(Debug, Serialize)]
struct Cell {
    vendor: String,
    protocol: String,
    /// pass | fail | deviation | na | none
    status: &'static str,
    passed: usize,
    total: usize,
    verdicts: String,
    tags: String,
}

#[derive(Debug, Serialize)]
struct Row {
    requirement: String,
    cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct ExchangeView {
    actor: String,
    method: String,
    url: String,
    status: u16,
    location: Option<String>,
    form: Vec<(String, String)>,
    set_cookies: Vec<String>,
    oauth: Vec<(String, String)>,
    undecodable: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SamlView {
    field: String,
    at: String,
    lines: Option<Vec<XmlLine>>,
    raw: String,
}

#[derive(Debug, Serialize)]
struct ScenarioView {
    id: String,
    name: String,
    feature: String,
    line: usize,
    verdict: Verdict,
    status: &'static str,
    vendor: String,
    protocol: String,
    tags: String,
    requirements: String,
    deviation: Option<String>,
    reason: Option<String>,
    failed_step: Option<StepResult>,
    steps: Vec<StepResult>,
    trace: Vec<ExchangeView>,
    saml: Vec<SamlView>,
    jwts: Vec<DecodedJwt>,
    notes: Vec<String>,
    sp_log: Vec<String>,
    target_calls: Vec<String>,
    final_state: Option<String>,
}

#[derive(Debug, Serialize)]
struct DiffLine {
    tag: &'static str,
    text: String,
}

#[derive(Debug, Serialize)]
struct DriftView {
    scenario: String,
    message: String,
    diff: Vec<DiffLine>,
}

#[derive(Debug, Serialize)]
struct Page {
    summary: Value,
    cert: Certification,
    black_box: bool,
    columns: Vec<Column>,
    rows: Vec<Row>,
    scenarios: Vec<ScenarioView>,
    failures: Vec<usize>,
    grades: Vec<Grade>,
    drifts: Vec<DriftView>,
    tags: Vec<String>,
    vendors: Vec<String>,
    protocols: Vec<String>,
    verdicts: Vec<&'static str>,
}

/// What the matrix and the filters call a verdict's colour.
fn status_of(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed | Verdict::UnexpectedPass => "pass",
        Verdict::Failed | Verdict::NotApplied | Verdict::NoAnswer => "fail",
        Verdict::ExpectedFailure => "deviation",
        Verdict::NotApplicable | Verdict::Skipped => "na",
    }
}

fn verdict_name(v: Verdict) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

const ALL_VERDICTS: [&str; 8] = [
    "passed",
    "failed",
    "expected_failure",
    "unexpected_pass",
    "skipped",
    "not_applicable",
    "not_applied",
    "no_answer",
];

fn order(list: &[&str], v: &str) -> usize {
    list.iter().position(|x| *x == v).unwrap_or(list.len())
}

fn vendor_of(r: &ScenarioResult) -> String {
    r.vendor().unwrap_or_else(|| "any".into())
}

fn protocol_of(r: &ScenarioResult) -> String {
    r.protocol().unwrap_or_else(|| "any".into())
}

fn requirements_of(r: &ScenarioResult) -> Vec<String> {
    let reqs = r.requirements();
    if reqs.is_empty() {
        vec!["(untagged)".to_string()]
    } else {
        reqs
    }
}

fn matrix(results: &[ScenarioResult]) -> (Vec<Column>, Vec<Row>) {
    let mut cols: BTreeSet<(usize, usize, String, String)> = BTreeSet::new();
    let mut by_req: BTreeMap<String, BTreeMap<(String, String), Vec<&ScenarioResult>>> =
        BTreeMap::new();
    for r in results {
        let (v, p) = (vendor_of(r), protocol_of(r));
        cols.insert((
            order(&VENDOR_ORDER, &v),
            order(&PROTOCOL_ORDER, &p),
            v.clone(),
            p.clone(),
        ));
        for req in requirements_of(r) {
            by_req
                .entry(req)
                .or_default()
                .entry((v.clone(), p.clone()))
                .or_default()
                .push(r);
        }
    }
    let columns: Vec<Column> = cols
        .into_iter()
        .map(|(_, _, vendor, protocol)| Column { vendor, protocol })
        .collect();
    let rows = by_req
        .into_iter()
        .map(|(requirement, cells)| Row {
            requirement,
            cells: columns
                .iter()
                .map(|c| {
                    let rs = cells
                        .get(&(c.vendor.clone(), c.protocol.clone()))
                        .cloned()
                        .unwrap_or_default();
                    let statuses: BTreeSet<&str> =
                        rs.iter().map(|r| status_of(r.verdict)).collect();
                    let status = ["fail", "deviation", "pass", "na"]
                        .into_iter()
                        .find(|s| statuses.contains(s))
                        .unwrap_or("none");
                    let verdicts: BTreeSet<String> =
                        rs.iter().map(|r| verdict_name(r.verdict)).collect();
                    let tags: BTreeSet<String> = rs
                        .iter()
                        .flat_map(|r| r.tags.iter().map(|t| t.trim_start_matches('@').to_string()))
                        .collect();
                    Cell {
                        vendor: c.vendor.clone(),
                        protocol: c.protocol.clone(),
                        status,
                        passed: rs.iter().filter(|r| status_of(r.verdict) == "pass").count(),
                        total: rs.len(),
                        verdicts: verdicts.into_iter().collect::<Vec<_>>().join(" "),
                        tags: tags.into_iter().collect::<Vec<_>>().join(" "),
                    }
                })
                .collect(),
        })
        .collect();
    (columns, rows)
}

/// Form values longer than this are cut in the trace table (SAML messages are decoded below it).
const FORM_VALUE_CHARS: usize = 120;

fn shorten(v: &str, max: usize) -> String {
    match v.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v.to_string(),
    }
}

fn scenario_view(i: usize, r: &ScenarioResult) -> ScenarioView {
    let mut trace = Vec::new();
    let mut saml = Vec::new();
    let mut jwts = Vec::new();
    for (actor, exchanges) in &r.evidence.actors {
        for e in exchanges {
            let at = format!("{actor}: {} {}", e.method, e.url);
            let mut oauth = Vec::new();
            let mut undecodable = Vec::new();
            for d in &e.decoded {
                match d {
                    Decoded::Saml { field, xml } => saml.push(SamlView {
                        field: field.clone(),
                        at: at.clone(),
                        lines: pretty_xml(xml),
                        raw: xml.clone(),
                    }),
                    Decoded::Oauth { params } => oauth.extend(params.iter().cloned()),
                    Decoded::Undecodable { field, error } => {
                        undecodable.push(format!("{field}: {error}"))
                    }
                }
            }
            let mut haystack = vec![e.url.clone(), e.body_excerpt.clone()];
            haystack.extend(e.location.clone());
            haystack.extend(e.form.iter().flatten().map(|(_, v)| v.clone()));
            for h in haystack {
                for j in jwts_in(&h, &at) {
                    if !jwts
                        .iter()
                        .any(|x: &DecodedJwt| x.claims == j.claims && x.header == j.header)
                    {
                        jwts.push(j);
                    }
                }
            }
            trace.push(ExchangeView {
                actor: actor.clone(),
                method: e.method.clone(),
                url: e.url.clone(),
                status: e.status,
                location: e.location.clone(),
                form: e
                    .form
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), shorten(v, FORM_VALUE_CHARS)))
                    .collect(),
                set_cookies: e.set_cookies.clone(),
                oauth,
                undecodable,
            });
        }
    }
    let target_calls: Vec<String> = r
        .evidence
        .target_calls
        .iter()
        .map(|c| serde_json::to_string(c).unwrap_or_default())
        .collect();
    for c in &target_calls {
        for j in jwts_in(c, "target call") {
            if !jwts.iter().any(|x| x.claims == j.claims) {
                jwts.push(j);
            }
        }
    }
    ScenarioView {
        id: format!("s{i}"),
        name: r.scenario.clone(),
        feature: r.feature_path.clone(),
        line: r.line,
        verdict: r.verdict,
        status: status_of(r.verdict),
        vendor: vendor_of(r),
        protocol: protocol_of(r),
        tags: r
            .tags
            .iter()
            .map(|t| t.trim_start_matches('@'))
            .collect::<Vec<_>>()
            .join(" "),
        requirements: r.requirements().join(", "),
        deviation: r.deviation.clone(),
        reason: r.reason.clone(),
        failed_step: r.failed_step().cloned(),
        steps: r.steps.clone(),
        trace,
        saml,
        jwts,
        notes: r.evidence.notes.clone(),
        sp_log: r.evidence.sp_log.clone(),
        target_calls,
        final_state: r
            .evidence
            .final_state
            .as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok()),
    }
}

fn drift_view(d: &Drift) -> DriftView {
    let diff = match (&d.old, &d.new) {
        (Some(old), Some(new)) => similar::TextDiff::from_lines(old.as_str(), new.as_str())
            .iter_all_changes()
            .map(|c| DiffLine {
                tag: match c.tag() {
                    similar::ChangeTag::Delete => "del",
                    similar::ChangeTag::Insert => "ins",
                    similar::ChangeTag::Equal => "eq",
                },
                text: c.value().trim_end_matches('\n').to_string(),
            })
            .collect(),
        _ => Vec::new(),
    };
    DriftView {
        scenario: d.scenario.clone(),
        message: d.message.clone(),
        diff,
    }
}

/// The certification block of a run.
pub fn certification(
    summary: &Summary,
    catalogue: &CatalogueId,
    results: &[ScenarioResult],
) -> Certification {
    Certification {
        target: summary.target.clone(),
        idpsim_version: env!("CARGO_PKG_VERSION").to_string(),
        catalogue: if catalogue.digest.is_empty() {
            format!("{} scenarios", catalogue.scenarios)
        } else {
            format!(
                "{} scenarios, digest {}",
                catalogue.scenarios, catalogue.digest
            )
        },
        date: summary.started.clone(),
        totals: Totals::of(results),
        scenarios: results.len(),
    }
}

/// Render report.html.
pub fn render(
    summary: &Summary,
    catalogue: &CatalogueId,
    black_box: bool,
    results: &[ScenarioResult],
    drifts: &[Drift],
) -> Result<String, minijinja::Error> {
    let (columns, rows) = matrix(results);
    let scenarios: Vec<ScenarioView> = results
        .iter()
        .enumerate()
        .map(|(i, r)| scenario_view(i, r))
        .collect();
    // Failures first: what fails the run, then listed deviations and stale expectations.
    let mut failures: Vec<usize> = (0..results.len())
        .filter(|i| {
            !matches!(
                results[*i].verdict,
                Verdict::Passed | Verdict::Skipped | Verdict::NotApplicable
            )
        })
        .collect();
    failures.sort_by_key(|i| (results[*i].verdict.is_ok(), *i));
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for r in results {
        tags.extend(r.tags.iter().map(|t| t.trim_start_matches('@').to_string()));
    }
    let mut vendors: Vec<String> = results
        .iter()
        .map(vendor_of)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    vendors.sort_by_key(|v| order(&VENDOR_ORDER, v));
    let mut protocols: Vec<String> = results
        .iter()
        .map(protocol_of)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    protocols.sort_by_key(|p| order(&PROTOCOL_ORDER, p));
    let page = Page {
        summary: summary.json(results),
        cert: certification(summary, catalogue, results),
        black_box,
        columns,
        rows,
        scenarios,
        failures,
        grades: grades(results),
        drifts: drifts.iter().map(drift_view).collect(),
        tags: tags.into_iter().collect(),
        vendors,
        protocols,
        verdicts: ALL_VERDICTS.to_vec(),
    };
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(&page)
}
