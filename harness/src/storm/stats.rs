//! What a storm measured: latency histograms per hop, outcomes and errors by kind, and the
//! report they become (JSON, OpenMetrics text, a terminal table).

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

/// One leg of a round trip, timed on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hop {
    /// The SP's answer to the sign-in link: the redirect (or form) to the IdP.
    SpStart,
    /// The IdP: the assertion form (SAML) or the redirect with a code (OIDC).
    Idp,
    /// The SP accepting the assertion or code (for OIDC with its token call), up to the
    /// page it lands the user on.
    SpAccept,
    /// The protected page after sign-in.
    Probe,
}

impl Hop {
    pub const ALL: [Hop; 4] = [Hop::SpStart, Hop::Idp, Hop::SpAccept, Hop::Probe];

    pub fn as_str(self) -> &'static str {
        match self {
            Hop::SpStart => "sp_start",
            Hop::Idp => "idp",
            Hop::SpAccept => "sp_accept",
            Hop::Probe => "probe",
        }
    }
}

/// Why a login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A 4xx answer where the journey expected to go on.
    Refused,
    /// A 5xx answer.
    ServerError,
    /// A hop that did not answer within the hop timeout.
    Timeout,
    /// No connection, or it broke mid-answer.
    Connection,
    /// An answer that fits no step of the flow (no way to the IdP, a redirect loop, the SP
    /// sending the browser back to the IdP).
    Protocol,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::ServerError => "5xx",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connection => "connection",
            ErrorKind::Protocol => "protocol",
        }
    }
}

/// A failed login: what went wrong, where, and a line for a human.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub hop: Hop,
    pub detail: String,
}

/// A successful login's time per hop.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub per_hop: [Duration; 4],
    pub total: Duration,
}

impl Timings {
    pub fn add(&mut self, hop: Hop, d: Duration) {
        self.per_hop[hop as usize] += d;
    }
}

/// Latency percentiles of one hop, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// How many failures of one kind at one hop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorCount {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    pub hop: Hop,
    pub count: u64,
    /// The first such failure, as a human reads it.
    pub example: String,
}

/// Outcome of one check against the SP afterwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    /// `None`: could not be checked (the reason is in `detail`).
    pub passed: Option<bool>,
    pub detail: String,
}

/// Per route (vendor and protocol): whole-run counts, warm-up included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteCount {
    pub route: String,
    pub ok: u64,
    pub failed: u64,
}

/// The measured window (after the warm-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub seconds: f64,
    pub ok: u64,
    pub failed: u64,
    /// Successful round trips per second.
    pub throughput_per_sec: f64,
    /// Per hop, plus `round_trip` for the whole login.
    pub latency: BTreeMap<String, Percentiles>,
}

/// Raw RSA-2048 signatures per second on one core, measured in the same run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RsaBaseline {
    pub signs_per_sec: f64,
    /// Round trips per second divided by signs per second.
    pub ratio: f64,
    pub how: String,
}

/// Everything `idpsim load` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Interrupted (Ctrl-C) before its end: the figures cover what ran.
    pub partial: bool,
    pub target: String,
    pub protocol: String,
    pub vendors: Vec<String>,
    /// `closed` (N virtual users) or `open` (arrivals per second).
    pub mode: String,
    pub users: usize,
    pub rate_per_sec: Option<f64>,
    pub warmup_secs: f64,
    /// Logins started, finished, and still running when the storm was cut off.
    pub started: u64,
    pub finished: u64,
    pub unfinished: u64,
    /// Open loop: arrivals not sent because too many logins were already in flight.
    pub skipped: u64,
    pub routes: Vec<RouteCount>,
    pub measured: Measured,
    /// Whole run, warm-up included.
    pub errors: Vec<ErrorCount>,
    pub checks: Vec<Check>,
    pub rsa: Option<RsaBaseline>,
}

