//! report.html and the `idpsim serve` console in a real headless Chromium, driven over WebDriver
//! with fantoccini. Needs the Debian packages chromium and chromium-driver (`make deps`).
//!
//! With `IDPSIM_SCREENSHOTS=1` the tests also save docs/report.png and docs/console.png (the
//! README's screenshots).

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use harness::agent::{Decoded, Exchange};
use harness::report::merge::{self, CatalogueId, RunRecord, Selection};
use harness::report::Summary;
use harness::result::{Evidence, ScenarioResult, StepResult, StepStatus, Verdict};
use mock_idps::control::NewSamlApp;
use mock_idps::directory::NewUser;
use mock_idps::{MockIdps, NewTenant, Options, Vendor};
use protocols::{RandomIds, SystemClock};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// How long any one browser wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver of our own on a free port, and one browser session on it. Both end on drop.
struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

impl Browser {
    async fn start() -> Browser {
        let driver_bin = which("chromedriver").unwrap_or_else(|| {
            panic!(
                "chromedriver is not installed: these tests drive headless Chromium. Install the \
                 Debian packages chromium and chromium-driver with `make deps` (or `apt-get \
                 install chromium chromium-driver`)."
            )
        });
        assert!(
            Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is missing: install the Debian package chromium with `make deps`"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        // chromedriver says when it listens: read its stdout up to that line.
        let out = driver.stdout.take().expect("chromedriver's stdout");
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("started successfully"));
        assert!(
            ready,
            "chromedriver on port {port} exited before it listened"
        );
        // Keep draining its stdout so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000"]
            }
        }))
        .expect("capabilities");
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!("no WebDriver session from chromedriver on port {port}: {e}")
            });
        Browser { client, driver }
    }

    async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Wait until the element `css` has text containing `needle`; its text.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let id = css
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("wait_text takes an element id, not {css}"));
        let quote = if needle.contains('"') { '\'' } else { '"' };
        let xpath = format!("//*[@id=\"{id}\"][contains(., {quote}{needle}{quote})]");
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(50))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            Ok(e) => e.text().await.expect("text"),
            Err(e) => {
                let now = match self.client.find(Locator::Css(css)).await {
                    Ok(el) => el.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css} never showed {needle:?} ({e}); it shows {now:?}")
            }
        }
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }

    async fn screenshot(&self, name: &str) {
        if std::env::var_os("IDPSIM_SCREENSHOTS").is_none() {
            return;
        }
        let png = self.client.screenshot().await.expect("screenshot");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs")
            .join(name);
        std::fs::write(&path, png).expect("write screenshot");
    }
}

fn step(keyword: &str, text: &str, failed: Option<&str>) -> StepResult {
    StepResult {
        keyword: keyword.into(),
        text: text.into(),
        status: if failed.is_some() {
            StepStatus::Failed
        } else {
            StepStatus::Passed
        },
        error: failed.map(str::to_string),
    }
}

const SIGNED_RESPONSE: &str = r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Destination="http://127.0.0.1:8090/organizations/acme/saml/acs"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">http://www.okta.com/exk1</saml:Issuer><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#_a1"><ds:DigestValue>q1w2e3</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>c2ln</ds:SignatureValue></ds:Signature><saml:Subject><saml:NameID>alice@acme.example</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>ml-admins</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"##;

