//! JUnit XML: one testsuite per feature, one testcase per scenario.

use super::Summary;
use crate::result::{ScenarioResult, Verdict};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::collections::BTreeMap;

pub fn render(results: &[ScenarioResult], summary: &Summary) -> Vec<u8> {
    let mut by_feature: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for r in results {
        by_feature
            .entry(r.feature_path.as_str())
            .or_default()
            .push(r);
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the results are ignored deliberately.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let failures = results.iter().filter(|r| !r.verdict.is_ok()).count();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", format!("idpsim: {}", summary.target).as_str()));
    root.push_attribute(("tests", results.len().to_string().as_str()));
    root.push_attribute(("failures", failures.to_string().as_str()));
    root.push_attribute((
        "time",
        format!("{:.3}", summary.wall_time_ms as f64 / 1000.0).as_str(),
    ));
    let _ = w.write_event(Event::Start(root));
    for (path, rs) in by_feature {
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", rs[0].feature.as_str()));
        suite.push_attribute(("file", path));
        suite.push_attribute(("tests", rs.len().to_string().as_str()));
        let f = rs.iter().filter(|r| !r.verdict.is_ok()).count();
        suite.push_attribute(("failures", f.to_string().as_str()));
        let skipped = rs
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Skipped | Verdict::NotApplicable))
            .count();
        suite.push_attribute(("skipped", skipped.to_string().as_str()));
        let _ = w.write_event(Event::Start(suite));
        for r in rs {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("name", r.scenario.as_str()));
            case.push_attribute(("classname", r.feature.as_str()));
            case.push_attribute((
                "time",
                format!("{:.3}", r.duration_ms as f64 / 1000.0).as_str(),
            ));
            let _ = w.write_event(Event::Start(case));
            let mut out: Vec<String> = Vec::new();
            match r.verdict {
                Verdict::Failed | Verdict::NotApplied | Verdict::NoAnswer => {
                    let step = r.failed_step();
                    let mut fail = BytesStart::new("failure");
                    let message = match (r.verdict, &r.reason) {
                        (Verdict::NotApplied, Some(why)) => format!("not applied: {why}"),
                        (Verdict::NoAnswer, Some(why)) => format!("no answer: {why}"),
                        _ => step
                            .map(|s| format!("{} {}", s.keyword.trim(), s.text))
                            .unwrap_or_else(|| "scenario failed".into()),
                    };
                    fail.push_attribute(("message", message.as_str()));
                    fail.push_attribute(("type", r.requirements().join(",").as_str()));
                    let _ = w.write_event(Event::Start(fail));
                    let body = step.and_then(|s| s.error.clone()).unwrap_or_default();
                    let _ = w.write_event(Event::Text(BytesText::new(&body)));
                    let _ = w.write_event(Event::End(BytesEnd::new("failure")));
                }
                Verdict::Skipped => {
                    let _ = w.write_event(Event::Empty(BytesStart::new("skipped")));
                }
                Verdict::NotApplicable => {
                    let mut sk = BytesStart::new("skipped");
                    let why = format!("not applicable: {}", r.reason.clone().unwrap_or_default());
                    sk.push_attribute(("message", why.as_str()));
                    let _ = w.write_event(Event::Empty(sk));
                }
                Verdict::ExpectedFailure | Verdict::UnexpectedPass => {
                    out.push(format!(
                        "{}: {}",
                        if r.verdict == Verdict::ExpectedFailure {
                            "expected failure"
                        } else {
                            "unexpected pass (the deviation is listed but no longer happens)"
                        },
                        r.deviation.clone().unwrap_or_default()
                    ));
                }
                Verdict::Passed => {}
            }
            // Browser mode's failure screenshots, in the attachment form CI servers (GitLab,
            // Jenkins' attachments plugin) link from the test case.
            for shot in r.evidence.screenshots() {
                out.push(format!("[[ATTACHMENT|{shot}]]"));
            }
            if !out.is_empty() {
                let _ = w.write_event(Event::Start(BytesStart::new("system-out")));
                let _ = w.write_event(Event::Text(BytesText::new(&out.join("\n"))));
                let _ = w.write_event(Event::End(BytesEnd::new("system-out")));
            }
            let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
        }
        let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuites")));
    w.into_inner()
}
