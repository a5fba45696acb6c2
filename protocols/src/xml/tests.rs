use super::*;

#[test]
fn c14n_orders_namespaces_then_unqualified_then_qualified_attributes() {
    let e = Element::new("a", "E")
        .ns("z", "urn:z")
        .ns("a", "urn:a")
        .ns("", "urn:default")
        .attr("b", "2")
        .attr("a", "1")
        .attr_ns("z", "attr", "z")
        .attr_ns("a", "attr", "a");
    // namespace decls by prefix (default first); unqualified by name; qualified by URI.
    assert_eq!(
        e.to_xml(),
        r#"<a:E xmlns="urn:default" xmlns:a="urn:a" xmlns:z="urn:z" a="1" b="2" a:attr="a" z:attr="z"></a:E>"#
    );
}

#[test]
fn qualified_attributes_sort_by_namespace_uri_not_prefix() {
    let e = Element::new("", "E")
        .ns("b", "urn:a")
        .ns("a", "urn:b")
        .attr_ns("a", "x", "1")
        .attr_ns("b", "x", "2");
    assert_eq!(
        e.to_xml(),
        r#"<E xmlns:a="urn:b" xmlns:b="urn:a" b:x="2" a:x="1"></E>"#
    );
}

#[test]
fn no_self_closing_tags() {
    assert_eq!(Element::new("p", "X").to_xml(), "<p:X></p:X>");
}

#[test]
fn text_and_attribute_escaping_follow_c14n() {
    let e = Element::new("", "E")
        .attr("v", "a&b<c>d\"e\tf\ng\rh'")
        .text("a&b<c>d\"e\tf\ng\rh'");
    assert_eq!(
        e.to_xml(),
        "<E v=\"a&amp;b&lt;c>d&quot;e&#x9;f&#xA;g&#xD;h'\">a&amp;b&lt;c&gt;d\"e\tf\ng&#xD;h'</E>"
    );
}

#[test]
fn exclusive_c14n_renders_only_visibly_utilised_namespaces() {
    let doc = Element::new("p", "Root")
        .ns("p", "urn:p")
        .ns("q", "urn:q")
        .ns("unused", "urn:unused")
        .child(Element::new("q", "Child").child(Element::new("p", "Leaf").text("x")));
    let path = doc.path_to(&|e| e.name == "Child").unwrap();
    let c = exc_c14n_at(&doc, &path, &[]).unwrap();
    // q rendered on the apex; p rendered on Leaf (first use); unused never.
    assert_eq!(
        c,
        r#"<q:Child xmlns:q="urn:q"><p:Leaf xmlns:p="urn:p">x</p:Leaf></q:Child>"#
    );
    // The whole document: redundant declarations disappear, comments too.
    let mut doc2 = doc.clone();
    doc2.children.push(Node::Comment("c".into()));
    assert_eq!(
        doc2.exc_c14n(&[], &[]),
        r#"<p:Root xmlns:p="urn:p"><q:Child xmlns:q="urn:q"><p:Leaf>x</p:Leaf></q:Child></p:Root>"#
    );
}

#[test]
fn inclusive_prefix_list_renders_listed_namespace_where_in_scope() {
    let doc = Element::new("p", "Root")
        .ns("p", "urn:p")
        .ns("xs", ns::XS)
        .child(Element::new("p", "V").text("x"));
    assert_eq!(
        doc.exc_c14n(&[], &["xs"]),
        format!(
            r#"<p:Root xmlns:p="urn:p" xmlns:xs="{}"><p:V>x</p:V></p:Root>"#,
            ns::XS
        )
    );
    assert_eq!(
        doc.exc_c14n(&[], &[]),
        r#"<p:Root xmlns:p="urn:p"><p:V>x</p:V></p:Root>"#
    );
}

#[test]
fn default_namespace_is_undeclared_when_leaving_it() {
    let doc = Element::new("", "A")
        .ns("", "urn:d")
        .child(Element::new("", "B").ns("", ""));
    assert_eq!(
        doc.exc_c14n(&[], &[]),
        r#"<A xmlns="urn:d"><B xmlns=""></B></A>"#
    );
}

