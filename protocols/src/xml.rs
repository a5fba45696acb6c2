//! A tiny, public, mutable XML tree whose serializer writes canonical XML directly.
//!
//! Why not a DOM library: signing must be cheap (no re-parse, no second canonicaliser pass), and
//! a later attack catalogue rewrites signed documents (wrapping, signature exclusion, comment
//! injection), which wants plain structs it can move nodes between.
//!
//! Two writers share one walk:
//! - [`Element::to_xml`] writes the document form: namespace declarations as the tree holds them,
//!   comments kept, and everything else already in canonical shape (declarations sorted by prefix,
//!   attributes in c14n order, no self-closing tags, c14n escaping).
//! - [`Element::exc_c14n`] writes Exclusive XML Canonicalization 1.0 (without comments): it works
//!   out which namespace declarations are visibly utilised (or listed in the InclusiveNamespaces
//!   PrefixList) and renders only those.
//!
//! Builders in [`crate::saml`] declare on each element exactly the namespaces exclusive c14n renders
//! there (the Okta shape), so the two writers give the same bytes for any signed subtree; the
//! signer still digests the `exc_c14n` output, which stays correct for trees built otherwise.

/// Namespace URIs used across the crate.
pub mod ns {
    pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
    pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    pub const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
    pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    pub const XS: &str = "http://www.w3.org/2001/XMLSchema";
    pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
    pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
}

/// A namespace declaration: `xmlns:prefix="uri"`, or `xmlns="uri"` when `prefix` is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsDecl {
    pub prefix: String,
    pub uri: String,
}

impl NsDecl {
    pub fn new(prefix: impl Into<String>, uri: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            uri: uri.into(),
        }
    }
}

/// An attribute; `prefix` is empty for an unqualified one. Its namespace is resolved from the
/// declarations in scope when the tree is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub prefix: String,
    pub name: String,
    pub value: String,
}

/// A child of an element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
}

/// An element: prefixed name, the namespaces it declares, attributes and children.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Element {
    /// Empty for an unprefixed element (default namespace).
    pub prefix: String,
    /// The local name.
    pub name: String,
    pub namespaces: Vec<NsDecl>,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Node>,
}

/// Why a document could not be read into a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("DOCTYPE declarations are not accepted")]
    Doctype,
    #[error("ENTITY declarations are not accepted")]
    Entity,
    #[error("malformed XML at byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("the document has no root element")]
    NoRoot,
    #[error("content after the root element")]
    TrailingContent,
    #[error("elements nest deeper than {limit} levels")]
    TooDeep { limit: usize },
}

/// How deep [`parse`] lets elements nest. SAML documents stay under twenty; the limit keeps a
/// hostile document from building a tree whose recursive walks (and drop) exhaust the stack.
pub const MAX_DEPTH: usize = 128;

impl Element {
    pub fn new(prefix: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    // ---- building (by value, for chained construction) ----

    /// Declare a namespace on this element.
    pub fn ns(mut self, prefix: impl Into<String>, uri: impl Into<String>) -> Self {
        self.namespaces.push(NsDecl::new(prefix, uri));
        self
    }

    /// Add an unqualified attribute.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_attr(name, value);
        self
    }

