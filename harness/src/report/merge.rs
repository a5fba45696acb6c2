//! A run's machine-readable record (results.json), and the merge of shard runs into one.
//!
//! Every run writes results.json next to its reports: the run's facts, what it selected, the
//! catalogue it partitioned, its shard, and every [`ScenarioResult`]. `idpsim report merge`
//! reads the shards' records, refuses any set that cannot be one run (another target,
//! catalogue, selection or flaw set, a shard missing or given twice, a scenario in two
//! shards), and re-renders every report from the union with the same writers a single run
//! uses, so the merged reports equal a full run's apart from the times.

pub use super::CatalogueId;
use super::Summary;
use crate::result::ScenarioResult;
use crate::shard::Shard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The format tag of results.json.
pub const FORMAT: &str = "idpsim-results/1";

/// What a run selected from the catalogue: tags, vendors and protocols.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub tags: Option<String>,
    pub vendors: Vec<String>,
    pub protocols: Vec<String>,
}

/// results.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: String,
    pub summary: Summary,
    /// A black-box target (verdicts.md is written too).
    pub black_box: bool,
    pub selection: Selection,
    pub catalogue: CatalogueId,
    /// None: the whole catalogue (the same as 1/1).
    pub shard: Option<Shard>,
    pub results: Vec<ScenarioResult>,
}

impl RunRecord {
    fn shard_or_whole(&self) -> Shard {
        self.shard.unwrap_or(Shard { index: 1, count: 1 })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: give the report directories of the shards")]
    NoInput,
    #[error("{path}: cannot read results.json ({source}); was it written by `idpsim run`?")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: results.json is not valid: {source}")]
    Invalid {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: results.json has format {found:?}, this build reads {FORMAT:?}")]
    Format { path: PathBuf, found: String },
    #[error("different runs: {what} is {a:?} in {a_path} but {b:?} in {b_path}")]
    Mismatch {
        what: &'static str,
        a: String,
        a_path: PathBuf,
        b: String,
        b_path: PathBuf,
    },
    #[error("shard {shard} is given twice: {first} and {second}")]
    ShardTwice {
        shard: Shard,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("incomplete: shard(s) {missing:?} of {count} missing")]
    ShardMissing { missing: Vec<usize>, count: usize },
    #[error(
        "scenario {scenario:?} ({feature_path}:{line}) is in two shards: {first} and {second}; \
         were they partitioned from different catalogues?"
    )]
    ScenarioTwice {
        scenario: String,
        feature_path: String,
        line: usize,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("cannot write the merged reports: {0}")]
    Write(#[from] std::io::Error),
}

/// Reads `dir/results.json`.
pub fn read(dir: &Path) -> Result<RunRecord, MergeError> {
    let path = dir.join("results.json");
    let bytes = std::fs::read(&path).map_err(|source| MergeError::Unreadable {
        path: path.clone(),
        source,
    })?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|source| MergeError::Invalid {
            path: path.clone(),
            source,
        })?;
    let found = v["format"].as_str().unwrap_or_default();
    if found != FORMAT {
        return Err(MergeError::Format {
            path,
            found: found.to_string(),
        });
    }
    serde_json::from_value(v).map_err(|source| MergeError::Invalid { path, source })
}

/// Results in report order: by feature file, then line.
pub fn sort(results: &mut [ScenarioResult]) {
    results.sort_by(|a, b| {
        (&a.feature_path, a.line, &a.scenario).cmp(&(&b.feature_path, b.line, &b.scenario))
    });
}

