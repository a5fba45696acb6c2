//! The step library, grouped by domain concept. Every step is one call into the World; the
//! expressions are anchored cucumber expressions with typed parameters (`{vendor}`,
//! `{protocol}`, `{mode}`, `{role}`, `{unit}`, and `{req}`, the requirement a Then names).

mod access;
mod idp;
mod login;
mod org;
mod provisioning;
mod roles;
mod security;
mod session;
mod slo;

use crate::world::params::Role;
use anyhow::Context as _;
use cucumber::gherkin::Step;

/// The rows of a step's table after its header, as (first, second) cells.
pub(crate) fn pairs(step: &Step) -> anyhow::Result<Vec<(String, String)>> {
    let table = step.table.as_ref().context("this step needs a table")?;
    table
        .rows
        .iter()
        .skip(1)
        .map(|r| match r.as_slice() {
            [a, b, ..] => Ok((a.trim().to_string(), b.trim().to_string())),
            _ => anyhow::bail!("each row needs two cells: {r:?}"),
        })
        .collect()
}

/// A table of (name, role) rows.
pub(crate) fn role_rows(step: &Step) -> anyhow::Result<Vec<(String, Role)>> {
    pairs(step)?
        .into_iter()
        .map(|(n, r)| Ok((n, r.parse::<Role>().map_err(anyhow::Error::msg)?)))
        .collect()
}

/// `"a, b"` as a list.
pub(crate) fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}
