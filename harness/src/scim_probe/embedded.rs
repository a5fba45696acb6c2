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