/// A run over three vendors, two protocols and four requirements with every kind of verdict.
fn results() -> Vec<ScenarioResult> {
    let reqs = ["MAN-2", "ROLE-3", "SAML-SIG-5", "SESS-1"];
    let mut out = Vec::new();
    for (vi, vendor) in ["okta", "entra", "google"].into_iter().enumerate() {
        for (pi, protocol) in ["saml", "oidc"].into_iter().enumerate() {
            for (ri, req) in reqs.into_iter().enumerate() {
                let verdict = match (vi, pi, ri) {
                    (0, 0, 1) => Verdict::Failed,
                    (1, 0, 2) => Verdict::ExpectedFailure,
                    (2, 1, _) => Verdict::NotApplicable,
                    _ => Verdict::Passed,
                };
                let failed = (verdict == Verdict::Failed)
                    .then_some("expected role admin from group ml-admins, found role read");
                let mut tags = vec![
                    format!("@{vendor}"),
                    format!("@{protocol}"),
                    format!("@req-{req}"),
                ];
                if req == "SAML-SIG-5" {
                    tags.push("@security".into());
                }
                out.push(ScenarioResult {
                    feature: "Role mapping".into(),
                    feature_path: "roles/role-mapping.feature".into(),
                    scenario: format!("{req} holds ({vendor}, {protocol})"),
                    line: 10 + ri,
                    tags,
                    verdict,
                    deviation: (verdict == Verdict::ExpectedFailure)
                        .then(|| "SHA-1 signatures are refused by policy".into()),
                    steps: vec![
                        step("Given ", "Acme maps group ml-admins to role admin", None),
                        step("When ", "Alice signs in to Acme through SSO", None),
                        step("Then ", "Alice is a member of Acme with role admin", failed),
                    ],
                    reason: (verdict == Verdict::NotApplicable)
                        .then(|| "the target does not serve OIDC for Google".into()),
                    duration_ms: 30,
                    evidence: Evidence {
                        actors: [(
                            "Alice".to_string(),
                            vec![Exchange {
                                method: "POST".into(),
                                url: "http://127.0.0.1:8090/organizations/acme/saml/acs".into(),
                                form: None,
                                status: if failed.is_some() { 403 } else { 302 },
                                location: None,
                                content_type: None,
                                set_cookies: vec![],
                                body_excerpt: String::new(),
                                decoded: vec![Decoded::Saml {
                                    field: "SAMLResponse".into(),
                                    xml: SIGNED_RESPONSE.into(),
                                }],
                            }],
                        )]
                        .into(),
                        ..Evidence::default()
                    },
                });
            }
        }
    }
    out
}

fn write_report(dir: &Path, results: Vec<ScenarioResult>) -> PathBuf {
    let record = RunRecord {
        format: merge::FORMAT.into(),
        summary: Summary {
            target: "Acme platform (reference SP)".into(),
            started: "2026-12-07T02:00:00+00:00".into(),
            wall_time_ms: 4200,
            sp_flaws: vec![],
        },
        black_box: false,
        selection: Selection::default(),
        catalogue: CatalogueId {
            scenarios: results.len(),
            digest: "3f9a2c".into(),
        },
        shard: None,
        results,
    };
    merge::write(dir, &record, &[]).expect("write reports");
    dir.join("report.html")
}

async fn visible_count(b: &Browser, css: &str) -> u64 {
    b.js(&format!(
        "return Array.from(document.querySelectorAll('{css}')).filter(e => !e.hidden && !e.closest('[hidden]')).length;"
    ))
    .await
    .as_u64()
    .expect("a count")
}

#[tokio::test(flavor = "multi_thread")]
async fn report_matrix_shows_the_counts_and_the_filters_narrow_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let results = results();
    let total = results.len();
    let report = write_report(tmp.path(), results);
    let b = Browser::start().await;
    b.client
        .goto(&format!("file://{}", report.display()))
        .await
        .expect("open report.html");

    assert_eq!(b.find("#total-passed").await.text().await.expect("t"), "18");
    assert_eq!(b.find("#total-failed").await.text().await.expect("t"), "1");
    assert_eq!(
        b.find("#total-deviations").await.text().await.expect("t"),
        "1"
    );
    assert_eq!(b.find("#total-na").await.text().await.expect("t"), "4");
    b.wait_text("#shown-scenarios", &total.to_string()).await;
    assert_eq!(b.find("#shown-fail").await.text().await.expect("t"), "1");
    // Four requirements × six vendor-protocol columns.
    assert_eq!(visible_count(&b, "#matrix td.cell").await, 24);
    assert_eq!(visible_count(&b, "#matrix td.cell.fail").await, 1);
    assert_eq!(visible_count(&b, "#matrix td.cell.deviation").await, 1);
    assert_eq!(visible_count(&b, "#matrix td.cell.na").await, 4);
    let red = b.find("#matrix td.cell.fail").await;
    assert_eq!(
        red.attr("data-vendor").await.expect("attr").as_deref(),
        Some("okta")
    );
    assert_eq!(red.text().await.expect("t"), "0/1");
    b.screenshot("report.png").await;

    b.select("#f-vendor", "okta").await;
    b.wait_text("#shown-scenarios", "8").await;
    assert_eq!(
        visible_count(&b, "#matrix td.cell").await,
        8,
        "okta's two columns"
    );
    assert_eq!(visible_count(&b, "tr.scenario").await, 8);

    b.select("#f-verdict", "failed").await;
    b.wait_text("#shown-scenarios", "1").await;
    assert_eq!(
        visible_count(&b, "#matrix tr.req-row").await,
        1,
        "only ROLE-3 has a failure"
    );
    assert_eq!(visible_count(&b, "#matrix td.cell:not(.off)").await, 1);

    b.select("#f-vendor", "").await;
    b.select("#f-verdict", "").await;
    b.select("#f-tag", "security").await;
    b.wait_text("#shown-scenarios", "6").await;
    assert_eq!(
        b.find("#shown-deviation").await.text().await.expect("t"),
        "1"
    );

    // The failure is listed first, with its step and expected/actual outcome.
    let first = b.find("#failures .card").await;
    let text = first.text().await.expect("t");
    assert!(text.contains("ROLE-3 holds (okta, saml)"), "{text}");
    assert!(text.contains("found role read"), "{text}");
    b.client.clone().close().await.expect("close");
}

