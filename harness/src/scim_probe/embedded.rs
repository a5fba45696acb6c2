//! An embedded reference SP with one Managed organisation and a SCIM token, for the probes,
//! the load run and their tests.

use crate::target::Admin;
use anyhow::Context as _;
use protocols::{RandomIds, SystemClock};
use reference_sp::{Flaws, LocalOptions, Store};
use std::sync::Arc;

pub struct EmbeddedScim {
    /// The SP's base URL.
    pub base_url: String,
    /// The organisation's SCIM base URL.
    pub scim_base: String,
    pub token: String,
    pub org: String,
    _task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl EmbeddedScim {
    /// An admin session on the embedded SP.
    pub fn admin(&self) -> Admin {
        Admin::new(
            reqwest::Client::new(),
            format!("{}/_admin", self.base_url),
            None,
        )
    }
}

impl Drop for EmbeddedScim {
    fn drop(&mut self) {
        self._task.abort();
    }
}

/// Start the reference SP in process, on real time, with a Managed org `org`.
pub async fn start(org: &str) -> anyhow::Result<EmbeddedScim> {
    let (sp, task) = reference_sp::spawn_local(LocalOptions {
        store: Arc::new(Store::in_memory().context("the reference SP's store")?),
        clock: Arc::new(SystemClock),
        ids: Arc::new(RandomIds),
        flaws: Flaws::none(),
        clock_control: None,
    })
    .await
    .context("starting the reference SP")?;
    let base_url = sp.base_url().to_string();
    let mut admin = Admin::new(reqwest::Client::new(), format!("{base_url}/_admin"), None);
    admin.create_org(org, "managed").await?;
    let v = admin.scim_token(org).await?;
    Ok(EmbeddedScim {
        scim_base: v["scim_base_url"]
            .as_str()
            .context("no scim_base_url")?
            .to_string(),
        token: v["token"].as_str().context("no token")?.to_string(),
        org: org.to_string(),
        base_url,
        _task: task,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::start;
    use crate::scim_probe;

    /// The reference SP passes every probe, SHOULD and MAY included, and the gated areas
    /// (/.search, the enterprise extension, members.display) did run.
    #[tokio::test(flavor = "multi_thread")]
    async fn reference_sp_passes_every_probe_at_every_level() {
        let sp = start("probe").await.expect("embedded SP");
        let report = scim_probe::run(&sp.scim_base, &sp.token)
            .await
            .expect("probes ran");
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id.as_str())
            .collect();
        assert!(failed.is_empty(), "{failed:?}\n{}", report.markdown());
        let ids: BTreeSet<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), report.checks.len(), "check ids are unique");
        let gated = (1..=12)
            .map(|n| format!("SRCH-{n}"))
            .chain((1..=11).map(|n| format!("ENT-{n}")))
            .chain((9..=13).map(|n| format!("GRP-{n}")));
        for id in gated {
            assert!(ids.contains(id.as_str()), "{id} did not run");
        }
        assert_eq!(report.checks.len(), 83, "{}", report.markdown());
        assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
    }
}
