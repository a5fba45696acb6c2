//! CI sharding: `idpsim run --shard i/n` runs one part of a deterministic partition of the
//! catalogue, balanced by each scenario's recorded duration.
//!
//! Design:
//! - A scenario is keyed by its feature path (relative to the features directory) and its
//!   name after Scenario Outline expansion, never by position: moving or reordering feature
//!   files, or adding an unrelated scenario, leaves every other scenario's key alone.
//! - The partition is a greedy longest-first assignment (LPT): scenarios sorted by recorded
//!   duration, longest first, ties by key; each goes to the least loaded shard, ties to the
//!   lowest index. Only the set of keys and the durations file decide it, so every shard of a
//!   CI matrix computes the same partition on its own, with no coordinator.
//! - Durations live in a committed file (reports/durations.json), refreshed from a run's
//!   results.json by `idpsim report durations`. A scenario missing from it counts as the median
//!   of those present (1 ms when none are).
//! - The partition covers the whole catalogue found on disk; tag, vendor and protocol filters
//!   apply afterwards, inside each shard, so the union of the shards is still the filtered set.

use crate::result::ScenarioResult;
use cucumber::feature::Ext as _;
use cucumber::gherkin;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One part of a partition: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard {given:?}: expected i/n with whole numbers, e.g. 2/5")]
    Syntax { given: String },
    #[error("--shard {given:?}: the shard count must be at least 1")]
    NoShards { given: String },
    #[error("--shard {given:?}: shards are numbered from 1 to {count}")]
    OutOfRange { given: String, count: usize },
}

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || ShardError::Syntax {
            given: s.to_string(),
        };
        let (i, n) = s.trim().split_once('/').ok_or_else(syntax)?;
        let number = |t: &str| {
            let t = t.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            t.parse::<usize>().map_err(|_| syntax())
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 {
            return Err(ShardError::NoShards {
                given: s.to_string(),
            });
        }
        if index == 0 || index > count {
            return Err(ShardError::OutOfRange {
                given: s.to_string(),
                count,
            });
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A scenario's identity across runs and machines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ScenarioKey {
    /// Relative to the features directory, with `/` separators.
    pub feature_path: String,
    pub scenario: String,
}

impl ScenarioKey {
    pub fn new(feature_path: impl Into<String>, scenario: impl Into<String>) -> Self {
        Self {
            feature_path: feature_path.into(),
            scenario: scenario.into(),
        }
    }

    pub fn of(r: &ScenarioResult) -> Self {
        Self::new(r.feature_path.clone(), r.scenario.clone())
    }
}

/// Every scenario of the feature files under `dir` (Scenario Outlines expanded as cucumber
/// expands them), sorted by key. Files that do not parse are skipped here; the run reports
/// them.
pub fn catalogue(dir: &Path) -> std::io::Result<Vec<ScenarioKey>> {
    let mut files = Vec::new();
    if dir.is_file() {
        files.push(dir.to_path_buf());
    } else {
        collect_features(dir, &mut files)?;
    }
    let mut keys = Vec::new();
    for file in files {
        let Ok(feature) = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())
        else {
            continue;
        };
        let Ok(feature) = feature.expand_examples() else {
            continue;
        };
        let rel = relative(dir, &file);
        for s in feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
        {
            keys.push(ScenarioKey::new(rel.clone(), s.name.clone()));
        }
    }
    keys.sort();
    Ok(keys)
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_features(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("feature"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// `file` relative to `dir`, `/`-separated (as reports name feature files).
pub fn relative(dir: &Path, file: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let rel = canon(file)
        .strip_prefix(canon(dir))
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| file.to_path_buf());
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// A digest of the catalogue's keys (FNV-1a, 64 bits): two runs with the same digest ran
/// the same catalogue. Not a security measure.
pub fn digest(keys: &[ScenarioKey]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for k in keys {
        for b in k
            .feature_path
            .bytes()
            .chain([0u8])
            .chain(k.scenario.bytes())
            .chain([0u8])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Recorded durations in milliseconds, by feature path, then scenario name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    pub scenarios: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DurationsError {
    #[error("cannot read the durations file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the durations file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl Durations {
    /// The file at `path`, or none recorded when it does not exist.
    pub fn load(path: &Path) -> Result<Self, DurationsError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| DurationsError::Parse {
                path: path.to_path_buf(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(DurationsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub fn get(&self, k: &ScenarioKey) -> Option<u64> {
        self.scenarios
            .get(&k.feature_path)?
            .get(&k.scenario)
            .copied()
    }

    pub fn set(&mut self, k: &ScenarioKey, ms: u64) {
        self.scenarios
            .entry(k.feature_path.clone())
            .or_default()
            .insert(k.scenario.clone(), ms);
    }

    /// Records the scenarios that ran (not-applicable ones took no time and are left as they
    /// were). Returns how many were recorded.
    pub fn record(&mut self, results: &[ScenarioResult]) -> usize {
        let mut n = 0;
        for r in results {
            if r.verdict == crate::result::Verdict::NotApplicable {
                continue;
            }
            self.set(&ScenarioKey::of(r), r.duration_ms.max(1));
            n += 1;
        }
        n
    }

    /// Keeps only the scenarios of `catalogue` (renamed or deleted ones go).
    pub fn retain(&mut self, catalogue: &[ScenarioKey]) {
        let keep: BTreeSet<&ScenarioKey> = catalogue.iter().collect();
        for (path, m) in &mut self.scenarios {
            m.retain(|name, _| keep.contains(&ScenarioKey::new(path.clone(), name.clone())));
        }
        self.scenarios.retain(|_, m| !m.is_empty());
    }

    /// The median of the recorded durations of `keys` (1 ms when none is recorded).
    fn median(&self, keys: &[ScenarioKey]) -> u64 {
        let mut known: Vec<u64> = keys.iter().filter_map(|k| self.get(k)).collect();
        if known.is_empty() {
            return 1;
        }
        known.sort_unstable();
        known[known.len() / 2]
    }
}

/// The partition of `keys` into `count` shards: for each key, its shard (1-based), and each
/// shard's expected load in ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub assignment: BTreeMap<ScenarioKey, usize>,
    pub load_ms: Vec<u64>,
}

impl Partition {
    /// Greedy longest-first: see the module doc.
    pub fn plan(keys: &[ScenarioKey], durations: &Durations, count: usize) -> Partition {
        let count = count.max(1);
        let unique: BTreeSet<&ScenarioKey> = keys.iter().collect();
        let unique: Vec<&ScenarioKey> = unique.into_iter().collect();
        let owned: Vec<ScenarioKey> = unique.iter().map(|k| (*k).clone()).collect();
        let median = durations.median(&owned);
        let mut weighted: Vec<(u64, &ScenarioKey)> = unique
            .into_iter()
            .map(|k| (durations.get(k).unwrap_or(median), k))
            .collect();
        weighted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut load_ms = vec![0u64; count];
        let mut assignment = BTreeMap::new();
        for (ms, k) in weighted {
            let (lightest, _) = load_ms
                .iter()
                .enumerate()
                .min_by_key(|(i, l)| (**l, *i))
                .unwrap_or((0, &0));
            load_ms[lightest] += ms;
            assignment.insert(k.clone(), lightest + 1);
        }
        Partition {
            assignment,
            load_ms,
        }
    }

    /// The keys of one shard.
    pub fn keys_of(&self, shard: Shard) -> BTreeSet<ScenarioKey> {
        self.assignment
            .iter()
            .filter(|(_, s)| **s == shard.index)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features_dir() -> PathBuf {
        crate::runner::default_features_dir()
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/5".parse(), Ok(Shard { index: 2, count: 5 }));
        assert_eq!(" 1/1 ".parse(), Ok(Shard { index: 1, count: 1 }));
        let err = |s: &str| s.parse::<Shard>().expect_err(s);
        assert!(matches!(
            err("3/2"),
            ShardError::OutOfRange { count: 2, .. }
        ));
        assert!(matches!(
            err("0/3"),
            ShardError::OutOfRange { count: 3, .. }
        ));
        assert!(matches!(err("0/0"), ShardError::NoShards { .. }));
        assert!(matches!(err("1/0"), ShardError::NoShards { .. }));
        for garbage in [
            "", "1", "a/b", "1/2/3", "-1/2", "1/-2", "+1/2", "1.0/2", "/", "1/",
        ] {
            assert!(
                matches!(err(garbage), ShardError::Syntax { .. }),
                "{garbage:?}"
            );
        }
        assert!(err("99999999999999999999999/1")
            .to_string()
            .contains("whole numbers"));
        assert_eq!(Shard { index: 3, count: 4 }.to_string(), "3/4");
    }

    #[test]
    fn the_catalogue_has_unique_keys() {
        let keys = catalogue(&features_dir()).expect("features");
        assert!(keys.len() >= 500, "{} scenarios", keys.len());
        let unique: BTreeSet<&ScenarioKey> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "two scenarios share a key");
        assert!(keys.iter().all(|k| !k.feature_path.starts_with('/')));
    }

    /// The union of the n shards is the whole catalogue and no scenario is in two, for n =
    /// 1..5, with and without recorded durations.
    #[test]
    fn shards_partition_the_catalogue() {
        let keys = catalogue(&features_dir()).expect("features");
        let recorded = Durations::load(&features_dir().join("../reports/durations.json"))
            .expect("durations file");
        for durations in [Durations::default(), recorded] {
            for n in 1..=5 {
                let p = Partition::plan(&keys, &durations, n);
                let mut seen = BTreeSet::new();
                for i in 1..=n {
                    for k in p.keys_of(Shard { index: i, count: n }) {
                        assert!(seen.insert(k.clone()), "{k:?} in two shards of {n}");
                    }
                }
                let all: BTreeSet<ScenarioKey> = keys.iter().cloned().collect();
                assert_eq!(seen, all, "{n} shards");
            }
        }
    }

    #[test]
    fn stable_under_reordering_and_balanced_by_duration() {
        let keys: Vec<ScenarioKey> = (0..40)
            .map(|i| ScenarioKey::new(format!("f{}.feature", i % 4), format!("s{i}")))
            .collect();
        let mut d = Durations::default();
        // One long scenario and many short ones: by count the long one's shard would be
        // heavily overloaded.
        d.set(&keys[7], 1000);
        for k in keys.iter().skip(8) {
            d.set(k, 10);
        }
        let p = Partition::plan(&keys, &d, 3);
        let mut reversed = keys.clone();
        reversed.reverse();
        assert_eq!(Partition::plan(&reversed, &d, 3), p);
        // The long one is alone in its shard; the others share the short ones.
        let long_shard = p.assignment[&keys[7]];
        assert_eq!(
            p.keys_of(Shard {
                index: long_shard,
                count: 3
            })
            .len(),
            1
        );
        assert_eq!(p.load_ms[long_shard - 1], 1000);
        // Missing ones (0..7) count as the median (10 ms).
        assert_eq!(p.load_ms.iter().sum::<u64>(), 1000 + 32 * 10 + 7 * 10);
        let spread = p.load_ms.iter().filter(|l| **l != 1000).collect::<Vec<_>>();
        assert!(
            spread.iter().all(|l| (190..=200).contains(*l)),
            "{spread:?}"
        );
        // A new scenario moves only by its own weight, never reshuffles by position alone.
        let mut more = keys.clone();
        more.insert(0, ScenarioKey::new("a.feature", "new"));
        let q = Partition::plan(&more, &d, 3);
        assert_eq!(q.assignment.len(), 41);
    }
}