/// A reference SP with org `acme` (managed) trusting an Okta tenant of `idps` over SAML.
async fn acme(idps: &MockIdps) -> (reference_sp::AppState, String) {
    let (sp, _h) = reference_sp::spawn_local(reference_sp::LocalOptions {
        store: Arc::new(reference_sp::Store::in_memory().expect("store")),
        clock: Arc::new(SystemClock),
        ids: Arc::new(RandomIds),
        flaws: reference_sp::Flaws::default(),
        clock_control: None,
    })
    .await
    .expect("reference SP");
    let urls = sp.org_urls("acme");
    idps.create_tenant(NewTenant {
        vendor: Some(Vendor::Okta),
        id: Some("acme".into()),
        mode: mock_idps::Mode::Strict,
        seed_users: Some(0),
        users: vec![
            NewUser {
                login: Some("alice@acme.example".into()),
                email: Some("alice@acme.example".into()),
                ..NewUser::default()
            },
            NewUser {
                login: Some("bob@acme.example".into()),
                email: Some("bob@acme.example".into()),
                ..NewUser::default()
            },
        ],
        saml_apps: vec![NewSamlApp {
            sp_entity_id: urls.sp_entity_id.clone(),
            acs_urls: vec![urls.saml_acs.clone()],
            allow_idp_initiated: Some(true),
            ..NewSamlApp::default()
        }],
        ..NewTenant::default()
    })
    .expect("tenant");
    let metadata = idps
        .index()
        .tenants
        .into_iter()
        .find(|t| t.id == "acme")
        .expect("indexed")
        .saml
        .metadata_url;
    let http = reqwest::Client::new();
    let admin = format!("{}/_admin", sp.base_url());
    let r = http
        .post(format!("{admin}/orgs"))
        .json(&json!({"slug": "acme", "mode": "managed"}))
        .send()
        .await
        .expect("create org");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let r = http
        .put(format!("{admin}/orgs/acme/sso"))
        .json(&json!({"protocol": "saml", "metadata_url": metadata}))
        .send()
        .await
        .expect("configure SSO");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    (sp, urls.sso_login)
}

async fn serve(token: Option<&str>) -> MockIdps {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let idps = MockIdps::new(Options {
        base_url: format!("http://{addr}"),
        clock: Arc::new(SystemClock),
        ids: Arc::new(RandomIds),
        control_token: token.map(str::to_string),
    });
    tokio::spawn(mock_idps::server::run(
        listener,
        idps.clone(),
        std::future::pending(),
    ));
    idps
}

/// Type `token` into the console's token field and use it.
async fn use_token(b: &Browser, token: &str) {
    let field = b.find("#token").await;
    field.clear().await.expect("clear");
    field.send_keys(token).await.expect("type");
    b.find("#token-save").await.click().await.expect("click");
}

