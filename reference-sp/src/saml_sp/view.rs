//! Reading the XML tree the way a SAML SP must: by namespace and local name, with full text
//! content, after a nesting-depth guard.
//!
//! [`protocols::xml::Element`] matches local names only and keeps namespace declarations as
//! written, so [`Scoped`] carries the in-scope declarations down the tree.

use protocols::xml::{ns, Element, Node, NsDecl};

/// Deeper than any SAML response (about a dozen levels); the tree, its writer and its drop are
/// recursive, so depth must be bounded before the tree is built.
pub(super) const MAX_DEPTH: usize = 64;

/// An element with the namespaces in scope on it.
#[derive(Clone, Debug)]
pub(super) struct Scoped<'a> {
    pub el: &'a Element,
    /// (prefix, uri), innermost last; includes `el`'s own declarations.
    scope: Vec<(&'a str, &'a str)>,
}

impl<'a> Scoped<'a> {
    pub fn root(el: &'a Element) -> Self {
        Self::under(el, Vec::new())
    }

    /// `el` below ancestors that declare `inherited`.
    pub fn with_inherited(el: &'a Element, inherited: &'a [NsDecl]) -> Self {
        Self::under(
            el,
            inherited
                .iter()
                .map(|d| (d.prefix.as_str(), d.uri.as_str()))
                .collect(),
        )
    }

    fn under(el: &'a Element, mut scope: Vec<(&'a str, &'a str)>) -> Self {
        scope.extend(
            el.namespaces
                .iter()
                .map(|d| (d.prefix.as_str(), d.uri.as_str())),
        );
        Self { el, scope }
    }

    /// The element's namespace URI; `None` when it has none.
    pub fn namespace(&self) -> Option<&'a str> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| *p == self.el.prefix)
            .map(|(_, u)| *u)
            .filter(|u| !u.is_empty())
    }

    pub fn is(&self, uri: &str, local: &str) -> bool {
        self.el.name == local && self.namespace() == Some(uri)
    }

    pub fn children(&self) -> impl Iterator<Item = Scoped<'a>> + '_ {
        self.el
            .elements()
            .map(|c| Self::under(c, self.scope.clone()))
    }

    pub fn children_named<'s>(
        &'s self,
        uri: &'s str,
        local: &'s str,
    ) -> impl Iterator<Item = Scoped<'a>> + 's {
        self.children().filter(move |c| c.is(uri, local))
    }

    pub fn child(&self, uri: &str, local: &str) -> Option<Scoped<'a>> {
        self.children().find(|c| c.is(uri, local))
    }

    /// Shorthands for the two SAML namespaces.
    pub fn saml(&self, local: &str) -> Option<Scoped<'a>> {
        self.child(ns::SAML, local)
    }

    pub fn samlp(&self, local: &str) -> Option<Scoped<'a>> {
        self.child(ns::SAMLP, local)
    }

    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.el.attr_value(name)
    }
}

/// Every descendant text node, in document order (XPath `string()`): comments never cut a value
/// short, so `victim@corp.example<!---->.evil.example` reads as the whole address.
pub(super) fn full_text(el: &Element) -> String {
    let mut out = String::new();
    collect_text(el, &mut out, false);
    out
}

/// The deliberate mistake of [`crate::Flaw::NameIdCommentTruncation`]: the text up to the first
/// comment, as an SP reading only the first text node does.
pub(super) fn danger_text_before_first_comment(el: &Element) -> String {
    let mut out = String::new();
    collect_text(el, &mut out, true);
    out
}

/// Returns true once a comment stopped the walk (only when `stop_at_comment`).
fn collect_text(el: &Element, out: &mut String, stop_at_comment: bool) -> bool {
    for n in &el.children {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Comment(_) if stop_at_comment => return true,
            Node::Comment(_) => {}
            Node::Element(e) => {
                if collect_text(e, out, stop_at_comment) {
                    return true;
                }
            }
        }
    }
    false
}

/// A copy of the tree with every comment removed: what exclusive c14n (without comments) sees,
/// so the signature verifier and the reader work on the same text nodes.
pub(super) fn without_comments(el: &Element) -> Element {
    let mut out = Element {
        prefix: el.prefix.clone(),
        name: el.name.clone(),
        namespaces: el.namespaces.clone(),
        attributes: el.attributes.clone(),
        children: Vec::with_capacity(el.children.len()),
    };
    for n in &el.children {
        match n {
            Node::Comment(_) => {}
            Node::Text(t) => match out.children.last_mut() {
                Some(Node::Text(prev)) => prev.push_str(t),
                _ => out.children.push(Node::Text(t.clone())),
            },
            Node::Element(e) => out.children.push(Node::Element(without_comments(e))),
        }
    }
    out
}

