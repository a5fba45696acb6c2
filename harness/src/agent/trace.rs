//! The evidence trace: every exchange an actor made, with the SSO messages in it decoded.

use super::page::Page;
use reqwest::Method;
use serde::{Deserialize, Serialize};

/// Form fields whose values never go into a trace.
const SECRET_FIELDS: &[&str] = &["password", "client_secret"];
/// How much of a body a trace keeps.
pub const BODY_EXCERPT: usize = 2048;

/// An SSO message found in an exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decoded {
    /// A SAML AuthnRequest or Response, as XML.
    Saml { field: String, xml: String },
    /// OAuth/OIDC parameters on a redirect (authorize request or callback).
    Oauth { params: Vec<(String, String)> },
    /// A message that could not be decoded, and why.
    Undecodable { field: String, error: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<Vec<(String, String)>>,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Names of cookies the answer set (values are credentials).
    pub set_cookies: Vec<String>,
    pub body_excerpt: String,
    pub decoded: Vec<Decoded>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trace {
    pub exchanges: Vec<Exchange>,
}

const OAUTH_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code",
    "code_challenge",
    "code_challenge_method",
    "login_hint",
    "prompt",
    "error",
    "error_description",
];

fn decode_saml_field(field: &str, value: &str, redirect: bool) -> Decoded {
    let undecodable = |e: String| Decoded::Undecodable {
        field: field.to_string(),
        error: e,
    };
    let xml = if redirect {
        let q = format!(
            "SAMLRequest={}",
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        );
        protocols::saml::parse_redirect(&q, protocols::saml::DEFAULT_MAX_INFLATED)
            .map(|r| r.xml)
            .map_err(|e| e.to_string())
    } else {
        protocols::saml::b64_decode("SAMLResponse", value)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
    };
    match xml {
        Ok(xml) => Decoded::Saml {
            field: field.to_string(),
            xml,
        },
        Err(e) => undecodable(e),
    }
}

fn decode_query(url: &url::Url, out: &mut Vec<Decoded>) {
    let mut oauth = Vec::new();
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "SAMLRequest" | "SAMLResponse" => out.push(decode_saml_field(&k, &v, true)),
            k if OAUTH_PARAMS.contains(&k) => oauth.push((k.to_string(), v.to_string())),
            _ => {}
        }
    }
    if !oauth.is_empty() {
        out.push(Decoded::Oauth { params: oauth });
    }
}

impl Exchange {
    pub(crate) fn of(
        method: &Method,
        url: &str,
        form: Option<&[(String, String)]>,
        page: &Page,
    ) -> Self {
        let mut decoded = Vec::new();
        if let Ok(u) = url::Url::parse(url) {
            decode_query(&u, &mut decoded);
        }
        if let Some(fields) = form {
            for (k, v) in fields {
                if k == "SAMLResponse" || k == "SAMLRequest" {
                    decoded.push(decode_saml_field(k, v, false));
                }
            }
        }
        let location = page.header("location").map(str::to_string);
        if let Some(loc) = location.as_deref().and_then(|l| page.url.join(l).ok()) {
            decode_query(&loc, &mut decoded);
        }
        let form = form.map(|f| {
            f.iter()
                .map(|(k, v)| {
                    let v = if SECRET_FIELDS.contains(&k.as_str()) {
                        "<redacted>".to_string()
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect()
        });
        let mut body_excerpt: String = page.body.chars().take(BODY_EXCERPT).collect();
        if body_excerpt.len() < page.body.len() {
            body_excerpt.push('…');
        }
        Exchange {
            method: method.to_string(),
            url: url.to_string(),
            form,
            status: page.status.as_u16(),
            location,
            content_type: page.header("content-type").map(str::to_string),
            set_cookies: page
                .headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|c| c.split('=').next())
                .map(str::to_string)
                .collect(),
            body_excerpt,
            decoded,
        }
    }
}
