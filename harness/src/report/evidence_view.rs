//! Evidence made readable for report.html: SAML XML pretty-printed one element per line with the
//! signed parts marked, and JWTs split into their decoded header and claims.
//!
//! These return plain text; the template escapes it, so attacker-controlled XML and claims are
//! shown, never interpreted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// One line of pretty-printed XML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XmlLine {
    pub depth: usize,
    pub text: String,
    /// Inside an element a `ds:Reference URI="#id"` of the document points at.
    pub signed: bool,
    /// The `ds:Signature` element itself (and its contents).
    pub signature: bool,
}

/// Local name of a qualified name: `ds:Reference` -> `Reference`.
fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The ids the document's signatures reference.
fn referenced_ids(xml: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut r = Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if local(e.name().as_ref()) == b"Reference" =>
            {
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == b"URI" {
                        let v = String::from_utf8_lossy(&a.value).to_string();
                        if let Some(id) = v.strip_prefix('#') {
                            ids.insert(id.to_string());
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    ids
}

fn has_id_in(e: &quick_xml::events::BytesStart<'_>, ids: &BTreeSet<String>) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(local(a.key.as_ref()), b"ID" | b"Id" | b"id")
            && ids.contains(String::from_utf8_lossy(&a.value).as_ref())
    })
}

/// Pretty-print `xml` one element per line (a leaf with only text stays on one line), marking
/// the lines of signed elements. `None` when it is not well-formed XML: show it raw then.
pub fn pretty_xml(xml: &str) -> Option<Vec<XmlLine>> {
    let ids = referenced_ids(xml);
    let mut r = Reader::from_str(xml);
    r.config_mut().trim_text(true);
    let mut lines: Vec<XmlLine> = Vec::new();
    // (signed, signature) of each open element.
    let mut stack: Vec<(bool, bool)> = Vec::new();
    // A start tag waiting to see whether its element is a text-only leaf.
    let mut pending: Option<(String, bool, bool, usize)> = None;
    let mut pending_text: Option<String> = None;
    let flush = |lines: &mut Vec<XmlLine>,
                 pending: &mut Option<(String, bool, bool, usize)>,
                 pending_text: &mut Option<String>| {
        if let Some((tag, signed, signature, depth)) = pending.take() {
            lines.push(XmlLine {
                depth,
                text: tag,
                signed,
                signature,
            });
            if let Some(t) = pending_text.take() {
                lines.push(XmlLine {
                    depth: depth + 1,
                    text: t,
                    signed,
                    signature,
                });
            }
        }
    };
    loop {
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(_) => return None,
        };
        let (outer_signed, outer_sig) = stack.last().copied().unwrap_or((false, false));
        match ev {
            Event::Start(e) => {
                flush(&mut lines, &mut pending, &mut pending_text);
                let signed = outer_signed || has_id_in(&e, &ids);
                let signature = outer_sig || local(e.name().as_ref()) == b"Signature";
                let tag = format!("<{}>", String::from_utf8_lossy(&e));
                pending = Some((tag, signed, signature, stack.len()));
                stack.push((signed, signature));
            }
            Event::Empty(e) => {
                flush(&mut lines, &mut pending, &mut pending_text);
                let signed = outer_signed || has_id_in(&e, &ids);
                let signature = outer_sig || local(e.name().as_ref()) == b"Signature";
                lines.push(XmlLine {
                    depth: stack.len(),
                    text: format!("<{}/>", String::from_utf8_lossy(&e)),
                    signed,
                    signature,
                });
            }
            Event::Text(t) => {
                let text = String::from_utf8_lossy(&t).to_string();
                if pending.is_some() && pending_text.is_none() {
                    pending_text = Some(text);
                } else {
                    flush(&mut lines, &mut pending, &mut pending_text);
                    lines.push(XmlLine {
                        depth: stack.len(),
                        text,
                        signed: outer_signed,
                        signature: outer_sig,
                    });
                }
            }
            Event::CData(t) => {
                flush(&mut lines, &mut pending, &mut pending_text);
                lines.push(XmlLine {
                    depth: stack.len(),
                    text: format!("<![CDATA[{}]]>", String::from_utf8_lossy(&t)),
                    signed: outer_signed,
                    signature: outer_sig,
                });
            }
            Event::Comment(t) => {
                flush(&mut lines, &mut pending, &mut pending_text);
                lines.push(XmlLine {
                    depth: stack.len(),
                    text: format!("<!--{}-->", String::from_utf8_lossy(&t)),
                    signed: outer_signed,
                    signature: outer_sig,
                });
            }
            Event::DocType(t) => lines.push(XmlLine {
                depth: 0,
                text: format!("<!DOCTYPE {}>", String::from_utf8_lossy(&t)),
                signed: false,
                signature: false,
            }),
            Event::End(e) => {
                let depth = stack.len().saturating_sub(1);
                let close = format!("</{}>", String::from_utf8_lossy(e.name().as_ref()));
                if let Some((tag, signed, signature, _)) = pending.take() {
                    let inner = pending_text.take().unwrap_or_default();
                    lines.push(XmlLine {
                        depth,
                        text: format!("{tag}{inner}{close}"),
                        signed,
                        signature,
                    });
                } else {
                    lines.push(XmlLine {
                        depth,
                        text: close,
                        signed: outer_signed,
                        signature: outer_sig,
                    });
                }
                stack.pop();
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(lines)
}

/// A JWT found in the evidence, decoded (never verified: the report shows what was sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedJwt {
    pub where_found: String,
    pub header: String,
    pub claims: String,
}

fn jwt_pattern() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    // The invariant: a constant pattern that compiles.
    #[allow(clippy::expect_used)]
    RE.get_or_init(|| {
        regex::Regex::new(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
            .expect("constant JWT pattern")
    })
}

fn decode_part(part: &str) -> String {
    match URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')) {
        Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(_) => String::from_utf8_lossy(&bytes).to_string(),
        },
        Err(e) => format!("(not base64url: {e})"),
    }
}