/// One record from the shards' records (each with the directory it came from).
pub fn merge(parts: Vec<(PathBuf, RunRecord)>) -> Result<RunRecord, MergeError> {
    let Some((first_path, first)) = parts.first().cloned() else {
        return Err(MergeError::NoInput);
    };
    let mismatch = |what, a: String, b: String, b_path: &Path| MergeError::Mismatch {
        what,
        a,
        a_path: first_path.clone(),
        b,
        b_path: b_path.to_path_buf(),
    };
    let count = first.shard_or_whole().count;
    let mut by_shard: BTreeMap<usize, PathBuf> = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut results = Vec::new();
    let mut started = first.summary.started.clone();
    let mut wall_time_ms = 0;
    for (path, r) in &parts {
        if r.summary.target != first.summary.target {
            return Err(mismatch(
                "the target",
                first.summary.target.clone(),
                r.summary.target.clone(),
                path,
            ));
        }
        if r.summary.sp_flaws != first.summary.sp_flaws {
            return Err(mismatch(
                "the reference SP's flaws",
                first.summary.sp_flaws.join(","),
                r.summary.sp_flaws.join(","),
                path,
            ));
        }
        if r.catalogue != first.catalogue {
            return Err(mismatch(
                "the catalogue",
                format!(
                    "{} scenarios, {}",
                    first.catalogue.scenarios, first.catalogue.digest
                ),
                format!(
                    "{} scenarios, {}",
                    r.catalogue.scenarios, r.catalogue.digest
                ),
                path,
            ));
        }
        if r.selection != first.selection {
            return Err(mismatch(
                "the selection (--tags, --vendor, --protocol)",
                format!("{:?}", first.selection),
                format!("{:?}", r.selection),
                path,
            ));
        }
        if r.black_box != first.black_box {
            return Err(mismatch(
                "black-box",
                first.black_box.to_string(),
                r.black_box.to_string(),
                path,
            ));
        }
        let shard = r.shard_or_whole();
        if shard.count != count {
            return Err(mismatch(
                "the shard count",
                count.to_string(),
                shard.count.to_string(),
                path,
            ));
        }
        if let Some(prev) = by_shard.insert(shard.index, path.clone()) {
            return Err(MergeError::ShardTwice {
                shard,
                first: prev,
                second: path.clone(),
            });
        }
        for s in &r.results {
            let key = (s.feature_path.clone(), s.scenario.clone());
            if let Some(prev) = seen.insert(key, path.clone()) {
                return Err(MergeError::ScenarioTwice {
                    scenario: s.scenario.clone(),
                    feature_path: s.feature_path.clone(),
                    line: s.line,
                    first: prev,
                    second: path.clone(),
                });
            }
        }
        results.extend(r.results.iter().cloned());
        started = started.min(r.summary.started.clone());
        wall_time_ms = wall_time_ms.max(r.summary.wall_time_ms);
    }
    let missing: Vec<usize> = (1..=count).filter(|i| !by_shard.contains_key(i)).collect();
    if !missing.is_empty() {
        return Err(MergeError::ShardMissing { missing, count });
    }
    sort(&mut results);
    Ok(RunRecord {
        format: FORMAT.to_string(),
        summary: Summary {
            started,
            wall_time_ms,
            ..first.summary
        },
        black_box: first.black_box,
        selection: first.selection,
        catalogue: first.catalogue,
        shard: None,
        results,
    })
}