    /// Add an unqualified attribute when `value` is `Some`.
    pub fn attr_opt(self, name: impl Into<String>, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Add a prefixed attribute (e.g. `xsi:type`).
    pub fn attr_ns(
        mut self,
        prefix: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.attributes.push(Attribute {
            prefix: prefix.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Comment(text.into()));
        self
    }

    // ---- reading and mutating in place ----

    /// `prefix:name`, or `name` when unprefixed.
    pub fn qname(&self) -> String {
        if self.prefix.is_empty() {
            self.name.clone()
        } else {
            format!("{}:{}", self.prefix, self.name)
        }
    }

    /// The value of an unqualified attribute.
    pub fn attr_value(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.prefix.is_empty() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The value of a prefixed attribute.
    pub fn attr_value_ns(&self, prefix: &str, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.prefix == prefix && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Set (or replace) an unqualified attribute.
    pub fn set_attr(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self
            .attributes
            .iter_mut()
            .find(|a| a.prefix.is_empty() && a.name == name)
        {
            Some(a) => a.value = value,
            None => self.attributes.push(Attribute {
                prefix: String::new(),
                name,
                value,
            }),
        }
    }

    /// Remove an unqualified attribute, returning its value.
    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let i = self
            .attributes
            .iter()
            .position(|a| a.prefix.is_empty() && a.name == name)?;
        Some(self.attributes.remove(i).value)
    }

    /// The `ID` attribute (SAML's identifier attribute).
    pub fn id(&self) -> Option<&str> {
        self.attr_value("ID")
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with local name `name`.
    pub fn child_named(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn child_named_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// Index in `children` of the first child element with local name `name`.
    pub fn child_index(&self, name: &str) -> Option<usize> {
        self.children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name == name))
    }

    /// The concatenated text of the direct text children (comments excluded, as c14n sees it).
    pub fn text_content(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// Replace every child by one text node.
    pub fn set_text(&mut self, text: impl Into<String>) {
        self.children = vec![Node::Text(text.into())];
    }

    /// This element and every descendant element, in document order.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            let mut kids: Vec<&Element> = e.elements().collect();
            kids.reverse();
            stack.extend(kids);
        }
        out
    }

    /// Every element (this one included) with local name `name`, in document order.
    pub fn find_all(&self, name: &str) -> Vec<&Element> {
        self.descendants()
            .into_iter()
            .filter(|e| e.name == name)
            .collect()
    }

    /// The first element (this one included) whose `ID` attribute is `id`.
    pub fn find_by_id(&self, id: &str) -> Option<&Element> {
        self.descendants().into_iter().find(|e| e.id() == Some(id))
    }

    pub fn find_by_id_mut(&mut self, id: &str) -> Option<&mut Element> {
        let path = self.path_to_id(id)?;
        self.at_path_mut(&path)
    }

    /// Indices into `children` leading from this element to the one whose `ID` is `id`.
    pub fn path_to_id(&self, id: &str) -> Option<Vec<usize>> {
        self.path_to(&|e| e.id() == Some(id))
    }

    /// Indices into `children` leading to the first element (document order) matching `pred`.
    pub fn path_to(&self, pred: &dyn Fn(&Element) -> bool) -> Option<Vec<usize>> {
        if pred(self) {
            return Some(Vec::new());
        }
        for (i, n) in self.children.iter().enumerate() {
            if let Node::Element(e) = n {
                if let Some(mut p) = e.path_to(pred) {
                    p.insert(0, i);
                    return Some(p);
                }
            }
        }
        None
    }

    /// The element reached by following `path` (child indices); `None` if it leaves the tree or
    /// lands on a non-element.
    pub fn at_path(&self, path: &[usize]) -> Option<&Element> {
        let mut cur = self;
        for &i in path {
            match cur.children.get(i)? {
                Node::Element(e) => cur = e,
                _ => return None,
            }
        }
        Some(cur)
    }

    pub fn at_path_mut(&mut self, path: &[usize]) -> Option<&mut Element> {
        let mut cur = self;
        for &i in path {
            match cur.children.get_mut(i)? {
                Node::Element(e) => cur = e,
                _ => return None,
            }
        }
        Some(cur)
    }

    /// Namespaces in scope on the element at `path` (its own declarations included); a later
    /// entry overrides an earlier one with the same prefix.
    pub fn scope_at(&self, path: &[usize]) -> Option<Vec<NsDecl>> {
        let mut scope = self.namespaces.clone();
        let mut cur = self;
        for &i in path {
            match cur.children.get(i)? {
                Node::Element(e) => {
                    scope.extend(e.namespaces.iter().cloned());
                    cur = e;
                }
                _ => return None,
            }
        }
        Some(scope)
    }

    // ---- writing ----

    /// The document form of this subtree (no XML declaration).
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(4096);
        self.write_xml(&mut out);
        out
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>` followed by the document form.
    pub fn to_document(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        self.write_xml(&mut out);
        out
    }

    pub fn write_xml(&self, out: &mut String) {
        let mut w = Writer {
            mode: Mode::Document,
            scope: Vec::new(),
            rendered: Vec::new(),
            inclusive: &[],
        };
        w.element(self, out);
    }

    /// Exclusive XML Canonicalization 1.0 (omitting comments) of this subtree as the apex.
    ///
    /// `inherited` are the namespaces in scope on the parent in the full document (what
    /// [`Element::scope_at`] gives for the parent); `inclusive_prefixes` is the InclusiveNamespaces
    /// PrefixList (`#default` names the default namespace).
    pub fn exc_c14n(&self, inherited: &[NsDecl], inclusive_prefixes: &[&str]) -> String {
        let mut out = String::with_capacity(4096);
        self.exc_c14n_into(inherited, inclusive_prefixes, &mut out);
        out
    }

    pub fn exc_c14n_into(
        &self,
        inherited: &[NsDecl],
        inclusive_prefixes: &[&str],
        out: &mut String,
    ) {
        let mut w = Writer {
            mode: Mode::ExcC14n,
            scope: inherited
                .iter()
                .map(|d| (d.prefix.as_str(), d.uri.as_str()))
                .collect(),
            rendered: Vec::new(),
            inclusive: inclusive_prefixes,
        };
        w.element(self, out);
    }
}

/// Exclusive c14n of the element at `path` under `root`, with the ancestors' namespaces in scope.
pub fn exc_c14n_at(root: &Element, path: &[usize], inclusive_prefixes: &[&str]) -> Option<String> {
    let target = root.at_path(path)?;
    let inherited = match path.split_last() {
        Some((_, parent)) => root.scope_at(parent)?,
        None => Vec::new(),
    };
    Some(target.exc_c14n(&inherited, inclusive_prefixes))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Declarations as held by the tree, comments kept.
    Document,
    /// Exclusive c14n: visibly utilised (or inclusive-listed) declarations only, no comments.
    ExcC14n,
}

struct Writer<'a, 'p> {
    mode: Mode,
    /// In-scope namespace bindings, innermost last.
    scope: Vec<(&'a str, &'a str)>,
    /// Bindings rendered by output ancestors, innermost last.
    rendered: Vec<(&'a str, &'a str)>,
    inclusive: &'p [&'p str],
}

fn lookup<'a>(stack: &[(&'a str, &'a str)], prefix: &str) -> Option<&'a str> {
    if prefix == "xml" {
        return Some(ns::XML);
    }
    stack
        .iter()
        .rev()
        .find(|(p, _)| *p == prefix)
        .map(|(_, u)| *u)
}

impl<'a> Writer<'a, '_> {
    fn element(&mut self, el: &'a Element, out: &mut String) {
        let scope_mark = self.scope.len();
        let rendered_mark = self.rendered.len();
        for d in &el.namespaces {
            self.scope.push((d.prefix.as_str(), d.uri.as_str()));
        }

        let mut decls: Vec<(&'a str, &'a str)> = match self.mode {
            Mode::Document => el
                .namespaces
                .iter()
                .map(|d| (d.prefix.as_str(), d.uri.as_str()))
                .collect(),
            Mode::ExcC14n => self.exclusive_decls(el),
        };
        decls.sort_by(|a, b| a.0.cmp(b.0));

        out.push('<');
        push_qname(out, &el.prefix, &el.name);
        for (p, u) in &decls {
            if p.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                out.push_str(" xmlns:");
                out.push_str(p);
                out.push_str("=\"");
            }
            escape_attr(out, u);
            out.push('"');
        }
        self.rendered.extend(decls.iter().copied());

