//! The provisioning load run: N users and M groups pushed through a vendor's SCIM push client
//! (mock_idps::scim_push) with bounded concurrency, then verified against the target: SCIM list
//! totals, the admin API's member count, and spot checks of random users and groups.

use anyhow::Context as _;
use mock_idps::scim_push::{
    DialectId, EventStatus, Knowledge, PushGroup, PushUser, ScimEvent, ScimPushClient,
};
use protocols::{IdGen, RandomIds};
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub base_url: String,
    pub token: String,
    pub dialect: DialectId,
    pub users: usize,
    pub groups: usize,
    /// Members of each group: user i of group g is `(g * m + i) mod users`. None: user i is in
    /// group `i mod groups` (so about users / groups each).
    pub members_per_group: Option<usize>,
    pub concurrency: usize,
    /// Users (and groups) spot-checked after the run.
    pub spot_checks: usize,
    /// An admin session and org slug, to count members through the admin API.
    pub admin: Option<(crate::target::Admin, String)>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Latency {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(mut v: Vec<Duration>) -> Self {
        if v.is_empty() {
            return Self::default();
        }
        v.sort();
        let at = |q: f64| {
            let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
            v[i].as_secs_f64() * 1000.0
        };
        Latency {
            count: v.len(),
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: v[v.len() - 1].as_secs_f64() * 1000.0,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub events: usize,
    pub failed: usize,
    pub requests: usize,
    pub seconds: f64,
    pub events_per_sec: f64,
    pub requests_per_sec: f64,
    /// Per event (lookup + create, or create + member PATCH).
    pub event_latency: Latency,
    /// Per HTTP request.
    pub request_latency: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub dialect: DialectId,
    pub users: usize,
    pub groups: usize,
    /// Members per group as pushed (the largest group's).
    pub members_per_group: usize,
    pub concurrency: usize,
    pub user_phase: Phase,
    pub group_phase: Phase,
    /// First failures (event and reason), at most 20.
    pub failures: Vec<String>,
    pub findings: usize,
    pub scim_user_total: Option<i64>,
    pub scim_group_total: Option<i64>,
    pub admin_member_count: Option<usize>,
    pub spot_checked: usize,
    pub spot_mismatches: Vec<String>,
    /// Nothing lost: every event done, totals and spot checks agree.
    pub complete: bool,
}

impl LoadReport {
    pub fn markdown(&self) -> String {
        let ph = |name: &str, p: &Phase| {
            format!(
                "| {name} | {} | {} | {} | {:.2} | {:.0} | {:.0} | {:.1} / {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} / {:.1} |\n",
                p.events, p.failed, p.requests, p.seconds, p.events_per_sec, p.requests_per_sec,
                p.event_latency.p50_ms, p.event_latency.p90_ms, p.event_latency.p99_ms, p.event_latency.max_ms,
                p.request_latency.p50_ms, p.request_latency.p90_ms, p.request_latency.p99_ms, p.request_latency.max_ms,
            )
        };
        let mut s = format!(
            "SCIM load: dialect {}, {} users, {} groups, concurrency {}\n\n\
             | phase | events | failed | requests | s | events/s | requests/s | event ms p50/p90/p99/max | request ms p50/p90/p99/max |\n\
             |---|---|---|---|---|---|---|---|---|\n",
            self.dialect, self.users, self.groups, self.concurrency
        );
        s += &ph("users", &self.user_phase);
        s += &ph("groups", &self.group_phase);
        s += &format!(
            "\nfindings: {}; SCIM totals: users {:?}, groups {:?}; admin API members: {:?}; spot checks: {} ({} mismatches)\ncomplete: {}\n",
            self.findings,
            self.scim_user_total,
            self.scim_group_total,
            self.admin_member_count,
            self.spot_checked,
            self.spot_mismatches.len(),
            self.complete
        );
        for m in self
            .spot_mismatches
            .iter()
            .chain(self.failures.iter())
            .take(20)
        {
            s += &format!("- {m}\n");
        }
        s
    }
}

/// The per-org-size table: one row per run (each into a fresh org of that many users), and
/// how the group rate at the largest org compares with the smallest.
pub fn sizes_markdown(runs: &[LoadReport]) -> String {
    let mut s = String::from(
        "| org users | users/s | groups | members/group | groups/s | group event ms p50/p99 | failed | SCIM totals users/groups | lost | complete |\n\
         |---:|---:|---:|---:|---:|---|---:|---|---:|---|\n",
    );
    for r in runs {
        let lost = r
            .users
            .saturating_sub(r.scim_user_total.unwrap_or(0).max(0) as usize)
            + r.groups
                .saturating_sub(r.scim_group_total.unwrap_or(0).max(0) as usize);
        s += &format!(
            "| {} | {:.0} | {} | {} | {:.0} | {:.1} / {:.1} | {} | {} / {} | {} | {} |\n",
            r.users,
            r.user_phase.events_per_sec,
            r.groups,
            r.members_per_group,
            r.group_phase.events_per_sec,
            r.group_phase.event_latency.p50_ms,
            r.group_phase.event_latency.p99_ms,
            r.user_phase.failed + r.group_phase.failed,
            r.scim_user_total.map_or("-".into(), |n| n.to_string()),
            r.scim_group_total.map_or("-".into(), |n| n.to_string()),
            lost,
            r.complete,
        );
    }
    if let (Some(small), Some(large)) = (
        runs.iter().min_by_key(|r| r.users),
        runs.iter().max_by_key(|r| r.users),
    ) {
        if small.users != large.users && small.group_phase.events_per_sec > 0.0 {
            let ratio = large.group_phase.events_per_sec / small.group_phase.events_per_sec;
            s += &format!(
                "\ngroups/s at {} users is {:.0}% of groups/s at {} users; users/s {:.0}%\n",
                large.users,
                ratio * 100.0,
                small.users,
                large.user_phase.events_per_sec / small.user_phase.events_per_sec.max(1e-9) * 100.0
            );
        }
    }
    s
}

fn user(tag: &str, i: usize) -> PushUser {
    let user_name = format!("load-{tag}-{i}");
    PushUser {
        idp_id: format!("00u{tag}{i:07}"),
        email: format!("{user_name}@load.example"),
        user_name,
        given_name: format!("Given{i}"),
        family_name: format!("Family{i}"),
        display_name: format!("Given{i} Family{i}"),
        active: true,
    }
}

fn group_members(tag: &str, g: usize, cfg: &LoadConfig) -> Vec<String> {
    let (users, groups) = (cfg.users, cfg.groups);
    match cfg.members_per_group {
        Some(m) if users > 0 => {
            let mut seen = std::collections::BTreeSet::new();
            (0..m.min(users))
                .map(|i| (g * m + i) % users)
                .filter(|i| seen.insert(*i))
                .map(|i| user(tag, i).idp_id)
                .collect()
        }
        _ => (g..users)
            .step_by(groups.max(1))
            .map(|i| user(tag, i).idp_id)
            .collect(),
    }
}

struct Tally {
    event: Vec<Duration>,
    request: Vec<Duration>,
    failed: usize,
    requests: usize,
    findings: usize,
    failures: Vec<String>,
}

async fn phase(
    cfg: &LoadConfig,
    known: Knowledge,
    events: Arc<Vec<ScimEvent>>,
) -> anyhow::Result<(Phase, Knowledge, Tally)> {
    let next = Arc::new(AtomicUsize::new(0));
    // Each client starts from what the earlier phase learnt, as a vendor's push job starts
    // from the ids its database holds: copying that (every user, per client) is set-up, so
    // the clock starts after it and stops before the copies are merged back.
    let clients: Vec<ScimPushClient> = (0..cfg.concurrency.max(1))
        .map(|_| {
            ScimPushClient::new(cfg.dialect, cfg.base_url.clone(), cfg.token.clone())
                .with_timeout(Duration::from_secs(60))
                .with_knowledge(known.clone())
        })
        .collect();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut client in clients {
        let next = next.clone();
        let events = events.clone();
        tasks.push(tokio::spawn(async move {
            let mut t = Tally {
                event: Vec::new(),
                request: Vec::new(),
                failed: 0,
                requests: 0,
                findings: 0,
                failures: Vec::new(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(e) = events.get(i) else { break };
                let t0 = Instant::now();
                let o = client.push(e).await;
                t.event.push(t0.elapsed());
                t.requests += o.exchanges.len();
                t.request.extend(
                    o.exchanges
                        .iter()
                        .map(|x| Duration::from_millis(x.duration_ms)),
                );
                t.findings += o.findings.len();
                if o.status != EventStatus::Done || !o.findings.is_empty() {
                    t.failed += 1;
                    if t.failures.len() < 20 {
                        let f = o.findings.first().map(|f| f.detail.clone());
                        t.failures.push(format!(
                            "{}: {:?} {}",
                            o.event,
                            o.status,
                            f.unwrap_or_default()
                        ));
                    }
                }
            }
            (t, client)
        }));
    }
    let mut all = Tally {
        event: Vec::new(),
        request: Vec::new(),
        failed: 0,
        requests: 0,
        findings: 0,
        failures: Vec::new(),
    };
    let mut done = Vec::with_capacity(tasks.len());
    for task in tasks {
        done.push(task.await.context("a load worker panicked")?);
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let mut merged = known;
    for (t, client) in done {
        let k = client.into_knowledge();
        all.event.extend(t.event);
        all.request.extend(t.request);
        all.failed += t.failed;
        all.requests += t.requests;
        all.findings += t.findings;
        all.failures.extend(t.failures);
        merged.users.extend(k.users);
        merged.groups.extend(k.groups);
    }
    let p = Phase {
        events: events.len(),
        failed: all.failed,
        requests: all.requests,
        seconds: secs,
        events_per_sec: events.len() as f64 / secs,
        requests_per_sec: all.requests as f64 / secs,
        event_latency: Latency::of(std::mem::take(&mut all.event)),
        request_latency: Latency::of(std::mem::take(&mut all.request)),
    };
    Ok((p, merged, all))
}

async fn get(http: &reqwest::Client, cfg: &LoadConfig, path: &str) -> anyhow::Result<(u16, Value)> {
    let r = http
        .get(format!("{}{path}", cfg.base_url.trim_end_matches('/')))
        .bearer_auth(&cfg.token)
        .header("accept", "application/scim+json")
        .send()
        .await?;
    let status = r.status().as_u16();
    let v = r.json().await.unwrap_or(Value::Null);
    Ok((status, v))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Push, then verify.
pub async fn run(mut cfg: LoadConfig) -> anyhow::Result<LoadReport> {
    let tag = RandomIds.hex(3);
    let users: Vec<ScimEvent> = (0..cfg.users)
        .map(|i| ScimEvent::Assign {
            user: user(&tag, i),
        })
        .collect();
    let (user_phase, known, t1) = phase(&cfg, Knowledge::default(), Arc::new(users)).await?;
    let groups: Vec<ScimEvent> = (0..cfg.groups)
        .map(|g| ScimEvent::PushGroup {
            group: PushGroup {
                idp_id: format!("00g{tag}{g:05}"),
                display_name: format!("load-{tag}-group-{g}"),
                members: group_members(&tag, g, &cfg),
            },
        })
        .collect();
    let (group_phase, known, t2) = phase(&cfg, known, Arc::new(groups)).await?;

    // Verify.
    let http = reqwest::Client::new();
    let total = |v: &Value| v["totalResults"].as_i64();
    let (_, v) = get(
        &http,
        &cfg,
        &format!(
            "/Users?filter={}&count=0",
            enc(&format!("userName sw \"load-{tag}-\""))
        ),
    )
    .await?;
    let scim_user_total = total(&v);
    let (_, v) = get(
        &http,
        &cfg,
        &format!(
            "/Groups?filter={}&count=0",
            enc(&format!("displayName sw \"load-{tag}-group-\""))
        ),
    )
    .await?;
    let scim_group_total = total(&v);
    let admin_member_count = match cfg.admin.as_mut() {
        Some((admin, org)) => {
            let v = admin.members(org).await?;
            Some(
                v["members"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|m| {
                                m["username"]
                                    .as_str()
                                    .is_some_and(|u| u.starts_with(&format!("load-{tag}-")))
                            })
                            .count()
                    })
                    .unwrap_or(0),
            )
        }
        None => None,
    };
    let mut mismatches = Vec::new();
    let mut checked = 0;
    let picks: Vec<usize> = (0..cfg.spot_checks.min(cfg.users))
        .map(|k| {
            let r = u64::from_str_radix(&RandomIds.hex(4), 16).unwrap_or(k as u64);
            (r as usize) % cfg.users
        })
        .collect();
    for i in picks {
        checked += 1;
        let u = user(&tag, i);
        let Some(k) = known.user(&u.idp_id) else {
            mismatches.push(format!("user {i}: the client never learnt its SCIM id"));
            continue;
        };
        let (status, v) = get(&http, &cfg, &format!("/Users/{}", k.scim_id)).await?;
        let email = v["emails"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|e| e["type"] == "work" || e["primary"] == true)
            })
            .map(|e| e["value"].clone())
            .unwrap_or_default();
        let ok = status == 200
            && v["userName"] == u.user_name.as_str()
            && v["name"]["givenName"] == u.given_name.as_str()
            && v["name"]["familyName"] == u.family_name.as_str()
            && email == u.email.as_str()
            && v["active"] == true
            && v["externalId"] == u.idp_id.as_str();
        if !ok {
            mismatches.push(format!("user {i}: {status} {v}"));
        }
        if let Some((admin, org)) = cfg.admin.as_mut() {
            match admin.member(org, &u.user_name).await? {
                Some(m) if m["active"] == true => {}
                other => mismatches.push(format!("user {i}: admin API member {other:?}")),
            }
        }
    }
    for g in 0..cfg.groups.min(cfg.spot_checks.max(1)) {
        let g = (g * 7919) % cfg.groups.max(1);
        checked += 1;
        let want = group_members(&tag, g, &cfg).len();
        let Some(k) = known.group(&format!("00g{tag}{g:05}")) else {
            mismatches.push(format!("group {g}: never created"));
            continue;
        };
        let (status, v) = get(&http, &cfg, &format!("/Groups/{}", k.scim_id)).await?;
        let n = v["members"].as_array().map(Vec::len).unwrap_or(0);
        if status != 200 || n != want {
            mismatches.push(format!("group {g}: {status}, {n} members, {want} expected"));
        }
    }
    let mut failures = t1.failures;
    failures.extend(t2.failures);
    failures.truncate(20);
    let complete = user_phase.failed == 0
        && group_phase.failed == 0
        && scim_user_total == Some(cfg.users as i64)
        && scim_group_total == Some(cfg.groups as i64)
        && admin_member_count.is_none_or(|n| n == cfg.users)
        && mismatches.is_empty();
    let members_per_group = (0..cfg.groups)
        .map(|g| group_members(&tag, g, &cfg).len())
        .max()
        .unwrap_or(0);
    Ok(LoadReport {
        dialect: cfg.dialect,
        users: cfg.users,
        groups: cfg.groups,
        members_per_group,
        concurrency: cfg.concurrency,
        user_phase,
        group_phase,
        failures,
        findings: t1.findings + t2.findings,
        scim_user_total,
        scim_group_total,
        admin_member_count,
        spot_checked: checked,
        spot_mismatches: mismatches,
        complete,
    })
}