/// Writes results.json and every report of `record` into `dir`.
pub fn write(
    dir: &Path,
    record: &RunRecord,
    drifts: &[super::snapshot::Drift],
) -> std::io::Result<super::Written> {
    let written = super::write_all(dir, &record.results, &record.summary)?;
    let html = super::html::render(
        &record.summary,
        &record.catalogue,
        record.black_box,
        &record.results,
        drifts,
    )
    .map_err(std::io::Error::other)?;
    std::fs::write(dir.join("report.html"), html)?;
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?,
    )?;
    if record.black_box {
        std::fs::write(
            dir.join("verdicts.md"),
            super::verdicts::markdown(&record.summary.target, &record.results),
        )?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Evidence, StepResult, StepStatus, Verdict};
    use crate::shard::{self, Durations, Partition, ScenarioKey};

    const VERDICTS: [Verdict; 5] = [
        Verdict::Passed,
        Verdict::Failed,
        Verdict::NotApplicable,
        Verdict::ExpectedFailure,
        Verdict::Passed,
    ];

    /// A result for every scenario of the real catalogue, with assorted verdicts.
    fn full_results(keys: &[ScenarioKey]) -> Vec<ScenarioResult> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| {
                let verdict = VERDICTS[i % VERDICTS.len()];
                ScenarioResult {
                    feature: format!("Feature {}", k.feature_path),
                    feature_path: k.feature_path.clone(),
                    scenario: k.scenario.clone(),
                    line: 3 + i,
                    tags: vec!["@okta".into(), "@saml".into(), format!("@req-R-{}", i % 7)],
                    verdict,
                    deviation: (verdict == Verdict::ExpectedFailure).then(|| "known".into()),
                    steps: vec![StepResult {
                        keyword: "Then".into(),
                        text: "it holds".into(),
                        status: if verdict == Verdict::Failed {
                            StepStatus::Failed
                        } else {
                            StepStatus::Passed
                        },
                        error: (verdict == Verdict::Failed).then(|| "accepted".into()),
                    }],
                    reason: (verdict == Verdict::NotApplicable).then(|| "no clock".into()),
                    duration_ms: 10 + (i as u64 * 37) % 900,
                    evidence: Evidence::default(),
                }
            })
            .collect()
    }

    fn record(results: Vec<ScenarioResult>, shard: Option<Shard>, n: u64) -> RunRecord {
        let keys = shard::catalogue(&crate::runner::default_features_dir()).expect("features");
        RunRecord {
            format: FORMAT.into(),
            summary: Summary {
                target: "idpsim-reference-sp".into(),
                started: format!("2026-12-01T10:0{n}:00+00:00"),
                wall_time_ms: 1000 + n * 17,
                sp_flaws: vec![],
            },
            black_box: false,
            selection: Selection::default(),
            catalogue: CatalogueId {
                scenarios: keys.len(),
                digest: shard::digest(&keys),
            },
            shard,
            results,
        }
    }

    /// A report with its times taken out: durations, wall time and start.
    fn without_times(dir: &Path, file: &str) -> String {
        let text = std::fs::read_to_string(dir.join(file)).expect(file);
        let patterns = [
            r#"time="[0-9.]+""#,
            r#""duration": [0-9]+"#,
            r#""duration_ms": [0-9]+"#,
            r#""wall_time_ms": [0-9]+"#,
            r#""started": "[^"]*""#,
            r"- wall time: [0-9.]+ s",
            r"- started: .*",
            r#"<span class="time">[^<]*</span>"#,
        ];
        patterns.iter().fold(text, |t, p| {
            regex::Regex::new(p)
                .expect("pattern")
                .replace_all(&t, "<time>")
                .into_owned()
        })
    }

    fn shard_dirs(root: &Path, full: &[ScenarioResult], n: usize) -> Vec<(PathBuf, RunRecord)> {
        let keys: Vec<ScenarioKey> = full.iter().map(ScenarioKey::of).collect();
        let plan = Partition::plan(&keys, &Durations::default(), n);
        (1..=n)
            .map(|i| {
                let shard = Shard { index: i, count: n };
                let mine = plan.keys_of(shard);
                let results = full
                    .iter()
                    .filter(|r| mine.contains(&ScenarioKey::of(r)))
                    .cloned()
                    .collect();
                let dir = root.join(format!("shard-{i}"));
                let rec = record(results, Some(shard), i as u64);
                write(&dir, &rec, &[]).expect("write shard");
                (dir.clone(), read(&dir).expect("read back"))
            })
            .collect()
    }

    /// Merging the shards' reports gives the full run's reports, apart from the times, for
    /// n = 1..5.
    #[test]
    fn merged_shards_equal_the_full_run() {
        let keys = shard::catalogue(&crate::runner::default_features_dir()).expect("features");
        let full = full_results(&keys);
        let tmp = tempfile::tempdir().expect("tmp");
        let whole = tmp.path().join("full");
        write(&whole, &record(full.clone(), None, 0), &[]).expect("write full");
        for n in 1..=5 {
            let root = tmp.path().join(format!("n{n}"));
            let parts = shard_dirs(&root, &full, n);
            let merged = merge(parts).expect("merge");
            assert_eq!(merged.results.len(), full.len());
            let out = root.join("merged");
            write(&out, &merged, &[]).expect("write merged");
            for file in [
                "summary.json",
                "summary.md",
                "junit.xml",
                "cucumber.json",
                "results.json",
                "report.html",
            ] {
                let (a, b) = (without_times(&whole, file), without_times(&out, file));
                assert!(a == b, "{file} differs for {n} shards");
            }
        }
    }

    #[test]
    fn refuses_parts_that_are_not_one_run() {
        let keys = shard::catalogue(&crate::runner::default_features_dir()).expect("features");
        let full = full_results(&keys);
        let tmp = tempfile::tempdir().expect("tmp");
        let parts = shard_dirs(tmp.path(), &full, 3);

        // A scenario in two shards.
        let mut twice = parts.clone();
        let stray = twice[0].1.results[0].clone();
        twice[1].1.results.push(stray);
        assert!(matches!(
            merge(twice),
            Err(MergeError::ScenarioTwice { .. })
        ));

        // Another target.
        let mut other = parts.clone();
        other[2].1.summary.target = "mellon".into();
        let e = merge(other).expect_err("other target");
        assert!(matches!(
            e,
            MergeError::Mismatch {
                what: "the target",
                ..
            }
        ));
        assert!(e.to_string().contains("mellon"), "{e}");

        // Another catalogue.
        let mut other = parts.clone();
        other[1].1.catalogue.digest = "0000000000000000".into();
        assert!(matches!(
            merge(other),
            Err(MergeError::Mismatch {
                what: "the catalogue",
                ..
            })
        ));

        // Another selection.
        let mut other = parts.clone();
        other[1].1.selection.tags = Some("@okta".into());
        assert!(matches!(merge(other), Err(MergeError::Mismatch { .. })));

        // Another partition size, a shard given twice, a shard missing.
        let mut other = parts.clone();
        other[1].1.shard = Some(Shard { index: 2, count: 4 });
        assert!(matches!(
            merge(other),
            Err(MergeError::Mismatch {
                what: "the shard count",
                ..
            })
        ));
        let mut other = parts.clone();
        other.push(other[0].clone());
        assert!(matches!(merge(other), Err(MergeError::ShardTwice { .. })));
        let mut other = parts.clone();
        other.remove(1);
        assert!(matches!(
            merge(other),
            Err(MergeError::ShardMissing { ref missing, count: 3 }) if missing == &[2]
        ));
        assert!(matches!(merge(Vec::new()), Err(MergeError::NoInput)));

        // A directory without results.json, and one from another format.
        assert!(matches!(
            read(&tmp.path().join("nowhere")),
            Err(MergeError::Unreadable { .. })
        ));
        let odd = tmp.path().join("odd");
        std::fs::create_dir_all(&odd).expect("dir");
        std::fs::write(odd.join("results.json"), r#"{"format": "something-else"}"#).expect("write");
        assert!(matches!(read(&odd), Err(MergeError::Format { .. })));

        // The parts as they are do merge.
        assert!(merge(parts).is_ok());
    }
}
