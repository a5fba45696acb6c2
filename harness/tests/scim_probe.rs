//! The SCIM probes against the embedded reference SP: no MUST failure.

use harness::scim_probe::{self, embedded, Level};

#[tokio::test(flavor = "multi_thread")]
async fn reference_sp_passes_every_must_probe() {
    let sp = embedded::start("probe").await.expect("embedded SP");
    let report = scim_probe::run(&sp.scim_base, &sp.token)
        .await
        .expect("probes ran");
    let must = report.failures(Level::Must);
    assert!(must.is_empty(), "MUST failures:\n{}", report.markdown());
    assert!(report.checks.len() > 40, "{}", report.checks.len());
    assert!(report.leftovers.is_empty(), "{:?}", report.leftovers);
}
