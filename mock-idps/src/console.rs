//! The web console served at `GET /` to browsers (docs/serve.md): tenants with their metadata,
//! SSO URLs, issuers and client credentials; users and groups, editable; a form for the next
//! login's faults with the JSON it sends; the live request log; IdP-initiated login and SCIM
//! push buttons.
//!
//! The page holds no privilege of its own: its script calls the control API under `/_idpsim/`
//! with the bearer token the user types (when the server needs one), so every change passes the
//! API's validation and every refusal is the API's error, shown on the page. The page is one
//! minijinja template compiled in (`mock-idps/templates/console.html`), with inline CSS and JS.

use crate::personality::Vendor;
use protocols::jose::attacks::OidcAttack;
use protocols::saml::attacks::SamlAttack;
use protocols::saml::{DigestAlgorithm, SignatureAlgorithm, SignaturePlacement};
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/console.html");

/// What the page's lists offer: every value the next-login fields and the catalogue accept, as
/// the control API spells them (their serde names).
#[derive(Debug, Serialize)]
struct Choices {
    vendors: Vec<String>,
    sign: Vec<String>,
    alg: Vec<String>,
    digest: Vec<String>,
    saml_attacks: Vec<String>,
    oidc_attacks: Vec<String>,
    scim_events: Vec<&'static str>,
}

fn names<T: Serialize>(values: impl IntoIterator<Item = T>) -> Vec<String> {
    values
        .into_iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn choices() -> Choices {
    Choices {
        vendors: names(Vendor::ALL),
        sign: names([
            SignaturePlacement::Assertion,
            SignaturePlacement::Response,
            SignaturePlacement::Both,
            SignaturePlacement::None,
        ]),
        alg: names(SignatureAlgorithm::ALL),
        digest: names([
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]),
        saml_attacks: names(SamlAttack::ALL),
        oidc_attacks: names(OidcAttack::ALL),
        scim_events: vec![
            "test_connection",
            "assign",
            "update",
            "suspend",
            "deactivate",
            "reactivate",
            "unassign",
            "delete",
            "push_group",
            "rename_group",
            "add_member",
            "remove_member",
            "delete_group",
        ],
    }
}

#[derive(Debug, Serialize)]
struct Config {
    token_required: bool,
    choices: Choices,
}

/// The template's context: `config` is also handed to the page's script as JSON.
#[derive(Debug, Serialize)]
struct Page {
    config: Config,
}

/// The console page. `token_required`: the control API wants a bearer token, so the page asks
/// for it before anything else.
pub fn render(token_required: bool) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("console.html", TEMPLATE)?;
    env.get_template("console.html")?.render(Page {
        config: Config {
            token_required,
            choices: choices(),
        },
    })
}

/// The quality `accept` gives `mime` (`type/subtype`): the most specific matching range wins
/// (RFC 9110 §12.5.1); 0 when nothing matches.
fn quality(accept: &str, mime: &str) -> f32 {
    let (ty, _) = mime.split_once('/').unwrap_or((mime, ""));
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let Some(r) = parts.next().map(str::to_ascii_lowercase) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let specificity = if r == mime {
            3
        } else if r == format!("{ty}/*") {
            2
        } else if r == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Whether a request's Accept header prefers HTML to JSON (a browser's does; curl's `*/*` and
/// an absent header do not).
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let html = quality(accept, "text/html");
    html > 0.0 && html > quality(accept, "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_and_curl_gets_json() {
        let chrome =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        assert!(prefers_html(Some(chrome)));
        assert!(prefers_html(Some("text/html")));
        assert!(!prefers_html(None), "no header: JSON, as before");
        assert!(!prefers_html(Some("*/*")), "curl");
        assert!(!prefers_html(Some("application/json")));
        assert!(!prefers_html(Some("application/json, text/html;q=0.5")));
        assert!(!prefers_html(Some("text/html;q=0, */*")));
        assert!(!prefers_html(Some("text/*;q=0.5, application/json")));
        assert!(prefers_html(Some("text/*, application/json;q=0.2")));
    }

    #[test]
    fn the_page_lists_every_catalogue_attack_and_field_value() {
        let page = render(true).expect("renders");
        for a in SamlAttack::ALL {
            assert!(page.contains(&format!("\"{}\"", a.name())), "{}", a.name());
        }
        for a in OidcAttack::ALL {
            assert!(page.contains(&format!("\"{}\"", a.name())), "{}", a.name());
        }
        for v in ["RsaSha1", "EcdsaSha256", "Sha512", "Both"] {
            assert!(page.contains(v), "{v}");
        }
        assert!(
            page.contains("\"token_required\":true"),
            "the page knows to ask for the token"
        );
    }
}
