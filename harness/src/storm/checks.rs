//! Checks afterwards, against the SP's own records (its admin API): every login the storm
//! started finished, every user who got in has an account and nobody has two, and the SP
//! counts a session for every successful login.

use super::journey::Route;
use super::stats::{Check, RouteTally};
use crate::world::Env;
use std::collections::BTreeSet;

fn check(name: impl Into<String>, passed: Option<bool>, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        passed,
        detail: detail.into(),
    }
}

pub async fn run(
    env: &Env,
    routes: &[Route],
    tallies: &[RouteTally],
    unfinished: u64,
) -> Vec<Check> {
    let mut out = vec![check(
        "every login finished",
        Some(unfinished == 0),
        format!("{unfinished} login(s) still under way when the storm ended"),
    )];
    let mut admin = env.target.admin();
    if !admin.is_available() {
        out.push(check(
            "accounts and sessions at the SP",
            None,
            "the target has no admin API (black-box): its accounts and sessions cannot be read",
        ));
        return out;
    }
    for (route, tally) in routes.iter().zip(tallies) {
        let Some(slug) = &route.org_slug else {
            continue;
        };
        let label = &route.label;
        let v = match admin.members(slug).await {
            Ok(v) => v,
            Err(e) => {
                out.push(check(
                    format!("{label}: members readable"),
                    Some(false),
                    format!("GET members of {slug}: {e}"),
                ));
                continue;
            }
        };
        let empty = Vec::new();
        let members = v["members"].as_array().unwrap_or(&empty);
        let accounts = members.len();
        let subjects: BTreeSet<&str> = members
            .iter()
            .filter_map(|m| m["sso_identity"].as_str())
            .collect();
        let (users_in, users_tried) = (tally.users_in.len(), tally.users_tried.len());
        out.push(check(
            format!("{label}: nothing lost"),
            Some(accounts >= users_in),
            format!("{accounts} account(s) at the SP for {users_in} user(s) who signed in"),
        ));
        out.push(check(
            format!("{label}: no duplicate accounts"),
            Some(subjects.len() == accounts && accounts <= users_tried),
            format!(
                "{accounts} account(s), {} distinct IdP subject(s), {users_tried} user(s) tried",
                subjects.len()
            ),
        ));
        let sessions: Option<u64> = members.iter().map(|m| m["sessions"].as_u64()).sum();
        out.push(match sessions {
            // A failed login may have got its session before a later hop failed.
            Some(s) => check(
                format!("{label}: every session counted"),
                Some(s >= tally.ok && s <= tally.ok + tally.failed),
                format!(
                    "{s} session(s) at the SP for {} successful login(s) ({} failed)",
                    tally.ok, tally.failed
                ),
            ),
            None => check(
                format!("{label}: every session counted"),
                None,
                "the admin API reports no per-member session count",
            ),
        });
    }
    out
}
