//! Evidence normalised for snapshots: what the SP and the IdP said to each other, with the
//! parts that change run to run (hosts and ports, times, ids, signatures, secrets) replaced by
//! stable placeholders. What is left is the target's behaviour.

use crate::agent::{Decoded, Exchange};
use crate::result::Evidence;
use protocols::xml::{self, Element, Node};
use regex::Regex;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Values that vary per run, and their stable names (e.g. the org slug → `[org]`).
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub substitutions: Vec<(String, String)>,
}

struct Patterns {
    origin: Regex,
    time: Regex,
    guid: Regex,
    pem: Regex,
    b64: Regex,
    hexid: Regex,
    genid: Regex,
    epoch: Regex,
    hash: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        // Invariant: the patterns are literals, checked by the tests below.
        let re = |s: &str| Regex::new(s).unwrap_or_else(|e| panic!("pattern {s}: {e}"));
        Patterns {
            origin: re(r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+"),
            // RFC 3339, and chrono's Display (`2026-11-28 23:34:53.9 UTC`) in rejection messages.
            time: re(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}| UTC)"),
            guid: re(
                r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            ),
            // A PEM key or certificate generated per run (the SP's decryption key): the whole
            // body, since its last line can be shorter than the base64 pattern's 40 characters.
            pem: re(r"-----BEGIN ([A-Z ]+)-----[^-]*-----END [A-Z ]+-----"),
            b64: re(r"[A-Za-z0-9+/_-]{40,}={0,2}"),
            hexid: re(r"\b_?[0-9a-f]{24,}\b"),
            // Generated XML IDs (`id22251134479039183803`) and the quoted base64url hashes of
            // random tokens (at_hash, c_hash) in rejection messages.
            genid: re(r"\b(?:id[0-9]{16,}|_[A-Za-z0-9]{32})\b"),
            // Unix times (id_token iat/exp) in rejection messages.
            epoch: re(r"\b1[7-9][0-9]{8}\b"),
            hash: re(r#""[A-Za-z0-9_-]{22}""#),
        }
    })
}

/// OAuth parameters whose values are random per run.
const RANDOM_PARAMS: &[&str] = &["state", "nonce", "code", "code_challenge", "login_hint"];

struct Normalizer {
    origins: BTreeMap<String, String>,
    ctx: Context,
}

impl Normalizer {
    fn text(&mut self, s: &str) -> String {
        let p = patterns();
        // Percent-encoded URLs (return_to, RelayState) read as the URLs they carry, so their
        // origins get the same placeholders.
        let mut out = s
            .replace("%3A", ":")
            .replace("%3a", ":")
            .replace("%2F", "/")
            .replace("%2f", "/");
        for (from, to) in &self.ctx.substitutions {
            if !from.is_empty() {
                out = out.replace(from.as_str(), to);
            }
        }
        let found: Vec<String> = p
            .origin
            .find_iter(&out)
            .map(|m| m.as_str().to_string())
            .collect();
        for o in found {
            let n = self.origins.len() + 1;
            let name = self
                .origins
                .entry(o.clone())
                .or_insert_with(|| format!("[host{n}]"))
                .clone();
            out = out.replace(&o, &name);
        }
        let out = p.time.replace_all(&out, "[time]");
        let out = p.guid.replace_all(&out, "[guid]");
        let out = p.pem.replace_all(&out, "[pem ${1}]");
        let out = p.b64.replace_all(&out, "[b64]");
        let out = p.hexid.replace_all(&out, "[id]");
        let out = p.genid.replace_all(&out, "[id]");
        let out = p.epoch.replace_all(&out, "[epoch]");
        p.hash.replace_all(&out, "\"[hash]\"").into_owned()
    }