/// The first value used twice among the attributes XML signature references can resolve
/// (`ID`, `Id`, `id`, `xml:id`): with unique ids, "the element with this ID" is one element for
/// the verifier and for us.
pub(super) fn duplicate_id(root: &Element) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for e in root.descendants() {
        for a in &e.attributes {
            let id_like = (a.prefix.is_empty() && matches!(a.name.as_str(), "ID" | "Id" | "id"))
                || (a.prefix == "xml" && a.name == "id");
            if id_like && !seen.insert(a.value.as_str()) {
                return Some(a.value.clone());
            }
        }
    }
    None
}

/// The deepest element nesting in `xml`, or `None` once it passes `limit`. A byte scan (no tree,
/// no recursion) that is exact for well-formed XML without a DTD; anything malformed is left for
/// the parser to refuse.
pub(super) fn depth_within(xml: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0usize;
    let find = |from: usize, pat: &[u8]| -> Option<usize> {
        xml.get(from..)?
            .windows(pat.len())
            .position(|w| w == pat)
            .map(|p| from + p)
    };
    while let Some(off) = xml.get(i..).and_then(|s| s.iter().position(|&b| b == b'<')) {
        let lt = i + off;
        let rest = &xml[lt..];
        if rest.starts_with(b"<!--") {
            match find(lt + 4, b"-->") {
                Some(end) => i = end + 3,
                None => return true,
            }
        } else if rest.starts_with(b"<![CDATA[") {
            match find(lt + 9, b"]]>") {
                Some(end) => i = end + 3,
                None => return true,
            }
        } else if rest.starts_with(b"<?") {
            match find(lt + 2, b"?>") {
                Some(end) => i = end + 2,
                None => return true,
            }
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            match find(lt + 2, b">") {
                Some(end) => i = end + 1,
                None => return true,
            }
        } else {
            // A start tag: find its '>' outside quoted attribute values.
            let mut j = lt + 1;
            let mut quote: Option<u8> = None;
            let mut close = None;
            while let Some(&b) = xml.get(j) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        close = Some(j);
                        break;
                    }
                    None => {}
                }
                j += 1;
            }
            let Some(gt) = close else { return true };
            // gt > lt, so gt - 1 is in bounds (at worst the '<' itself).
            if xml.get(gt - 1) != Some(&b'/') {
                depth += 1;
                if depth > limit {
                    return false;
                }
            }
            i = gt + 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::xml::parse;

    #[test]
    fn namespaces_resolve_through_ancestors_and_prefixes_do_not_matter() {
        let t = parse(
            r#"<p:R xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol"><A xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>i</Issuer></A><x:A xmlns:x="urn:evil"/></p:R>"#,
        )
        .unwrap();
        let r = Scoped::root(&t);
        assert!(r.is(ns::SAMLP, "R"));
        let found: Vec<_> = r.children_named(ns::SAML, "A").collect();
        assert_eq!(found.len(), 1, "the urn:evil A is not a SAML element");
        assert_eq!(
            found[0].saml("Issuer").map(|i| full_text(i.el)),
            Some("i".into())
        );
    }

    #[test]
    fn full_text_spans_comments_and_the_danger_reading_stops_at_the_first() {
        let t = parse("<N>victim@corp.example<!---->.evil.example</N>").unwrap();
        assert_eq!(full_text(&t), "victim@corp.example.evil.example");
        assert_eq!(danger_text_before_first_comment(&t), "victim@corp.example");
        let stripped = without_comments(&t);
        assert_eq!(stripped.children.len(), 1, "adjacent text merges");
        assert_eq!(stripped.to_xml(), "<N>victim@corp.example.evil.example</N>");
    }

    #[test]
    fn duplicate_ids_across_id_attribute_spellings() {
        let t = parse(r#"<R ID="a"><S ID="b"/><T xml:id="a"/></R>"#).unwrap();
        assert_eq!(duplicate_id(&t), Some("a".into()));
        assert_eq!(
            duplicate_id(&parse(r#"<R ID="a"><S ID="b"/></R>"#).unwrap()),
            None
        );
    }

    #[test]
    fn depth_scan_counts_elements_only() {
        let ok = r#"<?xml version="1.0"?><a x="1>2" y='/>'><!-- <b><b><b> --><![CDATA[<c><c>]]><d/><e></e></a>"#;
        assert!(depth_within(ok.as_bytes(), 2));
        assert!(!depth_within(ok.as_bytes(), 1));
        let deep = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
        assert!(!depth_within(deep.as_bytes(), MAX_DEPTH));
        assert!(depth_within(b"<a", 1), "malformed is left to the parser");
    }
}
