//! Filter evaluation over `serde_json::Value` resources (RFC 7644 §3.4.2.2), and the checks a
//! server runs on a parsed filter before evaluating it.
//!
//! Rules, and the choices where the RFC leaves room:
//! - Attribute names and schema URNs match case-insensitively.
//! - Strings compare case-insensitively unless the attribute is caseExact (id, externalId,
//!   meta.version...); unknown attributes are treated as caseExact=false.
//! - A multi-valued attribute matches if any of its values matches. A complex value compared
//!   with a literal stands for its `value` sub-attribute (`emails co "@x"`).
//! - `ne` is the negation of `eq`: `emails ne "a"` holds when no email equals "a" (the any-value
//!   rule read literally would make it true for anyone with a second address), and it holds for
//!   an absent attribute.
//! - `eq null` holds when the attribute is absent or null, `ne null` when it is present; other
//!   operators against null never hold.
//! - Ordering on strings is lexicographic over the (case-folded unless caseExact) text, on
//!   dateTime attributes chronological (RFC 3339 instants; an unknown attribute is compared as
//!   a dateTime when both sides parse as one), on numbers numeric. Type mismatches never match.
//! - `pr` holds for a non-null value that is not an empty string, array or object.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::error::ScimError;
use super::filter::{AttrPath, CompValue, CompareOp, Filter};
use super::json::get_ci;
use super::resource::UnknownAttributes;
use super::schema::{AttrDef, AttrType, Container, ResourceSchema};

/// Where a path's values come from.
#[derive(Clone, Copy)]
enum Scope<'s> {
    /// A whole resource of this type.
    Resource(&'s ResourceSchema),
    /// One value of a multi-valued attribute, inside `[...]`; the definition is the attribute's.
    Element(Option<&'static AttrDef>),
}

fn push_flat<'v>(out: &mut Vec<&'v Value>, v: &'v Value) {
    match v {
        Value::Null => {}
        Value::Array(items) => out.extend(items.iter().filter(|i| !i.is_null())),
        other => out.push(other),
    }
}

/// The values `path` designates in `node`, flattened, with the definition that applies to them.
fn resolve<'v>(
    node: &'v Value,
    scope: Scope<'_>,
    path: &AttrPath,
) -> (Vec<&'v Value>, Option<&'static AttrDef>) {
    let mut values = Vec::new();
    let def = match scope {
        Scope::Resource(schema) => {
            let Some(top) = node.as_object() else {
                return (values, None);
            };
            let (holder, def) = match schema.container_for(path.uri.as_deref()) {
                Some(Container::Core) => (Some(top), schema.attribute(Container::Core, &path.name)),
                Some(c @ Container::Extension(ext)) => (
                    get_ci(top, ext.id).and_then(Value::as_object),
                    schema.attribute(c, &path.name),
                ),
                // An unknown schema: look for an object stored under its URN.
                None => (
                    path.uri
                        .as_deref()
                        .and_then(|u| get_ci(top, u))
                        .and_then(Value::as_object),
                    None,
                ),
            };
            if let Some(v) = holder.and_then(|h| get_ci(h, &path.name)) {
                push_flat(&mut values, v);
            }
            def
        }
        Scope::Element(parent) => {
            let def = parent.and_then(|p| p.sub_attribute(&path.name));
            match node {
                Value::Object(m) => {
                    if let Some(v) = get_ci(m, &path.name) {
                        push_flat(&mut values, v);
                    }
                }
                // A simple multi-valued attribute's element is its own `value`.
                other if path.name.eq_ignore_ascii_case("value") => values.push(other),
                _ => {}
            }
            def
        }
    };
    let Some(sub) = &path.sub_attr else {
        return (values, def);
    };
    let mut subs = Vec::new();
    for v in values {
        if let Some(s) = v.as_object().and_then(|m| get_ci(m, sub)) {
            push_flat(&mut subs, s);
        }
    }
    (subs, def.and_then(|d| d.sub_attribute(sub)))
}

impl Filter {
    /// Whether `resource` (a resource's JSON) satisfies the filter.
    pub fn matches(&self, resource: &Value, schema: &ResourceSchema) -> bool {
        eval(self, resource, Scope::Resource(schema))
    }

    /// Whether one value of the multi-valued attribute `attr` satisfies the filter, with names
    /// relative to the value (the filter of `emails[type eq "work"]`).
    pub fn matches_value(&self, value: &Value, attr: Option<&'static AttrDef>) -> bool {
        eval(self, value, Scope::Element(attr))
    }