    fn url(&mut self, u: &str) -> String {
        let Ok(mut parsed) = url::Url::parse(u) else {
            return self.text(u);
        };
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = match k.as_ref() {
                    "SAMLRequest" | "SAMLResponse" | "Signature" => "[message]".to_string(),
                    k if RANDOM_PARAMS.contains(&k) => "[random]".to_string(),
                    _ => v.into_owned(),
                };
                (k.into_owned(), v)
            })
            .collect();
        if pairs.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
        // Decode the query again so placeholders read plainly.
        let s = parsed.to_string().replace("%5B", "[").replace("%5D", "]");
        self.text(&s)
    }

    fn saml(&mut self, xml_text: &str) -> Value {
        let Ok(root) = xml::parse(xml_text) else {
            return json!({"unparseable": true});
        };
        let mut out = Map::new();
        out.insert("message".into(), json!(root.name));
        let mut signed = Vec::new();
        collect_signed(&root, &mut signed);
        out.insert("signed".into(), json!(signed));
        for (key, name) in [
            ("issuer", "Issuer"),
            ("audience", "Audience"),
            ("name_id", "NameID"),
        ] {
            if let Some(e) = first(&root, name) {
                out.insert(key.into(), json!(self.text(&e.text_content())));
            }
        }
        let statuses: Vec<String> = all(&root, "StatusCode")
            .iter()
            .filter_map(|e| e.attr_value("Value").map(str::to_string))
            .collect();
        if !statuses.is_empty() {
            out.insert("status".into(), json!(statuses));
        }
        for (key, attr) in [
            ("destination", "Destination"),
            ("acs", "AssertionConsumerServiceURL"),
            ("in_response_to", "InResponseTo"),
        ] {
            if let Some(v) = root.attr_value(attr) {
                out.insert(key.into(), json!(self.text(v)));
            }
        }
        let mut attrs = BTreeMap::new();
        for a in all(&root, "Attribute") {
            let name = a.attr_value("Name").unwrap_or("").to_string();
            let values: Vec<String> = a.elements().map(|v| self.text(&v.text_content())).collect();
            attrs.insert(name, values);
        }
        if !attrs.is_empty() {
            out.insert("attributes".into(), json!(attrs));
        }
        Value::Object(out)
    }

    fn exchange(&mut self, e: &Exchange) -> Value {
        let mut out = Map::new();
        out.insert(
            "request".into(),
            json!(format!("{} {}", e.method, self.url(&e.url))),
        );
        out.insert("status".into(), json!(e.status));
        if let Some(l) = &e.location {
            out.insert("location".into(), json!(self.url(l)));
        }
        if !e.set_cookies.is_empty() {
            out.insert("set_cookies".into(), json!(e.set_cookies));
        }
        let decoded: Vec<Value> = e
            .decoded
            .iter()
            .map(|d| match d {
                Decoded::Saml { field, xml } => json!({ field.clone(): self.saml(xml) }),
                Decoded::Oauth { params } => {
                    let m: BTreeMap<String, String> = params
                        .iter()
                        .map(|(k, v)| {
                            let v = if RANDOM_PARAMS.contains(&k.as_str()) {
                                "[random]".to_string()
                            } else {
                                self.text(v)
                            };
                            (k.clone(), v)
                        })
                        .collect();
                    json!({ "oauth": m })
                }
                Decoded::Undecodable { field, error } => {
                    json!({ "undecodable": { "field": field, "error": self.text(error) } })
                }
            })
            .collect();
        if !decoded.is_empty() {
            out.insert("decoded".into(), json!(decoded));
        }
        if e.status >= 400 {
            if let Ok(v) = serde_json::from_str::<Value>(&e.body_excerpt) {
                out.insert("body".into(), self.value(&v));
            }
        }
        Value::Object(out)
    }

    fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        // Row ids depend on what else ran first; their presence is the behaviour.
                        let is_id = k == "id" || k.ends_with("_id");
                        let x = match x {
                            Value::Number(_) if is_id => Value::String("[n]".into()),
                            _ => self.value(x),
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn first<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    if e.name == name {
        return Some(e);
    }
    e.elements().find_map(|c| first(c, name))
}

fn all<'a>(e: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut out = Vec::new();
    fn walk<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
        if e.name == name {
            out.push(e);
        }
        for c in &e.children {
            if let Node::Element(c) = c {
                walk(c, name, out);
            }
        }
    }
    walk(e, name, &mut out);
    out
}

fn collect_signed(e: &Element, out: &mut Vec<String>) {
    if e.elements().any(|c| c.name == "Signature") {
        out.push(e.name.clone());
    }
    for c in e.elements() {
        collect_signed(c, out);
    }
}

/// The normalised form of a scenario's evidence.
pub fn normalize(evidence: &Evidence, ctx: &Context) -> Value {
    let mut n = Normalizer {
        origins: BTreeMap::new(),
        ctx: ctx.clone(),
    };
    let actors: Map<String, Value> = evidence
        .actors
        .iter()
        .map(|(name, ex)| {
            (
                name.clone(),
                Value::Array(ex.iter().map(|e| n.exchange(e)).collect()),
            )
        })
        .collect();
    let calls: Vec<Value> = evidence.target_calls.iter().map(|c| n.value(c)).collect();
    let mut out = json!({ "actors": actors, "target_calls": calls });
    if let Some(s) = &evidence.final_state {
        out["final_state"] = n.value(s);
    }
    out
}
