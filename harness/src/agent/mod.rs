//! A user agent that behaves like a browser for SSO flows, and records everything it does.
//!
//! - One cookie jar per actor ([`UserAgent`] per named person).
//! - Redirects are recorded hop by hop, never followed blindly: [`UserAgent::browse`] follows
//!   them itself, up to a bound, so each hop lands in the trace.
//! - HTML forms that a page submits on load (the SAML HTTP-POST binding) are submitted, and
//!   their SAML messages decoded for the evidence trace.

mod page;
mod trace;

pub use page::{Form, Page};
pub use trace::{Decoded, Exchange, Trace};

use parking_lot::Mutex;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use url::Url;

/// The most hops [`UserAgent::browse`] takes before it reports a loop.
pub const MAX_HOPS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("{method} {url}: {source}")]
    Http {
        method: Method,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("redirect from {from} has no usable Location")]
    BadLocation { from: String },
    #[error("more than {MAX_HOPS} hops starting at {start}: a redirect loop?")]
    TooManyHops { start: String },
    #[error("invalid URL {0:?}")]
    BadUrl(String),
}

impl AgentError {
    /// The other side never answered: the hop timed out or could not connect.
    pub fn is_no_answer(&self) -> bool {
        matches!(self, AgentError::Http { source, .. } if source.is_timeout() || source.is_connect())
    }
}

/// A named actor's browser.
#[derive(Clone)]
pub struct UserAgent {
    name: String,
    client: reqwest::Client,
    /// The client's cookie jar, shared with browser mode's Chromium (crate::browser).
    jar: Arc<reqwest::cookie::Jar>,
    trace: Arc<Mutex<Trace>>,
    timeout: std::time::Duration,
    /// A browser on a shared client (see [`UserAgent::on_shared_client`]) sends and stores
    /// the cookies of `jar` itself; the others leave that to their own client.
    manual_cookies: bool,
    /// Whether exchanges go to the trace (off for load, where nobody reads them).
    recording: bool,
}

impl std::fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAgent")
            .field("name", &self.name)
            .finish()
    }
}

/// Where a journey ended, and how it got there.
#[derive(Debug, Clone)]
pub struct Journey {
    /// The last page: neither a redirect nor an auto-submitting form.
    pub page: Page,
    /// Index of the first exchange of this journey in the actor's trace.
    pub first_exchange: usize,
    pub hops: usize,
    /// Why the journey stopped early (a guard of [`UserAgent::browse_guarded`]), if it did.
    pub stopped: Option<String>,
}

impl UserAgent {
    /// A fresh browser for `name`, with its own cookie jar, that never follows redirects itself.
    pub fn new(name: impl Into<String>) -> Result<Self, AgentError> {
        Self::with_timeout(name, std::time::Duration::from_secs(30))
    }

    /// A fresh browser whose every request (one hop) gives up after `timeout`.
    pub fn with_timeout(
        name: impl Into<String>,
        timeout: std::time::Duration,
    ) -> Result<Self, AgentError> {
        let (client, jar) = Self::client(timeout)?;
        Ok(Self {
            name: name.into(),
            client,
            jar,
            trace: Arc::new(Mutex::new(Trace::default())),
            timeout,
            manual_cookies: false,
            recording: true,
        })
    }