impl Report {
    /// Write `load.json` and `load.om.txt` (OpenMetrics text) into `dir`, creating it.
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("load.json"), serde_json::to_string_pretty(self)?)?;
        std::fs::write(dir.join("load.om.txt"), self.openmetrics())
    }

    pub fn checks_passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed != Some(false))
    }

    /// The report as a terminal table.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let m = &self.measured;
        let _ = writeln!(
            s,
            "idpsim load{}: {} over {} against {}",
            if self.partial {
                " (PARTIAL: interrupted)"
            } else {
                ""
            },
            self.vendors.join(","),
            self.protocol,
            self.target
        );
        let _ = writeln!(
            s,
            "{} loop, {} users{}, warm-up {:.1}s excluded",
            self.mode,
            self.users,
            self.rate_per_sec
                .map(|r| format!(", {r} logins/s offered"))
                .unwrap_or_default(),
            self.warmup_secs
        );
        let _ = writeln!(
            s,
            "measured {:.2}s: {} ok, {} failed, {:.1} round trips/s",
            m.seconds, m.ok, m.failed, m.throughput_per_sec
        );
        let _ = writeln!(
            s,
            "\n{:<11} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "hop", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        // In the order of the flow.
        let order = Hop::ALL.iter().map(|h| h.as_str()).chain(["round_trip"]);
        for (hop, p) in order.filter_map(|h| m.latency.get(h).map(|p| (h, p))) {
            let _ = writeln!(
                s,
                "{hop:<11} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                p.count, p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms
            );
        }
        let _ = writeln!(
            s,
            "\nlogins: {} started, {} finished, {} unfinished, {} skipped",
            self.started, self.finished, self.unfinished, self.skipped
        );
        for r in &self.routes {
            let _ = writeln!(s, "  {:<14} {} ok, {} failed", r.route, r.ok, r.failed);
        }
        if self.errors.is_empty() {
            let _ = writeln!(s, "errors: none");
        } else {
            let _ = writeln!(s, "errors (warm-up included):");
            for e in &self.errors {
                let status = e.status.map(|c| format!(" {c}")).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {}{status} at {}: {} (e.g. {})",
                    e.kind.as_str(),
                    e.hop.as_str(),
                    e.count,
                    e.example
                );
            }
        }
        let _ = writeln!(s, "checks:");
        for c in &self.checks {
            let v = match c.passed {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "skip",
            };
            let _ = writeln!(s, "  {v} {}: {}", c.name, c.detail);
        }
        if let Some(r) = &self.rsa {
            let _ = writeln!(
                s,
                "RSA-2048: {:.0} signs/s on one core ({}); round trips/s over signs/s = {:.3}",
                r.signs_per_sec, r.how, r.ratio
            );
        }
        s
    }

    /// The report in the OpenMetrics text format (Prometheus exposition), ending in `# EOF`.
    pub fn openmetrics(&self) -> String {
        let mut s = String::new();
        let m = &self.measured;
        let _ = writeln!(s, "# TYPE idpsim_load_logins counter");
        let _ = writeln!(
            s,
            "# HELP idpsim_load_logins Logins in the measured window, by outcome."
        );
        let _ = writeln!(s, "idpsim_load_logins_total{{outcome=\"ok\"}} {}", m.ok);
        let _ = writeln!(
            s,
            "idpsim_load_logins_total{{outcome=\"failed\"}} {}",
            m.failed
        );
        let _ = writeln!(s, "# TYPE idpsim_load_throughput_per_second gauge");
        let _ = writeln!(
            s,
            "# HELP idpsim_load_throughput_per_second Successful round trips per second."
        );
        let _ = writeln!(
            s,
            "idpsim_load_throughput_per_second {}",
            m.throughput_per_sec
        );
        let _ = writeln!(s, "# TYPE idpsim_load_latency_seconds summary");
        let _ = writeln!(s, "# UNIT idpsim_load_latency_seconds seconds");
        let _ = writeln!(
            s,
            "# HELP idpsim_load_latency_seconds Latency per hop of successful logins."
        );
        for (hop, p) in &m.latency {
            for (q, v) in [("0.5", p.p50_ms), ("0.9", p.p90_ms), ("0.99", p.p99_ms)] {
                let _ = writeln!(
                    s,
                    "idpsim_load_latency_seconds{{hop=\"{hop}\",quantile=\"{q}\"}} {}",
                    v / 1000.0
                );
            }
            let _ = writeln!(
                s,
                "idpsim_load_latency_seconds_sum{{hop=\"{hop}\"}} {}",
                p.mean_ms * p.count as f64 / 1000.0
            );
            let _ = writeln!(
                s,
                "idpsim_load_latency_seconds_count{{hop=\"{hop}\"}} {}",
                p.count
            );
        }
        let _ = writeln!(s, "# TYPE idpsim_load_latency_max_seconds gauge");
        let _ = writeln!(s, "# UNIT idpsim_load_latency_max_seconds seconds");
        for (hop, p) in &m.latency {
            let _ = writeln!(
                s,
                "idpsim_load_latency_max_seconds{{hop=\"{hop}\"}} {}",
                p.max_ms / 1000.0
            );
        }
        let _ = writeln!(s, "# TYPE idpsim_load_errors counter");
        let _ = writeln!(
            s,
            "# HELP idpsim_load_errors Failed logins by kind, status and hop (warm-up included)."
        );
        for e in &self.errors {
            let _ = writeln!(
                s,
                "idpsim_load_errors_total{{kind=\"{}\",status=\"{}\",hop=\"{}\"}} {}",
                e.kind.as_str(),
                e.status.map(|c| c.to_string()).unwrap_or_default(),
                e.hop.as_str(),
                e.count
            );
        }
        let _ = writeln!(s, "# TYPE idpsim_load_check_passed gauge");
        let _ = writeln!(
            s,
            "# HELP idpsim_load_check_passed Checks against the SP afterwards: 1 passed, 0 failed, -1 not checked."
        );
        for c in &self.checks {
            let v = match c.passed {
                Some(true) => 1,
                Some(false) => 0,
                None => -1,
            };
            let _ = writeln!(
                s,
                "idpsim_load_check_passed{{check=\"{}\"}} {v}",
                label_value(&c.name)
            );
        }
        let _ = writeln!(s, "# TYPE idpsim_load_partial gauge");
        let _ = writeln!(s, "idpsim_load_partial {}", u8::from(self.partial));
        if let Some(r) = &self.rsa {
            let _ = writeln!(s, "# TYPE idpsim_load_rsa2048_signs_per_second gauge");
            let _ = writeln!(
                s,
                "idpsim_load_rsa2048_signs_per_second {}",
                r.signs_per_sec
            );
        }
        s.push_str("# EOF\n");
        s
    }
}