/// Every JWT-shaped string in `text`, decoded; `where_found` names the place for the report.
pub fn jwts_in(text: &str, where_found: &str) -> Vec<DecodedJwt> {
    jwt_pattern()
        .find_iter(text)
        .map(|m| {
            let mut parts = m.as_str().split('.');
            let header = decode_part(parts.next().unwrap_or(""));
            let claims = decode_part(parts.next().unwrap_or(""));
            DecodedJwt {
                where_found: where_found.to_string(),
                header,
                claims,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r1"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#a1"/></ds:SignedInfo></ds:Signature><saml:Subject><saml:NameID>alice@acme.example</saml:NameID></saml:Subject></saml:Assertion><saml:Assertion ID="evil"><saml:Subject><saml:NameID>mallory</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>"##;

    #[test]
    fn signed_assertion_is_marked_and_the_unsigned_one_is_not() {
        let lines = pretty_xml(SIGNED).expect("well-formed");
        let alice = lines
            .iter()
            .find(|l| l.text.contains("alice@acme.example"))
            .expect("alice line");
        assert!(alice.signed && !alice.signature, "{alice:?}");
        assert_eq!(alice.text, "<saml:NameID>alice@acme.example</saml:NameID>");
        assert_eq!(alice.depth, 3);
        let mallory = lines
            .iter()
            .find(|l| l.text.contains("mallory"))
            .expect("mallory line");
        assert!(!mallory.signed, "{mallory:?}");
        assert!(lines
            .iter()
            .any(|l| l.signature && l.text.contains("Reference")));
        assert!(!lines[0].signed, "the Response itself is not referenced");
        assert_eq!(
            lines.last().map(|l| l.text.as_str()),
            Some("</samlp:Response>")
        );
    }

    #[test]
    fn broken_xml_is_none() {
        assert_eq!(pretty_xml("<a><b></a>"), None);
    }

    #[test]
    fn jwts_are_decoded_into_header_and_claims() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
        let c = URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","email":"a@b"}"#);
        let text = format!("id_token={h}.{c}.c2ln&x=1");
        let found = jwts_in(&text, "callback");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].header.contains("\"kid\": \"k1\""),
            "{:?}",
            found[0]
        );
        assert!(found[0].claims.contains("\"sub\": \"alice\""));
        assert_eq!(found[0].where_found, "callback");
    }
}
