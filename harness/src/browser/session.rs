//! One actor's Chromium: a WebDriver session that browses like the HTTP agent's
//! [`browse_guarded`](crate::agent::UserAgent::browse_guarded), and records what it did into
//! that agent's trace.

use super::perflog::{self, Hop};
use super::BrowserError;
use crate::agent::{Exchange, Journey, Page, UserAgent};
use fantoccini::wd::WebDriverCompatibleCommand;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use url::Url;

/// What browser mode adds to a scenario's evidence, per actor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BrowserEvidence {
    /// The cookies the browser held at the end (names and scope; values are credentials).
    pub cookies: Vec<CookieSeen>,
    /// A failed scenario's screenshot, relative to the report directory.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieSeen {
    pub name: String,
    pub domain: String,
    pub path: String,
    pub http_only: bool,
    pub secure: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub same_site: Option<String>,
}

/// chromedriver's log endpoint (the performance log asked for with `goog:loggingPrefs`).
#[derive(Debug)]
struct PerformanceLog;

impl WebDriverCompatibleCommand for PerformanceLog {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (
            Method::POST,
            Some(json!({"type": "performance"}).to_string()),
        )
    }
}

/// A Chrome DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }
    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (
            Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

/// How often the settle loop looks at the page again while a form submits itself.
const POLL: Duration = Duration::from_millis(50);

/// What the page under way says about itself: which document it is, whether it has loaded,
/// and whether it will leave on its own (a form with a SAML message, or one its script
/// submits on load).
const PAGE_STATE: &str = r#"
    window.__idpsim_doc = window.__idpsim_doc || Math.random().toString(36).slice(2);
    const saml = !!document.querySelector(
        'form input[name="SAMLResponse"], form input[name="SAMLRequest"]');
    const html = document.documentElement ? document.documentElement.outerHTML : '';
    return {
        doc: window.__idpsim_doc,
        ready: document.readyState,
        leaves: document.forms.length > 0 && (saml || html.includes('.submit()')),
        scripted: html.includes('.submit()'),
    };
"#;

/// The body of the page shown: its markup, or the text of a JSON or plain-text answer (which
/// Chrome wraps in a `<pre>`).
const PAGE_BODY: &str = r#"
    if (document.contentType === 'text/html') {
        return '<!DOCTYPE html>' + document.documentElement.outerHTML;
    }
    const pre = document.querySelector('pre');
    return pre ? pre.textContent : (document.body ? document.body.textContent : '');
"#;

/// One actor's browser.
#[derive(Clone)]
pub struct ChromeSession {
    client: fantoccini::Client,
    timeout: Duration,
}

impl std::fmt::Debug for ChromeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChromeSession").finish()
    }
}