        // c14n attribute order: by namespace URI (unqualified = empty URI first), then local name.
        let mut attrs: Vec<(&str, &Attribute)> = el
            .attributes
            .iter()
            .map(|a| {
                let uri = if a.prefix.is_empty() {
                    ""
                } else {
                    // An unbound prefix is a namespace error; sort by the prefix so output stays
                    // deterministic.
                    lookup(&self.scope, &a.prefix).unwrap_or(a.prefix.as_str())
                };
                (uri, a)
            })
            .collect();
        attrs.sort_by(|x, y| x.0.cmp(y.0).then_with(|| x.1.name.cmp(&y.1.name)));
        for (_, a) in attrs {
            out.push(' ');
            push_qname(out, &a.prefix, &a.name);
            out.push_str("=\"");
            escape_attr(out, &a.value);
            out.push('"');
        }
        out.push('>');

        for n in &el.children {
            match n {
                Node::Element(e) => self.element(e, out),
                Node::Text(t) => escape_text(out, t),
                Node::Comment(c) => {
                    if self.mode == Mode::Document {
                        out.push_str("<!--");
                        out.push_str(c);
                        out.push_str("-->");
                    }
                }
            }
        }

        out.push_str("</");
        push_qname(out, &el.prefix, &el.name);
        out.push('>');
        self.scope.truncate(scope_mark);
        self.rendered.truncate(rendered_mark);
    }

    /// The namespace nodes exclusive c14n renders on `el` (scope already includes `el`'s own).
    fn exclusive_decls(&self, el: &'a Element) -> Vec<(&'a str, &'a str)> {
        let mut out: Vec<(&'a str, &'a str)> = Vec::new();
        let consider = |prefix: &'a str, out: &mut Vec<(&'a str, &'a str)>| {
            if prefix == "xml" || out.iter().any(|(p, _)| *p == prefix) {
                return;
            }
            let uri = lookup(&self.scope, prefix);
            let prev = lookup(&self.rendered, prefix);
            match (prefix.is_empty(), uri) {
                // Default namespace: render xmlns="" only to undo a rendered non-empty default.
                (true, None) | (true, Some("")) => {
                    if matches!(prev, Some(u) if !u.is_empty()) {
                        out.push(("", ""));
                    }
                }
                (_, Some(u)) => {
                    if prev != Some(u) {
                        out.push((prefix, u));
                    }
                }
                (false, None) => {}
            }
        };
        consider(el.prefix.as_str(), &mut out);
        for a in &el.attributes {
            if !a.prefix.is_empty() {
                consider(a.prefix.as_str(), &mut out);
            }
        }
        // Inclusive-listed prefixes follow inclusive c14n: rendered wherever in scope and not
        // already rendered with the same value.
        for p in self.inclusive {
            let p: &str = if *p == "#default" { "" } else { p };
            if let Some(&(bound, _)) = self.scope.iter().rev().find(|(sp, _)| *sp == p) {
                consider(bound, &mut out);
            }
        }
        out
    }
}