#[test]
fn inherited_scope_is_used_for_the_apex() {
    let el = Element::new("s", "X").attr_ns("t", "a", "1");
    let inherited = [NsDecl::new("s", "urn:s"), NsDecl::new("t", "urn:t")];
    assert_eq!(
        el.exc_c14n(&inherited, &[]),
        r#"<s:X xmlns:s="urn:s" xmlns:t="urn:t" t:a="1"></s:X>"#
    );
}

#[test]
fn parse_round_trips_and_keeps_comments() {
    let src = r#"<?xml version="1.0"?><a:R xmlns:a="urn:a" ID="r1"><a:N>us<!--x-->er&amp;co</a:N><a:E/></a:R>"#;
    let t = parse(src).unwrap();
    assert_eq!(
        t.to_xml(),
        r#"<a:R xmlns:a="urn:a" ID="r1"><a:N>us<!--x-->er&amp;co</a:N><a:E></a:E></a:R>"#
    );
    let n = t.child_named("N").unwrap();
    assert_eq!(n.text_content(), "user&co");
    assert_eq!(t.find_by_id("r1").map(|e| e.name.as_str()), Some("R"));
    assert_eq!(parse(&t.to_xml()).unwrap(), t);
}

#[test]
fn parse_rejects_doctype_and_entities() {
    assert_eq!(
        parse(r#"<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>"#),
        Err(XmlError::Doctype)
    );
    assert_eq!(parse("<r><!ENTITY x></r>"), Err(XmlError::Entity));
    assert!(matches!(
        parse("<r>&x;</r>"),
        Err(XmlError::Malformed { .. })
    ));
    assert!(matches!(
        parse("<r><a></r>"),
        Err(XmlError::Malformed { .. })
    ));
    assert_eq!(parse("<r/><s/>"), Err(XmlError::TrailingContent));
    let deep = "<a>".repeat(100_000) + &"</a>".repeat(100_000);
    assert_eq!(parse(&deep), Err(XmlError::TooDeep { limit: MAX_DEPTH }));
    let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
    assert!(parse(&ok).is_ok());
    assert_eq!(parse("  "), Err(XmlError::NoRoot));
}

#[test]
fn mutation_then_reserialisation() {
    let mut t = Element::new("", "R")
        .attr("ID", "r")
        .child(Element::new("", "A").attr("ID", "a").text("old"));
    t.find_by_id_mut("a").unwrap().set_text("new");
    assert_eq!(t.to_xml(), r#"<R ID="r"><A ID="a">new</A></R>"#);
    assert_eq!(t.path_to_id("a"), Some(vec![0]));
    assert_eq!(t.child_index("A"), Some(0));
    assert!(t.remove_attr("ID").is_some());
    assert_eq!(t.id(), None);
}

#[test]
fn dtd_declarations_are_found_in_any_case_and_anywhere() {
    assert_eq!(has_dtd(b"<!doctype x><x/>"), Some(XmlError::Doctype));
    assert_eq!(has_dtd(b"<x/><!DocType y>"), Some(XmlError::Doctype));
    assert_eq!(has_dtd(b"<x><!ENTITY a 'b'></x>"), Some(XmlError::Entity));
    // A DOCTYPE wins over an ENTITY that comes first.
    assert_eq!(
        has_dtd(b"<!ENTITY a 'b'><!DOCTYPE x><x/>"),
        Some(XmlError::Doctype)
    );
    for clean in [
        &b"<x>&lt;!DOCTYPE</x>"[..],
        b"<x><!-- DOCTYPE --><![CDATA[ENTITY]]></x>",
        b"<x>DOCTYPE ENTITY</x><!DOCTYP",
        b"",
        b"<",
        b"<!",
    ] {
        assert_eq!(has_dtd(clean), None, "{}", String::from_utf8_lossy(clean));
    }
}