fn capabilities(timeout: Duration) -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "timeouts": {"pageLoad": timeout.as_millis() as u64, "script": timeout.as_millis() as u64},
        "goog:loggingPrefs": {"performance": "ALL"},
        "goog:chromeOptions": {
            "args": [
                "--headless=new",
                // Root in a container has no user namespace for Chrome's sandbox.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--window-size=1280,900",
            ],
            "perfLoggingPrefs": {"enableNetwork": true, "enablePage": false},
        },
    });
    match caps {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

fn page_of(hop: &Hop, body: String) -> Result<Page, BrowserError> {
    let url = Url::parse(&hop.url).map_err(|_| BrowserError::NoDocument(hop.url.clone()))?;
    let mut headers = HeaderMap::new();
    for (k, v) in &hop.headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    Ok(Page {
        url,
        status: StatusCode::from_u16(hop.status).unwrap_or(StatusCode::OK),
        headers,
        body,
    })
}

fn form_fields(post_data: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(post_data.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl ChromeSession {
    pub(super) async fn open(webdriver: &str, timeout: Duration) -> Result<Self, BrowserError> {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(capabilities(timeout))
            .connect(webdriver)
            .await
            .map_err(|e| BrowserError::Session {
                webdriver: webdriver.to_string(),
                error: e.to_string(),
            })?;
        Ok(Self { client, timeout })
    }

    async fn perf_log(&self) -> Result<Vec<Value>, BrowserError> {
        let v = self.client.issue_cmd(PerformanceLog).await?;
        Ok(v.as_array().cloned().unwrap_or_default())
    }

    async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value, BrowserError> {
        Ok(self.client.issue_cmd(Cdp { cmd, params }).await?)
    }

    /// Wait until the page is loaded and will not leave on its own. A SAML form without a
    /// script is submitted as its Continue button would be; a scripted one submits itself.
    async fn settle(&self, start: &str) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        let mut submitted: Option<String> = None;
        loop {
            let st = self.client.execute(PAGE_STATE, vec![]).await?;
            let doc = st["doc"].as_str().unwrap_or_default().to_string();
            let loaded = st["ready"] == "complete";
            let leaves = st["leaves"].as_bool().unwrap_or(false);
            if loaded && !leaves {
                return Ok(());
            }
            let scripted = st["scripted"].as_bool().unwrap_or(false);
            if loaded && leaves && !scripted && submitted.as_deref() != Some(doc.as_str()) {
                self.client
                    .execute("document.forms[0].submit(); return null;", vec![])
                    .await?;
                submitted = Some(doc);
            }
            if Instant::now() > deadline {
                return Err(BrowserError::Timeout {
                    url: start.to_string(),
                    secs: self.timeout.as_secs(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Start at `url` and go where Chromium goes, as [`UserAgent::browse_guarded`] does, and
    /// append the hops to `agent`'s trace. The actor's cookies go from `agent` to the browser
    /// first and back after, unless the guard stopped the journey.
    pub async fn browse(
        &self,
        agent: &UserAgent,
        url: &str,
        idp: Option<&str>,
        max_idp_visits: usize,
        cookie_origins: &[&str],
    ) -> Result<Journey, BrowserError> {
        self.cookies_from(agent, cookie_origins).await?;
        // Whatever the last page did after it was read (a favicon) is not this journey's.
        self.perf_log().await?;
        let nav = self.client.goto(url).await;
        let settled = match nav {
            Ok(()) => self.settle(url).await,
            Err(e) => Err(e.into()),
        };
        let log = self.perf_log().await?;
        let hops = perflog::hops(&log);
        let settled = match (settled, perflog::failed_document(&log)) {
            (_, Some((url, error))) => Err(BrowserError::Unreachable { url, error }),
            (s, None) => s,
        };
        if let Err(e) = settled {
            // Keep what was seen before giving up.
            agent.record_all(self.exchanges(&hops, None)?);
            return Err(e);
        }
        let at_idp = |u: &str| idp.is_some_and(|i| u.starts_with(i));
        // The hop that visited the IdP once too often, if one did.
        let mut visits = 0;
        let over = hops.iter().enumerate().position(|(i, h)| {
            if at_idp(&h.url) {
                visits += 1;
            }
            i > 0 && visits > max_idp_visits && at_idp(&h.url)
        });
        let first_exchange = agent.trace().exchanges.len();
        let (kept, stopped) = match over {
            Some(0) | None => (&hops[..], None),
            Some(i) => (
                &hops[..i],
                Some(format!(
                    "the SP sent the browser to the IdP once more ({}); this journey visits it \
                     at most {max_idp_visits} time(s), and the browser's later cookies are not \
                     kept",
                    hops[i].url
                )),
            ),
        };
        let last = kept
            .last()
            .ok_or_else(|| BrowserError::NoDocument(url.to_string()))?;
        let body = if stopped.is_none() {
            self.client
                .execute(PAGE_BODY, vec![])
                .await?
                .as_str()
                .unwrap_or_default()
                .to_string()
        } else {
            String::new()
        };
        let page = page_of(last, body.clone())?;
        agent.record_all(self.exchanges(kept, Some(body))?);
        if stopped.is_none() {
            self.cookies_to(agent).await?;
        }
        Ok(Journey {
            page,
            first_exchange,
            hops: kept.len().saturating_sub(1),
            stopped,
        })
    }

    /// The hops as trace exchanges; the last one with `last_body`.
    fn exchanges(
        &self,
        hops: &[Hop],
        last_body: Option<String>,
    ) -> Result<Vec<Exchange>, BrowserError> {
        let n = hops.len();
        hops.iter()
            .enumerate()
            .map(|(i, h)| {
                let body = if i + 1 == n {
                    last_body.clone().unwrap_or_default()
                } else {
                    String::new()
                };
                let page = page_of(h, body)?;
                let form = h.post_data.as_deref().map(form_fields);
                let method = Method::from_bytes(h.method.as_bytes()).unwrap_or(Method::GET);
                Ok(Exchange::of(&method, &h.url, form.as_deref(), &page))
            })
            .collect()
    }

    /// Every cookie the browser holds (all sites), through DevTools.
    async fn all_cookies(&self) -> Result<Vec<Value>, BrowserError> {
        let v = self.cdp("Network.getAllCookies", json!({})).await?;
        Ok(v["cookies"].as_array().cloned().unwrap_or_default())
    }

    /// The browser's cookies into the HTTP agent's jar, for the hops it makes next.
    async fn cookies_to(&self, agent: &UserAgent) -> Result<(), BrowserError> {
        for c in self.all_cookies().await? {
            let (Some(name), Some(value), Some(domain)) = (
                c["name"].as_str(),
                c["value"].as_str(),
                c["domain"].as_str(),
            ) else {
                continue;
            };
            let path = c["path"].as_str().unwrap_or("/");
            let host = domain.trim_start_matches('.');
            if let Ok(u) = Url::parse(&format!("http://{host}{path}")) {
                agent.add_cookie(&format!("{name}={value}; Path={path}"), &u);
            }
        }
        Ok(())
    }

    /// The HTTP agent's cookies for `origins` into the browser (a password login, say).
    async fn cookies_from(&self, agent: &UserAgent, origins: &[&str]) -> Result<(), BrowserError> {
        // A cookie the browser already has keeps its own flags (HttpOnly, SameSite).
        let held: Vec<String> = self
            .all_cookies()
            .await?
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect();
        for origin in origins {
            let Ok(u) = Url::parse(origin) else { continue };
            let Some(header) = agent.cookie_header(&u) else {
                continue;
            };
            for pair in header.split("; ") {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                if held.iter().any(|h| h == name) {
                    continue;
                }
                self.cdp(
                    "Network.setCookie",
                    json!({"name": name, "value": value, "url": u.as_str(), "path": "/"}),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The cookies for the evidence: names and scope, never values.
    pub async fn cookies_seen(&self) -> Result<Vec<CookieSeen>, BrowserError> {
        let mut out: Vec<CookieSeen> = self
            .all_cookies()
            .await?
            .iter()
            .map(|c| CookieSeen {
                name: c["name"].as_str().unwrap_or_default().to_string(),
                domain: c["domain"].as_str().unwrap_or_default().to_string(),
                path: c["path"].as_str().unwrap_or_default().to_string(),
                http_only: c["httpOnly"].as_bool().unwrap_or(false),
                secure: c["secure"].as_bool().unwrap_or(false),
                same_site: c["sameSite"].as_str().map(str::to_string),
            })
            .collect();
        out.sort_by(|a, b| (&a.domain, &a.path, &a.name).cmp(&(&b.domain, &b.path, &b.name)));
        Ok(out)
    }

    /// A PNG of the page shown.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        Ok(self.client.screenshot().await?)
    }

    /// End the session (chromedriver stops this Chrome).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