fn push_qname(out: &mut String, prefix: &str, name: &str) {
    if !prefix.is_empty() {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(name);
}

/// Append `s` to `out`, replacing each byte `entity` maps to its entity and copying the runs
/// between them whole. Every escaped byte is ASCII, so the runs stay valid UTF-8.
pub fn escape_with(out: &mut String, s: &str, entity: impl Fn(u8) -> Option<&'static str>) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let Some(rep) = entity(b) else {
            continue;
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// c14n text escaping: `&`, `<`, `>` and carriage return.
pub fn escape_text(out: &mut String, s: &str) {
    escape_with(out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    });
}

/// c14n attribute escaping: `&`, `<`, `"`, tab, newline and carriage return.
pub fn escape_attr(out: &mut String, s: &str) {
    escape_with(out, s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'"' => Some("&quot;"),
        b'\t' => Some("&#x9;"),
        b'\n' => Some("&#xA;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    });
}

/// True when `xml` contains a DOCTYPE or ENTITY declaration (checked before any XML parser sees
/// the bytes, so no parser's entity handling is ever exercised).
pub fn has_dtd(xml: &[u8]) -> Option<XmlError> {
    // One pass, looking only after each `<` (a SAML response has no `<!` but comments and
    // CDATA); the keyword is compared case-insensitively, and a DOCTYPE anywhere wins.
    let mut entity = false;
    for rest in xml.split(|&b| b == b'<').skip(1) {
        let Some(decl) = rest.strip_prefix(b"!") else {
            continue;
        };
        let starts = |k: &[u8]| {
            decl.get(..k.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(k))
        };
        if starts(b"DOCTYPE") {
            return Some(XmlError::Doctype);
        }
        entity |= starts(b"ENTITY");
    }
    entity.then_some(XmlError::Entity)
}

/// Read a document into a tree. DOCTYPE and ENTITY declarations are refused; processing
/// instructions and the XML declaration are dropped; CDATA becomes text.
pub fn parse(xml: &str) -> Result<Element, XmlError> {
    use quick_xml::events::Event;

    if let Some(e) = has_dtd(xml.as_bytes()) {
        return Err(e);
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let malformed = |reader: &quick_xml::Reader<&[u8]>, message: String| XmlError::Malformed {
        position: reader.error_position(),
        message,
    };

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| malformed(&reader, e.to_string()))?;
        match ev {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(ref s) | Event::Empty(ref s) => {
                let is_empty = matches!(ev, Event::Empty(_));
                if root.is_some() {
                    return Err(XmlError::TrailingContent);
                }
                let el = start_to_element(s).map_err(|e| malformed(&reader, e.to_string()))?;
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep { limit: MAX_DEPTH });
                }
                if is_empty {
                    close(el, &mut stack, &mut root);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed(&reader, "unexpected end tag".into()))?;
                close(el, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(t.as_ref())
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(parent) => {
                        let normalized = normalize_newlines(raw);
                        let text = quick_xml::escape::unescape(&normalized)
                            .map_err(|e| malformed(&reader, e.to_string()))?;
                        push_text(parent, &text);
                    }
                    None => {
                        if !raw.trim().is_empty() {
                            return Err(malformed(&reader, "text outside the root".into()));
                        }
                    }
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(c.as_ref())
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                if let Some(parent) = stack.last_mut() {
                    push_text(parent, &normalize_newlines(text));
                }
            }
            Event::Comment(c) => {
                let text = std::str::from_utf8(c.as_ref())
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Comment(text.to_string()));
                }
            }
            Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed {
            position: reader.buffer_position(),
            message: "unclosed element".into(),
        });
    }
    root.ok_or(XmlError::NoRoot)
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None => *root = Some(el),
    }
}