    /// The checks to run before evaluating: ordering operators on boolean, binary or complex
    /// attributes, and comparisons on complex attributes without a `value`, are
    /// `invalidFilter` (RFC 7644 §3.4.2.2); so are unknown attributes when `unknown` is
    /// [`UnknownAttributes::Refuse`].
    pub fn validate(
        &self,
        schema: &ResourceSchema,
        unknown: UnknownAttributes,
    ) -> Result<(), ScimError> {
        check(self, Scope::Resource(schema), unknown)
    }

    /// [`Filter::validate`] for the filter of a value path on `attr`.
    pub fn validate_for_value(
        &self,
        attr: Option<&'static AttrDef>,
        unknown: UnknownAttributes,
    ) -> Result<(), ScimError> {
        check(self, Scope::Element(attr), unknown)
    }
}

fn eval(f: &Filter, node: &Value, scope: Scope<'_>) -> bool {
    match f {
        Filter::And(items) => items.iter().all(|i| eval(i, node, scope)),
        Filter::Or(items) => items.iter().any(|i| eval(i, node, scope)),
        Filter::Not(x) => !eval(x, node, scope),
        Filter::Present(path) => resolve(node, scope, path).0.iter().any(|v| present(v)),
        Filter::ValuePath { path, filter } => {
            let (values, def) = resolve(node, scope, path);
            values.iter().any(|v| eval(filter, v, Scope::Element(def)))
        }
        Filter::Compare { path, op, value } => {
            let (values, def) = resolve(node, scope, path);
            match (op, value) {
                (CompareOp::Eq, CompValue::Null) => values.is_empty(),
                (CompareOp::Ne, CompValue::Null) => !values.is_empty(),
                (_, CompValue::Null) => false,
                (CompareOp::Ne, lit) => !values.iter().any(|v| compare(v, CompareOp::Eq, lit, def)),
                (op, lit) => values.iter().any(|v| compare(v, *op, lit, def)),
            }
        }
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

fn ordering_holds(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare(v: &Value, op: CompareOp, lit: &CompValue, def: Option<&'static AttrDef>) -> bool {
    if let Value::Object(m) = v {
        // A complex value stands for its `value` sub-attribute.
        return match get_ci(m, "value") {
            Some(inner) if !inner.is_object() => {
                compare(inner, op, lit, def.and_then(|d| d.sub_attribute("value")))
            }
            _ => false,
        };
    }
    match (v, lit) {
        (Value::String(s), CompValue::String(l)) => {
            let is_time = match def {
                Some(d) => d.ty == AttrType::DateTime,
                None => true,
            };
            if is_time && !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
                if let (Some(a), Some(b)) = (parse_time(s), parse_time(l)) {
                    return ordering_holds(op, a.cmp(&b));
                }
            }
            let exact = def.is_some_and(|d| d.case_exact);
            let (a, b) = if exact {
                (s.clone(), l.clone())
            } else {
                (s.to_lowercase(), l.to_lowercase())
            };
            match op {
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                _ => ordering_holds(op, a.cmp(&b)),
            }
        }
        (Value::Number(n), CompValue::Number(l)) => {
            let o = match (n.as_i64(), l.as_i64()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => n
                    .as_f64()
                    .zip(l.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
            };
            o.is_some_and(|o| ordering_holds(op, o))
        }
        (Value::Bool(b), CompValue::Bool(l)) => op == CompareOp::Eq && b == l,
        // A boolean stored as Entra's string form.
        (Value::String(s), CompValue::Bool(l)) => {
            op == CompareOp::Eq && super::resource::parse_bool_str(s) == Some(*l)
        }
        _ => false,
    }
}

fn check(f: &Filter, scope: Scope<'_>, unknown: UnknownAttributes) -> Result<(), ScimError> {
    match f {
        Filter::And(items) | Filter::Or(items) => {
            items.iter().try_for_each(|i| check(i, scope, unknown))
        }
        Filter::Not(x) => check(x, scope, unknown),
        Filter::Present(path) => known(path, scope, unknown).map(|_| ()),
        Filter::ValuePath { path, filter } => {
            let def = known(path, scope, unknown)?;
            check(filter, Scope::Element(def), unknown)
        }
        Filter::Compare { path, op, .. } => {
            let Some(def) = known(path, scope, unknown)? else {
                return Ok(());
            };
            let def = if def.is_complex() {
                match def.sub_attribute("value") {
                    Some(v) => v,
                    None => {
                        return Err(ScimError::invalid_filter(format!(
                            "{path} is complex and cannot be compared with a value"
                        )))
                    }
                }
            } else {
                def
            };
            if op.is_ordering() && matches!(def.ty, AttrType::Boolean | AttrType::Binary) {
                return Err(ScimError::invalid_filter(format!(
                    "{} cannot be applied to {path}, a {:?} attribute",
                    op.as_str(),
                    def.ty
                )));
            }
            Ok(())
        }
    }
}

/// The definition of `path` in `scope`; `None` for an unknown attribute the policy lets pass.
fn known(
    path: &AttrPath,
    scope: Scope<'_>,
    unknown: UnknownAttributes,
) -> Result<Option<&'static AttrDef>, ScimError> {
    let def = match scope {
        Scope::Resource(schema) => schema
            .container_for(path.uri.as_deref())
            .and_then(|c| schema.attribute(c, &path.name)),
        // Inside a value filter of an unknown attribute there is nothing to check against.
        Scope::Element(None) => return Ok(None),
        Scope::Element(Some(parent)) => parent.sub_attribute(&path.name),
    };
    let def = match (&path.sub_attr, def) {
        (Some(sub), Some(d)) => d.sub_attribute(sub),
        (_, d) => d,
    };
    if def.is_none() && unknown == UnknownAttributes::Refuse {
        return Err(ScimError::invalid_filter(format!(
            "{path} is not an attribute of this resource type"
        )));
    }
    Ok(def)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::schema::{GROUP_RESOURCE, USER_RESOURCE};
    use serde_json::json;

    fn alice() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "externalId": "00uAbC",
            "userName": "Alice@Example.com",
            "name": {"givenName": "Alice", "familyName": "Liddell"},
            "emails": [
                {"value": "alice@example.com", "type": "work", "primary": true},
                {"value": "alice@home.org", "type": "home"}
            ],
            "active": true,
            "title": "",
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984", "department": "Tour Operations",
                "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
            },
            "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                     "lastModified": "2011-05-13T04:42:34+02:00", "version": "W/\"3\""},
            "loginCount": 7
        })
    }

    fn m(s: &str) -> bool {
        Filter::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .matches(&alice(), &USER_RESOURCE)
    }

    #[test]
    fn case_insensitive_names_and_values() {
        assert!(m(r#"userName eq "alice@example.com""#));
        assert!(m(r#"USERNAME Eq "ALICE@EXAMPLE.COM""#));
        assert!(m(r#"name.GIVENNAME sw "al""#));
        // id and externalId are caseExact.
        assert!(m(r#"externalId eq "00uAbC""#));
        assert!(!m(r#"externalId eq "00uabc""#));
        assert!(!m(r#"id eq "2819C223-7F76-453A-919D-413861904646""#));
        // Unknown attributes: case-insensitive.
        assert!(m(r#"LOGINCOUNT eq 7"#));
    }

    #[test]
    fn every_operator() {
        assert!(m(r#"userName ne "bob""#));
        assert!(!m(r#"userName ne "alice@example.com""#));
        assert!(m(r#"userName co "@EXAMPLE""#));
        assert!(m(r#"userName sw "alice""#));
        assert!(m(r#"userName ew ".COM""#));
        assert!(m(r#"userName gt "alice""#));
        assert!(m(r#"userName ge "alice@example.com""#));
        assert!(m(r#"userName lt "bob""#));
        assert!(m(r#"userName le "ALICE@EXAMPLE.COM""#));
        assert!(!m(r#"userName lt "alice""#));
        assert!(m(
            "loginCount gt 6 and loginCount lt 8 and loginCount ge 7 and loginCount le 7"
        ));
        assert!(m("loginCount gt 6.5"));
        assert!(!m(r#"loginCount eq "7""#));
        assert!(m("active eq true"));
        assert!(!m("active eq false"));
    }

    #[test]
    fn presence() {
        assert!(m("userName pr"));
        assert!(m("emails pr"));
        assert!(!m("title pr"));
        assert!(!m("roles pr"));
        assert!(!m("nickName pr"));
        assert!(m("nickName eq null"));
        assert!(m("userName ne null"));
        assert!(!m("userName gt null"));
        assert!(m("not (nickName pr)"));
    }

    #[test]
    fn multi_valued_any_and_value_paths() {
        assert!(m(r#"emails co "@home.org""#));
        assert!(m(r#"emails.value ew "home.org""#));
        assert!(m(r#"emails.type eq "home""#));
        assert!(!m(r#"emails ne "alice@home.org""#));
        assert!(m(r#"emails[type eq "work" and value co "@example.com"]"#));
        assert!(!m(r#"emails[type eq "home" and value co "@example.com"]"#));
        assert!(m(r#"emails[type eq "home" or primary eq true]"#));
        assert!(m(r#"emails[not (type eq "work")]"#));
        assert!(m(
            r#"emails[TYPE eq "WORK"] and not (phoneNumbers[type eq "work"])"#
        ));
    }

    #[test]
    fn urn_paths() {
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#
        ));
        assert!(m(
            r#"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT co "tour""#
        ));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value sw "2611""#
        ));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice@example.com""#
        ));
        assert!(!m(
            r#"urn:ietf:params:scim:schemas:extension:other:2.0:User:employeeNumber pr"#
        ));
        // An enterprise attribute is not a core attribute.
        assert!(!m(r#"employeeNumber pr"#));
    }

    #[test]
    fn date_times_compare_chronologically() {
        // 04:42+02:00 is 02:42Z: after 03:00Z as text, before it as an instant.
        assert!(!m(r#"meta.lastModified gt "2011-05-13T03:00:00Z""#));
        assert!(m(r#"meta.lastModified lt "2011-05-13T03:00:00Z""#));
        assert!(m(r#"meta.lastModified eq "2011-05-13T02:42:34Z""#));
        assert!(m(r#"meta.created ge "2010-01-23T04:56:22.000Z""#));
        assert!(m(r#"meta.created gt "2009-12-31T23:59:59-05:00""#));
    }

    #[test]
    fn precedence_and_grouping_evaluate() {
        // a or (b and c): true through a.
        assert!(m(r#"active eq true or userName eq "x" and title pr"#));
        // (a or b) and c: false through c.
        assert!(!m(r#"(active eq true or userName eq "x") and title pr"#));
    }

    #[test]
    fn strings_in_booleans_from_entra() {
        let u = json!({"userName": "a", "active": "False"});
        let f = Filter::parse("active eq false").expect("parse");
        assert!(f.matches(&u, &USER_RESOURCE));
    }

    #[test]
    fn groups_and_member_filters() {
        let g =
            json!({"displayName": "Engineering", "members": [{"value": "u1"}, {"value": "u2"}]});
        let f = Filter::parse(r#"members[value eq "u2"]"#).expect("parse");
        assert!(f.matches(&g, &GROUP_RESOURCE));
        let f = Filter::parse(r#"displayName eq "engineering""#).expect("parse");
        assert!(f.matches(&g, &GROUP_RESOURCE));
        // members.value is immutable but not caseExact in RFC 7643: case-insensitive.
        let f = Filter::parse(r#"members.value eq "U1""#).expect("parse");
        assert!(f.matches(&g, &GROUP_RESOURCE));
    }

    #[test]
    fn validation() {
        let ok = |s: &str, u| Filter::parse(s).expect("parse").validate(&USER_RESOURCE, u);
        assert!(ok("active eq true", UnknownAttributes::Refuse).is_ok());
        let e = ok("active gt true", UnknownAttributes::Keep).expect_err("gt on boolean");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
        let e = ok("emails[primary lt false]", UnknownAttributes::Keep).expect_err("lt");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
        let e = ok(r#"name eq "x""#, UnknownAttributes::Keep).expect_err("complex");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
        assert!(ok(r#"emails eq "x""#, UnknownAttributes::Refuse).is_ok());
        assert!(ok("loginCount gt 1", UnknownAttributes::Keep).is_ok());
        let e = ok("loginCount gt 1", UnknownAttributes::Refuse).expect_err("unknown");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
        let e = ok(r#"emails[kind eq "x"]"#, UnknownAttributes::Refuse).expect_err("unknown sub");
        assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter));
        assert!(ok(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr",
            UnknownAttributes::Refuse
        )
        .is_ok());
    }

    mod properties {
        use super::*;
        use crate::scim::filter::{FilterLimits, PatchPath};
        use crate::scim::schema::{ENTERPRISE_USER_SCHEMA, USER_SCHEMA};
        use proptest::prelude::*;

        /// Token soup: mostly grammar pieces, so that inputs get deep into the lexer and parser.
        fn filterish() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("(".to_string()),
                Just(")".to_string()),
                Just("[".to_string()),
                Just("]".to_string()),
                Just(" and ".to_string()),
                Just(" or ".to_string()),
                Just("not ".to_string()),
                Just(" eq ".to_string()),
                Just(" Gt ".to_string()),
                Just(" pr".to_string()),
                Just("\"".to_string()),
                Just("\\".to_string()),
                Just("userName".to_string()),
                Just("emails".to_string()),
                Just("meta.created".to_string()),
                Just(".".to_string()),
                Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:".to_string()),
                Just("\"2011-05-13T04:42:34Z\"".to_string()),
                Just("-1.5e3".to_string()),
                Just("true".to_string()),
                Just("null".to_string()),
                "[a-z]{1,5}",
                "\\PC{0,3}",
            ];
            prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
        }

        fn attr_path(sub: bool) -> impl Strategy<Value = AttrPath> {
            (
                prop::option::of(prop_oneof![Just(ENTERPRISE_USER_SCHEMA), Just(USER_SCHEMA)]),
                prop_oneof![
                    Just("userName".to_string()),
                    Just("emails".to_string()),
                    Just("not".to_string()),
                    Just("and".to_string()),
                    "[a-zA-Z$][a-zA-Z0-9_-]{0,6}"
                ],
                prop::option::of("[a-zA-Z$][a-zA-Z0-9]{0,4}"),
            )
                .prop_map(move |(uri, name, s)| AttrPath {
                    uri: uri.map(str::to_string),
                    name,
                    sub_attr: if sub { s } else { None },
                })
        }

        fn literal() -> impl Strategy<Value = CompValue> {
            prop_oneof![
                "\\PC{0,6}".prop_map(CompValue::String),
                Just(CompValue::String("a\"b\\c\n".into())),
                any::<i64>().prop_map(|n| CompValue::Number(n.into())),
                (-1e300f64..1e300f64).prop_map(|x| {
                    CompValue::Number(serde_json::Number::from_f64(x).unwrap_or(0.into()))
                }),
                any::<bool>().prop_map(CompValue::Bool),
                Just(CompValue::Null),
            ]
        }

        fn op() -> impl Strategy<Value = CompareOp> {
            prop_oneof![
                Just(CompareOp::Eq),
                Just(CompareOp::Ne),
                Just(CompareOp::Co),
                Just(CompareOp::Sw),
                Just(CompareOp::Ew),
                Just(CompareOp::Gt),
                Just(CompareOp::Lt),
                Just(CompareOp::Ge),
                Just(CompareOp::Le),
            ]
        }

        fn leaf() -> impl Strategy<Value = Filter> {
            prop_oneof![
                (attr_path(true), op(), literal()).prop_map(|(path, op, value)| Filter::Compare {
                    path,
                    op,
                    value
                }),
                attr_path(true).prop_map(Filter::Present),
            ]
        }

        fn combine(inner: BoxedStrategy<Filter>) -> BoxedStrategy<Filter> {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
                inner.prop_map(|f| Filter::Not(Box::new(f))),
            ]
            .boxed()
        }

        /// Well-formed filters, built as trees.
        fn tree() -> impl Strategy<Value = Filter> {
            let no_value_path = leaf().prop_recursive(4, 32, 3, |i| combine(i.boxed()));
            let value_path =
                (attr_path(false), no_value_path.clone()).prop_map(|(path, f)| Filter::ValuePath {
                    path,
                    filter: Box::new(f),
                });
            prop_oneof![leaf(), value_path].prop_recursive(4, 48, 3, |i| combine(i.boxed()))
        }

        fn check(input: &str) -> Result<(), TestCaseError> {
            let resource = alice();
            let _ = PatchPath::parse(input);
            if let Ok(f) = Filter::parse(input) {
                let _ = f.matches(&resource, &USER_RESOURCE);
                let _ = f.matches(&json!([1, {"a": null}]), &GROUP_RESOURCE);
                let _ = f.validate(&USER_RESOURCE, UnknownAttributes::Refuse);
                let _ = f.index_lookup();
                // Display gives back the same tree (it may be longer: parse it unbounded).
                let wide = FilterLimits {
                    max_len: usize::MAX,
                    max_depth: 32,
                };
                let again = Filter::parse_with(&f.to_string(), wide);
                prop_assert_eq!(again.as_ref(), Ok(&f), "{} -> {}", input, f);
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn parser_never_panics_on_token_soup(input in filterish()) {
                check(&input)?;
            }

            #[test]
            fn parser_never_panics_on_any_string(input in any::<String>()) {
                check(&input)?;
            }

            #[test]
            fn trees_round_trip_through_text(f in tree()) {
                let text = f.to_string();
                let wide = FilterLimits { max_len: usize::MAX, max_depth: 32 };
                prop_assert_eq!(Filter::parse_with(&text, wide), Ok(f.clone()), "{}", text);
                check(&text)?;
            }

            #[test]
            fn damaged_filters_never_panic(f in tree(), cut in any::<prop::sample::Index>(),
                                           junk in prop_oneof![Just(""), Just("("), Just("\""),
                                                               Just("]"), Just(" and"), Just("\\")]) {
                let text = f.to_string();
                let mut at = cut.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let damaged = format!("{}{junk}{}", &text[..at], &text[at..]);
                check(&damaged)?;
                check(&text[..at])?;
            }
        }
    }
}
