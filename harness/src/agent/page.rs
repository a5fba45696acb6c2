//! A fetched page and the forms on it.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use url::Url;

/// One HTTP answer as the browser saw it.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// An HTML form, its action resolved against the page URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub action: Url,
    pub method: String,
    /// Named inputs with their values, in document order (what submitting sends).
    pub fields: Vec<(String, String)>,
}

impl Form {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// One line for an error message: status, URL, where it redirects, and the body's start.
    pub fn describe(&self) -> String {
        let loc = self
            .header("location")
            .map(|l| format!(" -> {l}"))
            .unwrap_or_default();
        let body: String = self.body.chars().take(300).collect();
        format!("{} {}{loc} {body}", self.status.as_u16(), self.url)
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type")
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/html"))
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// Every form on the page.
    pub fn forms(&self) -> Vec<Form> {
        if !self.is_html() {
            return Vec::new();
        }
        let doc = Html::parse_document(&self.body);
        let (Some(form_sel), Some(input_sel)) = (selector("form"), selector("input, textarea"))
        else {
            return Vec::new();
        };
        doc.select(&form_sel)
            .filter_map(|f| {
                let action = f.value().attr("action").unwrap_or("");
                let action = self.url.join(action).ok()?;
                let method = f.value().attr("method").unwrap_or("get").to_string();
                let fields = f
                    .select(&input_sel)
                    .filter(|i| {
                        !matches!(
                            i.value()
                                .attr("type")
                                .map(str::to_ascii_lowercase)
                                .as_deref(),
                            Some("submit" | "button" | "image" | "reset")
                        )
                    })
                    .filter_map(|i| {
                        let name = i.value().attr("name")?;
                        let value = match i.value().name() {
                            "textarea" => i.text().collect::<String>(),
                            _ => i.value().attr("value").unwrap_or("").to_string(),
                        };
                        Some((name.to_string(), value))
                    })
                    .collect();
                Some(Form {
                    action,
                    method,
                    fields,
                })
            })
            .collect()
    }

    /// The form a browser would submit without the user: a page whose body submits its form on
    /// load, or whose form carries a SAML message (the HTTP-POST binding's auto-submit page).
    pub fn auto_submit_form(&self) -> Option<Form> {
        let forms = self.forms();
        let onload = self.body.contains(".submit()");
        forms.into_iter().find(|f| {
            onload
                || f.fields
                    .iter()
                    .any(|(k, _)| k == "SAMLResponse" || k == "SAMLRequest")
        })
    }

    /// The text of the element with id `id` (error pages name their message this way).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let doc = Html::parse_document(&self.body);
        let sel = selector(&format!("#{id}"))?;
        doc.select(&sel).next().map(|e| e.text().collect())
    }
}
