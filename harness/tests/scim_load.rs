//! A small load run against the embedded reference SP: nothing lost, in every dialect.

use harness::scim_probe::embedded;
use harness::scim_probe::load::{self, LoadConfig};
use mock_idps::scim_push::DialectId;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn small_load_loses_nothing() {
    for (i, dialect) in [
        DialectId::OktaCatalogue,
        DialectId::OktaCustom,
        DialectId::EntraDefault,
        DialectId::EntraAadOptScim062020,
    ]
    .into_iter()
    .enumerate()
    {
        let sp = embedded::start(&format!("load{i}"))
            .await
            .expect("embedded SP");
        let report = load::run(LoadConfig {
            base_url: sp.scim_base.clone(),
            token: sp.token.clone(),
            dialect,
            users: if i == 0 { 200 } else { 50 },
            groups: 5,
            // Okta: groups as big as the org allows; the others: the round-robin split.
            members_per_group: (i == 0).then_some(50),
            concurrency: 8,
            spot_checks: 20,
            admin: Some((sp.admin(), sp.org.clone())),
        })
        .await
        .expect("load run");
        assert!(report.complete, "{dialect}: {}", report.markdown());
        assert_eq!(report.admin_member_count, Some(report.users));
    }
}