/// The page the SP answered a login with, as text.
async fn login(b: &Browser, sso_login: &str) -> String {
    b.client.delete_all_cookies().await.expect("cookies");
    b.client.goto(sso_login).await.expect("login");
    // The IdP's HTTP-POST page submits itself: wait until the browser has left the IdP.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let url = b.client.current_url().await.expect("url").to_string();
        let body = b.client.find(Locator::Css("body")).await.ok();
        let text = match body {
            Some(e) => e.text().await.unwrap_or_default(),
            None => String::new(),
        };
        if !url.contains("/okta/acme/") && !text.is_empty() {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "stuck at {url}: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fault_set_in_the_console_makes_the_reference_sp_refuse_the_next_login() {
    let idps = serve(Some("right-token")).await;
    let (_sp, sso_login) = acme(&idps).await;
    let base = idps.options().base_url.clone();
    let b = Browser::start().await;

    // Without a fault, Alice gets in.
    let page = login(&b, &sso_login).await;
    assert!(
        !page.contains("saml-rejected"),
        "baseline login refused: {page}"
    );

    b.client.goto(&format!("{base}/")).await.expect("console");
    b.wait_text("#error", "401 unauthorized").await;
    use_token(&b, "right-token").await;
    b.wait_text("#tenants", "okta/acme").await;
    b.wait_text("#users", "bob@acme.example").await;
    b.wait_text("#tenants", "SAML metadata").await;

    // Bob's roles and display name, edited in his row, reach the directory through the API.
    let row = "#users tr[data-user=\"bob@acme.example\"]";
    let roles = b.find(&format!("{row} td:nth-child(6) input")).await;
    roles.clear().await.expect("clear");
    roles.send_keys("admin, billing").await.expect("type");
    let display = b.find(&format!("{row} td:nth-child(5) input")).await;
    display.clear().await.expect("clear");
    display.send_keys("Bob Builder").await.expect("type");
    b.find(&format!("{row} td:nth-child(7) button"))
        .await
        .click()
        .await
        .expect("save");
    let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let bob = t
            .state
            .lock()
            .directory
            .find("bob@acme.example")
            .map(|u| (u.roles.clone(), u.display_name.clone()));
        if bob == Some((vec!["admin".into(), "billing".into()], "Bob Builder".into())) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the console's edit did not reach the directory: {bob:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.find("#nl-user")
        .await
        .send_keys("bob@acme.example")
        .await
        .expect("user");
    b.select("#nl-saml\\.attack", "unsigned").await;
    let sent = b.wait_text("#nl-json", "\"unsigned\"").await;
    let sent: Value = serde_json::from_str(&sent).expect("the preview is JSON");
    assert_eq!(
        sent,
        json!({"user": "bob@acme.example", "saml": {"attack": "unsigned"}})
    );
    b.screenshot("console.png").await;
    b.find("#nl-send").await.click().await.expect("send");
    b.wait_text("#nl-status", "will use it").await;
    b.wait_text("#nl-pending", "unsigned").await;
    let pending = t
        .state
        .lock()
        .next_login
        .clone()
        .expect("set through the API");
    assert_eq!(pending.user.as_deref(), Some("bob@acme.example"));

    let page = login(&b, &sso_login).await;
    assert!(
        page.contains("saml-rejected"),
        "the SP accepted the unsigned response: {page}"
    );
    assert!(t.next_login().is_none(), "the fault was used");

    // The live log shows the exchange, with the messages to unfold.
    b.client.goto(&format!("{base}/")).await.expect("console");
    use_token(&b, "right-token").await;
    b.wait_text("#log", "SAMLResponse").await;
    b.wait_text("#log", "AuthnRequest").await;
    b.client.clone().close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_or_a_bad_fault_shows_the_api_error_and_changes_nothing() {
    let idps = serve(Some("right-token")).await;
    let _ = acme(&idps).await;
    let base = idps.options().base_url.clone();
    let b = Browser::start().await;
    b.client.goto(&format!("{base}/")).await.expect("console");
    use_token(&b, "right-token").await;
    b.wait_text("#tenants", "okta/acme").await;
    let t = idps.tenant(Vendor::Okta, "acme").expect("tenant");

    // A value the API refuses: its 400 is on the page, and nothing is pending.
    b.find("#nl-extra_groups")
        .await
        .send_keys("many")
        .await
        .expect("type");
    b.wait_text("#nl-json", "\"many\"").await;
    b.find("#nl-send").await.click().await.expect("send");
    b.wait_text("#error", "400 invalid_request").await;
    assert!(t.next_login().is_none());

    // A wrong token: the API's 401 is on the page, and nothing changes.
    b.find("#nl-extra_groups")
        .await
        .clear()
        .await
        .expect("clear");
    b.select("#nl-saml\\.attack", "xsw3").await;
    use_token(&b, "wrong-token").await;
    b.wait_text("#error", "GET /tenants refused: 401 unauthorized")
        .await;
    b.find("#nl-send").await.click().await.expect("send");
    b.wait_text(
        "#error",
        "PUT /tenants/okta/acme/next-login refused: 401 unauthorized",
    )
    .await;
    // The live log keeps polling with the wrong token; its refusal goes under the log and
    // never covers the one the user caused. Blank the log's status, wait for the next poll to
    // refill it, then look at #error again.
    b.js("document.getElementById('log-status').textContent = ''")
        .await;
    b.wait_text("#log-status", "/log refused: 401 unauthorized")
        .await;
    let shown = b.find("#error").await.text().await.expect("text");
    assert!(
        shown.contains("PUT /tenants/okta/acme/next-login refused: 401 unauthorized"),
        "a background poll replaced the refusal the user caused: {shown:?}"
    );
    assert!(
        t.next_login().is_none(),
        "a wrong token changed the next login"
    );
    b.client.clone().close().await.expect("close");
}