fn push_text(parent: &mut Element, text: &str) {
    if let Some(Node::Text(prev)) = parent.children.last_mut() {
        prev.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_string()));
    }
}

fn normalize_newlines(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn split_qname(q: &str) -> (&str, &str) {
    match q.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", q),
    }
}

/// Why a start tag cannot become an [`Element`] (its text goes into [`XmlError::Malformed`]).
#[derive(Debug, thiserror::Error)]
enum StartTagError {
    #[error(transparent)]
    NotUtf8(#[from] std::str::Utf8Error),
    #[error(transparent)]
    Attribute(#[from] quick_xml::events::attributes::AttrError),
    #[error(transparent)]
    Escape(#[from] quick_xml::escape::EscapeError),
}

fn start_to_element(s: &quick_xml::events::BytesStart<'_>) -> Result<Element, StartTagError> {
    let name = std::str::from_utf8(s.name().as_ref())?.to_string();
    let (prefix, local) = split_qname(&name);
    let mut el = Element::new(prefix, local);
    for a in s.attributes() {
        let a = a?;
        let key = std::str::from_utf8(a.key.as_ref())?;
        let raw = std::str::from_utf8(&a.value)?;
        // Attribute-value normalisation for literal whitespace; character references survive.
        let raw = normalize_newlines(raw).replace(['\t', '\n'], " ");
        let value = quick_xml::escape::unescape(&raw)?.into_owned();
        if key == "xmlns" {
            el.namespaces.push(NsDecl::new("", value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            el.namespaces.push(NsDecl::new(p, value));
        } else {
            let (p, l) = split_qname(key);
            el.attributes.push(Attribute {
                prefix: p.to_string(),
                name: l.to_string(),
                value,
            });
        }
    }
    Ok(el)
}

#[cfg(test)]
mod tests;