/// A label value as the exposition format wants it escaped.
fn label_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// What the running storm records; one per storm, behind a mutex.
#[derive(Debug)]
pub struct Recorder {
    hops: Vec<Histogram<u64>>,
    round_trip: Histogram<u64>,
    pub measured_ok: u64,
    pub measured_failed: u64,
    errors: BTreeMap<(ErrorKind, Option<u16>, Hop), (u64, String)>,
    /// Per route: successful logins, failed ones, and the users that got in at least once.
    pub routes: Vec<RouteTally>,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTally {
    pub ok: u64,
    pub failed: u64,
    pub users_in: BTreeSet<usize>,
    pub users_tried: BTreeSet<usize>,
}

/// Latencies up to an hour, three significant figures, in microseconds.
fn histogram() -> Histogram<u64> {
    // Invariant: these bounds are valid (low >= 1, high >= 2 * low, sigfig <= 5).
    Histogram::new_with_bounds(1, 3_600_000_000, 3)
        .unwrap_or_else(|e| panic!("histogram bounds: {e:?}"))
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

impl Recorder {
    pub fn new(routes: usize) -> Self {
        Self {
            hops: Hop::ALL.iter().map(|_| histogram()).collect(),
            round_trip: histogram(),
            measured_ok: 0,
            measured_failed: 0,
            errors: BTreeMap::new(),
            routes: vec![RouteTally::default(); routes],
        }
    }

    /// One finished login of `user` on `route`; `measured` when it started after the warm-up.
    pub fn record(
        &mut self,
        route: usize,
        user: usize,
        measured: bool,
        outcome: &Result<Timings, Failure>,
    ) {
        let tally = &mut self.routes[route];
        tally.users_tried.insert(user);
        match outcome {
            Ok(t) => {
                tally.ok += 1;
                tally.users_in.insert(user);
                if measured {
                    self.measured_ok += 1;
                    for (h, d) in self.hops.iter_mut().zip(t.per_hop) {
                        h.saturating_record(micros(d));
                    }
                    self.round_trip.saturating_record(micros(t.total));
                }
            }
            Err(f) => {
                tally.failed += 1;
                if measured {
                    self.measured_failed += 1;
                }
                self.errors
                    .entry((f.kind, f.status, f.hop))
                    .or_insert_with(|| (0, f.detail.clone()))
                    .0 += 1;
            }
        }
    }

    pub fn errors(&self) -> Vec<ErrorCount> {
        self.errors
            .iter()
            .map(|((kind, status, hop), (count, example))| ErrorCount {
                kind: *kind,
                status: *status,
                hop: *hop,
                count: *count,
                example: example.clone(),
            })
            .collect()
    }

    pub fn latency(&self) -> BTreeMap<String, Percentiles> {
        let pct = |h: &Histogram<u64>| {
            let ms = |v: u64| v as f64 / 1000.0;
            Percentiles {
                count: h.len(),
                p50_ms: ms(h.value_at_quantile(0.5)),
                p90_ms: ms(h.value_at_quantile(0.9)),
                p99_ms: ms(h.value_at_quantile(0.99)),
                max_ms: ms(h.max()),
                mean_ms: h.mean() / 1000.0,
            }
        };
        let mut out: BTreeMap<String, Percentiles> = Hop::ALL
            .iter()
            .zip(&self.hops)
            .map(|(hop, h)| (hop.as_str().to_string(), pct(h)))
            .collect();
        out.insert("round_trip".to_string(), pct(&self.round_trip));
        out
    }
}