    /// A client for many browsers at once ([`UserAgent::on_shared_client`]): one connection
    /// pool, no cookie jar of its own, redirects not followed.
    pub fn shared_client(timeout: std::time::Duration) -> Result<reqwest::Client, AgentError> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("idpsim-agent/0.1")
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|source| AgentError::Http {
                method: Method::GET,
                url: String::new(),
                source,
            })
    }

    /// A browser for load: its own cookie jar over a shared `client` (built by
    /// [`UserAgent::shared_client`]), so that thousands of them share connections, and no
    /// trace. Building a client per browser costs a TLS configuration and a connection each.
    pub fn on_shared_client(name: impl Into<String>, client: reqwest::Client) -> Self {
        Self {
            name: name.into(),
            client,
            trace: Arc::new(Mutex::new(Trace::default())),
            timeout: std::time::Duration::ZERO,
            jar: Arc::new(Jar::default()),
            manual_cookies: true,
            recording: false,
        }
    }

    fn client(
        timeout: std::time::Duration,
    ) -> Result<(reqwest::Client, Arc<reqwest::cookie::Jar>), AgentError> {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("idpsim-agent/0.1")
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map(|c| (c, jar))
            .map_err(|source| AgentError::Http {
                method: Method::GET,
                url: String::new(),
                source,
            })
    }

    /// The same person in a new browser session: an empty cookie jar, the same trace.
    pub fn fresh_session(&self) -> Result<Self, AgentError> {
        if self.manual_cookies {
            return Ok(Self {
                jar: Arc::new(Jar::default()),
                ..self.clone()
            });
        }
        let (client, jar) = Self::client(self.timeout)?;
        Ok(Self {
            name: self.name.clone(),
            client,
            jar,
            trace: self.trace.clone(),
            timeout: self.timeout,
            manual_cookies: false,
            recording: self.recording,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Everything this actor has sent and received so far.
    pub fn trace(&self) -> Trace {
        self.trace.lock().clone()
    }

    fn record(&self, e: Exchange) {
        self.trace.lock().exchanges.push(e);
    }

    /// Exchanges another browser made for this actor (browser mode's Chromium).
    pub(crate) fn record_all(&self, es: Vec<Exchange>) {
        self.trace.lock().exchanges.extend(es);
    }

    /// Take a cookie another browser was given (a `Set-Cookie` value, as set by `url`).
    pub(crate) fn add_cookie(&self, set_cookie: &str, url: &Url) {
        self.jar.add_cookie_str(set_cookie, url);
    }

    /// The `Cookie` header this agent would send to `url`.
    pub(crate) fn cookie_header(&self, url: &Url) -> Option<String> {
        use reqwest::cookie::CookieStore as _;
        self.jar
            .cookies(url)
            .and_then(|v| v.to_str().ok().map(str::to_string))
    }

    /// The last exchange, without copying the whole trace.
    pub fn last_exchange(&self) -> Option<Exchange> {
        self.trace.lock().exchanges.last().cloned()
    }

    fn trace_len(&self) -> usize {
        self.trace.lock().exchanges.len()
    }

    /// One request, recorded; redirects are returned, not followed.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        form: Option<&[(String, String)]>,
        headers: HeaderMap,
    ) -> Result<Page, AgentError> {
        let parsed = Url::parse(url).map_err(|_| AgentError::BadUrl(url.to_string()))?;
        let mut req = self
            .client
            .request(method.clone(), parsed.clone())
            .headers(headers);
        if let Some(cookies) = self
            .manual_cookies
            .then(|| self.jar.cookies(&parsed))
            .flatten()
        {
            req = req.header(COOKIE, cookies);
        }
        if let Some(fields) = form {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .finish();
            req = req
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body);
        }
        let http_err = |source| AgentError::Http {
            method: method.clone(),
            url: url.to_string(),
            source,
        };
        let resp = req.send().await.map_err(http_err)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        if self.manual_cookies {
            self.jar
                .set_cookies(&mut headers.get_all(SET_COOKIE).iter(), &parsed);
        }
        let body = resp.text().await.map_err(http_err)?;
        let page = Page {
            url: parsed,
            status,
            headers,
            body,
        };
        if self.recording {
            self.record(Exchange::of(&method, url, form, &page));
        }
        Ok(page)
    }

    pub async fn get(&self, url: &str) -> Result<Page, AgentError> {
        self.request(Method::GET, url, None, HeaderMap::new()).await
    }

    pub async fn post_form(
        &self,
        url: &str,
        fields: &[(String, String)],
    ) -> Result<Page, AgentError> {
        self.request(Method::POST, url, Some(fields), HeaderMap::new())
            .await
    }

    /// Start at `url` and go where a browser would: follow each redirect and submit each
    /// auto-submitting form, until a page that is neither.
    pub async fn browse(&self, url: &str) -> Result<Journey, AgentError> {
        self.browse_guarded(url, None, 0).await
    }

    /// [`browse`](Self::browse), visiting URLs under `idp` at most `max_idp_visits` times: a
    /// journey the SP sends to the IdP once more stops at that redirect, so an SP that restarts
    /// sign-in after refusing cannot turn a faulty response into an honest one.
    pub async fn browse_guarded(
        &self,
        url: &str,
        idp: Option<&str>,
        max_idp_visits: usize,
    ) -> Result<Journey, AgentError> {
        let first_exchange = self.trace_len();
        let at_idp = |u: &Url| idp.is_some_and(|i| u.as_str().starts_with(i));
        let mut idp_visits = usize::from(Url::parse(url).is_ok_and(|u| at_idp(&u)));
        let mut page = self.get(url).await?;
        for hop in 0..MAX_HOPS {
            let next = match redirect_target(&page)? {
                Some(next) => Some((next, None)),
                None => page.auto_submit_form().map(|f| (f.action.clone(), Some(f))),
            };
            let Some((next, form)) = next else {
                return Ok(Journey {
                    page,
                    first_exchange,
                    hops: hop,
                    stopped: None,
                });
            };
            if at_idp(&next) {
                idp_visits += 1;
                if idp_visits > max_idp_visits {
                    return Ok(Journey {
                        page,
                        first_exchange,
                        hops: hop,
                        stopped: Some(format!(
                            "the SP sent the browser to the IdP once more ({next}); this \
                             journey visits it at most {max_idp_visits} time(s)"
                        )),
                    });
                }
            }
            page = match form {
                Some(f) => self.submit(&f).await?,
                None => self.get(next.as_str()).await?,
            };
        }
        Err(AgentError::TooManyHops {
            start: url.to_string(),
        })
    }

    /// Submit `form` as the browser would.
    pub async fn submit(&self, form: &Form) -> Result<Page, AgentError> {
        if form.method.eq_ignore_ascii_case("get") {
            let mut u = form.action.clone();
            u.query_pairs_mut()
                .extend_pairs(form.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            self.get(u.as_str()).await
        } else {
            self.post_form(form.action.as_str(), &form.fields).await
        }
    }
}

/// The absolute URL a redirect answer points at, if it is one.
pub fn redirect_target(page: &Page) -> Result<Option<Url>, AgentError> {
    if !matches!(
        page.status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return Ok(None);
    }
    let bad = || AgentError::BadLocation {
        from: page.url.to_string(),
    };
    let loc = page
        .headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad)?;
    page.url.join(loc).map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests;
