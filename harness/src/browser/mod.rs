//! Browser mode (`idpsim run --browser chromium`): the sign-in journeys of the scenarios run
//! in a real headless Chromium over WebDriver instead of the HTTP agent.
//!
//! - [`Chromium`] is the WebDriver server: `chromedriver` started on a free loopback port (or
//!   one given with `--webdriver`), shared by the run. Each actor gets its own browser session
//!   ([`ChromeSession`]), so its own cookie jar, as with the HTTP agent.
//! - A journey is a navigation: Chromium follows the redirects and runs the pages' own scripts
//!   (the auto-submitting SAML and form_post pages). What it did is read back from Chrome's
//!   performance log ([`perflog`]) into the same [`Exchange`](crate::agent::Exchange)s the
//!   HTTP agent records, so the checks and the reports do not know which browser ran.
//! - The actor's cookies are shared both ways with their HTTP agent, which keeps the hops a
//!   browser has no say in: the probes a Then step makes, the password login, SCIM.
//!
//! docs/browser.md says which steps run where.

pub mod perflog;
mod session;

pub use session::{BrowserEvidence, ChromeSession, CookieSeen};

use parking_lot::Mutex;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Which browser the scenarios' journeys use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BrowserKind {
    /// The harness's own HTTP user agent (fast; the default).
    #[default]
    Http,
    /// A real headless Chromium over WebDriver.
    Chromium,
}

/// How to run browser mode.
#[derive(Debug, Clone, Default)]
pub struct BrowserConfig {
    pub kind: BrowserKind,
    /// A WebDriver server already running (e.g. `http://127.0.0.1:9515`); none: start
    /// `chromedriver`.
    pub webdriver: Option<String>,
    /// Where failure screenshots go (`<dir>/screenshots/`), usually the report directory.
    pub report_dir: Option<PathBuf>,
}

/// How to install what browser mode needs, for error messages.
pub const INSTALL_HINT: &str = "install Chromium and its WebDriver with `make deps` (as root, on \
     Debian), or `apt-get install chromium chromium-driver`";

#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("browser mode needs {missing}, which is not on PATH: {INSTALL_HINT}")]
    NotInstalled { missing: String },
    #[error("starting chromedriver: {0}")]
    DriverStart(String),
    #[error("opening a Chromium session at {webdriver}: {error}")]
    Session { webdriver: String, error: String },
    #[error("Chromium: {0}")]
    WebDriver(#[from] fantoccini::error::CmdError),
    #[error("Chromium did not settle within {secs} s at {url}: a page that never finished loading or submitting")]
    Timeout { url: String, secs: u64 },
    #[error("Chromium's performance log has no document answer for {0}")]
    NoDocument(String),
    #[error("GET {url}: {error}")]
    Unreachable { url: String, error: String },
}

impl BrowserError {
    /// The other side never answered in time (a black-box SP's "no answer").
    pub fn is_no_answer(&self) -> bool {
        match self {
            BrowserError::Timeout { .. } | BrowserError::Unreachable { .. } => true,
            BrowserError::WebDriver(e) => e.is_timeout() || e.is_script_timeout(),
            _ => false,
        }
    }
}

/// The first of `names` found on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The WebDriver server of a run.
pub struct Chromium {
    webdriver: String,
    driver: Mutex<Option<std::process::Child>>,
    report_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("webdriver", &self.webdriver)
            .finish()
    }
}

/// How long chromedriver may take to say it is listening.
const DRIVER_START: Duration = Duration::from_secs(20);

impl Chromium {
    /// Connect to `cfg.webdriver`, or start chromedriver on a free loopback port. Fails at
    /// once, saying how to install them, when chromium or chromedriver is missing.
    pub async fn start(cfg: &BrowserConfig) -> Result<Self, BrowserError> {
        if let Some(url) = &cfg.webdriver {
            return Ok(Self {
                webdriver: url.clone(),
                driver: Mutex::new(None),
                report_dir: cfg.report_dir.clone(),
            });
        }
        let driver = on_path(&["chromedriver"]).ok_or_else(|| BrowserError::NotInstalled {
            missing: "chromedriver (Debian's chromium-driver)".into(),
        })?;
        on_path(&["chromium", "chromium-browser", "google-chrome"]).ok_or_else(|| {
            BrowserError::NotInstalled {
                missing: "chromium".into(),
            }
        })?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| BrowserError::DriverStart(format!("finding a free port: {e}")))?
            .port();
        let mut child = std::process::Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| BrowserError::DriverStart(format!("{}: {e}", driver.display())))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BrowserError::DriverStart("no stdout".into()))?;
        // chromedriver says when it listens: wait for that line, not for a fixed time. The
        // reader then keeps draining its output, so that it never blocks on a full pipe.
        let (tx, rx) = tokio::sync::oneshot::channel::<bool>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("started successfully") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(true);
                    }
                }
            }
            if let Some(tx) = tx.take() {
                let _ = tx.send(false);
            }
        });
        let listening = tokio::time::timeout(DRIVER_START, rx).await;
        if !matches!(listening, Ok(Ok(true))) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BrowserError::DriverStart(match listening {
                Err(_) => format!(
                    "chromedriver did not listen within {} s",
                    DRIVER_START.as_secs()
                ),
                Ok(_) => "chromedriver exited before it listened".into(),
            }));
        }
        Ok(Self {
            webdriver: format!("http://127.0.0.1:{port}"),
            driver: Mutex::new(Some(child)),
            report_dir: cfg.report_dir.clone(),
        })
    }

    /// A new browser (its own profile, so its own cookies) whose navigations give up after
    /// `timeout`.
    pub async fn session(&self, timeout: Duration) -> Result<ChromeSession, BrowserError> {
        ChromeSession::open(&self.webdriver, timeout).await
    }

    /// Where a failed scenario's screenshots go, if anywhere.
    pub fn screenshot_dir(&self) -> Option<PathBuf> {
        self.report_dir.as_deref().map(|d| d.join("screenshots"))
    }

    /// Stop chromedriver, if this run started it (the sessions are closed per scenario).
    pub fn shutdown(&self) {
        let child = self.driver.lock().take();
        if let Some(mut c) = child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Chromium {
    /// A run that stops early (the IdPs could not start) leaves no chromedriver behind.
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A file name for `scenario`'s screenshot of `actor`: lowercase letters, digits and dashes.
pub fn screenshot_name(scenario: &str, actor: &str) -> String {
    let slug: String = format!("{scenario}-{actor}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{slug}.png")
}

/// Write `png` as `dir/name`; the path relative to the report directory (`screenshots/name`).
pub fn save_screenshot(dir: &Path, name: &str, png: &[u8]) -> std::io::Result<String> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), png)?;
    Ok(format!("screenshots/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshot_names_are_slugs() {
        assert_eq!(
            screenshot_name("An assertion for another SP is refused (Okta)", "Alice"),
            "an-assertion-for-another-sp-is-refused-okta-alice.png"
        );
    }

    #[test]
    fn the_install_hint_names_both_ways() {
        let e = BrowserError::NotInstalled {
            missing: "chromium".into(),
        };
        let msg = e.to_string();
        assert!(msg.contains("make deps"), "{msg}");
        assert!(
            msg.contains("apt-get install chromium chromium-driver"),
            "{msg}"
        );
    }
}
