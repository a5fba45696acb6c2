//! Reports from a run: JUnit XML, cucumber JSON, a conformance summary (Markdown and JSON)
//! grouped by requirement and by vendor × protocol, and the normalised evidence snapshots.
//!
//! Everything here is a function of the [`ScenarioResult`]s a run produced.

mod cucumber_json;
mod evidence_view;
pub mod html;
mod junit;
pub mod merge;
pub mod normalize;
pub mod snapshot;
mod summary;
pub mod verdicts;

pub use summary::{grades, Grade, Summary, Totals};

use crate::result::ScenarioResult;
use std::path::{Path, PathBuf};

/// Which catalogue a run partitioned: its size and a digest of its scenario keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CatalogueId {
    pub scenarios: usize,
    pub digest: String,
}

/// The files one run writes.
#[derive(Debug, Clone)]
pub struct Written {
    pub junit: PathBuf,
    pub cucumber_json: PathBuf,
    pub summary_md: PathBuf,
    pub summary_json: PathBuf,
}

/// Write every report for `results` into `dir` (created if missing).
pub fn write_all(
    dir: &Path,
    results: &[ScenarioResult],
    summary: &Summary,
) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let written = Written {
        junit: dir.join("junit.xml"),
        cucumber_json: dir.join("cucumber.json"),
        summary_md: dir.join("summary.md"),
        summary_json: dir.join("summary.json"),
    };
    std::fs::write(&written.junit, junit::render(results, summary))?;
    std::fs::write(
        &written.cucumber_json,
        serde_json::to_vec_pretty(&cucumber_json::render(results))?,
    )?;
    std::fs::write(&written.summary_md, summary.markdown(results))?;
    std::fs::write(
        &written.summary_json,
        serde_json::to_vec_pretty(&summary.json(results))?,
    )?;
    Ok(written)
}

#[cfg(test)]
mod tests;
