//! User and Group resources: lenient normalisation of what clients send, and typed views.
//!
//! Real servers have to accept what Okta and Entra actually send, so input goes through
//! [`normalize_resource`] first: attribute names are matched case-insensitively and rewritten
//! to their canonical case, booleans arrive as JSON booleans or as Entra's strings
//! "True"/"False" (any case), a bare string given to a complex attribute that has a `value`
//! becomes `{"value": ...}` (Entra's `manager`), a single value given to a multi-valued attribute
//! becomes a one-element array, nulls are dropped (RFC 7643 §2.5: null is unassigned), and
//! unknown attributes are kept, ignored or refused per [`UnknownAttributes`]. The typed structs
//! then deserialise from the normalised JSON.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::error::ScimError;
use super::etag;
use super::filter::AttrPath;
use super::schema::{
    AttrDef, AttrType, Container, Mutability, ResourceSchema, SchemaDef, GROUP_RESOURCE,
    GROUP_SCHEMA, USER_RESOURCE, USER_SCHEMA,
};

/// What to do with an attribute no schema of the resource type defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownAttributes {
    /// Keep it as sent.
    Keep,
    /// Drop it silently.
    Ignore,
    /// Refuse the request (`invalidSyntax` in bodies, `invalidPath` in PATCH paths,
    /// `invalidFilter` in filters).
    #[default]
    Refuse,
}

/// "true"/"false" in any case, as Entra sends booleans.
pub fn parse_bool_str(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// serde helpers accepting a JSON boolean or a "True"/"False" string.
pub mod lenient_bool {
    use super::*;
    use serde::de::Error as _;

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::String(s)) => parse_bool_str(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("expected a boolean, found {s:?}"))),
            Some(other) => Err(D::Error::custom(format!(
                "expected a boolean, found {other}"
            ))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn mismatch(name: &str, wanted: &str, v: &Value) -> ScimError {
    let shown = v.to_string();
    let shown = if shown.len() > 60 {
        kind(v).to_string()
    } else {
        shown
    };
    ScimError::invalid_value(format!(
        "attribute {name}: expected {wanted}, found {shown}"
    ))
}

/// `value` made to fit `def`: the canonical JSON for it, `None` when it is null (unassigned).
/// `name` is the attribute's display path, for errors.
pub fn coerce_value(
    value: &Value,
    def: &'static AttrDef,
    name: &str,
    unknown: UnknownAttributes,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi_valued {
        return coerce_single(value, def, name, unknown);
    }
    let items = match value {
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(v) = coerce_single(item, def, name, unknown)? {
            out.push(v);
        }
    }
    Ok(Some(Value::Array(out)))
}

/// One value (an element, for multi-valued attributes) made to fit `def`.
pub fn coerce_single(
    value: &Value,
    def: &'static AttrDef,
    name: &str,
    unknown: UnknownAttributes,
) -> Result<Option<Value>, ScimError> {
    let ok = |v: Value| Ok(Some(v));
    match (def.ty, value) {
        (_, Value::Null) => Ok(None),
        (AttrType::Complex, Value::Object(m)) => {
            let mut out = Map::new();
            for (k, v) in m {
                let (key, coerced) = match def.sub_attribute(k) {
                    Some(sub) => (
                        sub.name.to_string(),
                        coerce_single(v, sub, &format!("{name}.{}", sub.name), unknown)?,
                    ),
                    None => match unknown {
                        UnknownAttributes::Keep => (k.clone(), Some(v.clone())),
                        UnknownAttributes::Ignore => continue,
                        UnknownAttributes::Refuse => {
                            return Err(ScimError::invalid_syntax(format!(
                                "{name} has no sub-attribute {k:?}"
                            )))
                        }
                    },
                };
                if out.keys().any(|o| o.eq_ignore_ascii_case(&key)) {
                    return Err(ScimError::invalid_syntax(format!(
                        "{name}.{key} is given twice"
                    )));
                }
                if let Some(c) = coerced {
                    out.insert(key, c);
                }
            }
            ok(Value::Object(out))
        }
        // Entra sends `manager` (and some clients `roles`) as the bare value.
        (AttrType::Complex, v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
            match def.sub_attribute("value") {
                Some(sub) => {
                    let inner = coerce_single(v, sub, &format!("{name}.value"), unknown)?;
                    let mut m = Map::new();
                    if let Some(i) = inner {
                        m.insert("value".into(), i);
                    }
                    ok(Value::Object(m))
                }
                None => Err(mismatch(name, "an object", v)),
            }
        }
        (AttrType::Complex, v) => Err(mismatch(name, "an object", v)),
        (AttrType::Boolean, Value::Bool(b)) => ok(Value::Bool(*b)),
        (AttrType::Boolean, Value::String(s)) => match parse_bool_str(s) {
            Some(b) => ok(Value::Bool(b)),
            None => Err(mismatch(name, "a boolean", value)),
        },
        (AttrType::Boolean, v) => Err(mismatch(name, "a boolean", v)),
        (AttrType::DateTime, Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(_) => ok(value.clone()),
            Err(_) => Err(mismatch(name, "an RFC 3339 dateTime", value)),
        },
        (AttrType::DateTime, v) => Err(mismatch(name, "an RFC 3339 dateTime", v)),
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(_)) => {
            ok(value.clone())
        }
        (AttrType::String | AttrType::Reference | AttrType::Binary, v) => {
            Err(mismatch(name, "a string", v))
        }
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => ok(value.clone()),
        (AttrType::Integer, v) => Err(mismatch(name, "an integer", v)),
        (AttrType::Decimal, Value::Number(_)) => ok(value.clone()),
        (AttrType::Decimal, v) => Err(mismatch(name, "a number", v)),
    }
}

fn insert_once(map: &mut Map<String, Value>, key: String, v: Value) -> Result<(), ScimError> {
    if map.keys().any(|k| k.eq_ignore_ascii_case(&key)) {
        return Err(ScimError::invalid_syntax(format!(
            "attribute {key} is given twice"
        )));
    }
    map.insert(key, v);
    Ok(())
}

fn unknown_attr(
    out: &mut Map<String, Value>,
    key: &str,
    v: &Value,
    unknown: UnknownAttributes,
) -> Result<(), ScimError> {
    match unknown {
        UnknownAttributes::Keep if !v.is_null() => insert_once(out, key.to_string(), v.clone()),
        UnknownAttributes::Keep | UnknownAttributes::Ignore => Ok(()),
        UnknownAttributes::Refuse => Err(ScimError::invalid_syntax(format!(
            "{key:?} is not an attribute of this resource type"
        ))),
    }
}

fn normalize_container(
    input: &Map<String, Value>,
    schema: &ResourceSchema,
    container: Container,
    prefix: &str,
    unknown: UnknownAttributes,
    out: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    for (k, v) in input {
        let Some(def) = schema.attribute(container, k) else {
            unknown_attr(out, k, v, unknown)?;
            continue;
        };
        if let Some(c) = coerce_value(v, def, &format!("{prefix}{}", def.name), unknown)? {
            insert_once(out, def.name.to_string(), c)?;
        }
    }
    Ok(())
}

/// Normalises a resource body (see the module docs). The input is untouched; the result has
/// canonical attribute names, extension attributes under their schema URN (also when sent
/// fully qualified at the top level, as `urn:...:User:department`), and booleans as booleans.
/// Readonly attributes are kept: see [`without_read_only`].
pub fn normalize_resource(
    input: &Value,
    schema: &ResourceSchema,
    unknown: UnknownAttributes,
) -> Result<Map<String, Value>, ScimError> {
    let Some(obj) = input.as_object() else {
        return Err(ScimError::invalid_syntax(format!(
            "a resource must be a JSON object, not {}",
            kind(input)
        )));
    };
    let mut out = Map::new();
    let mut core_in = Map::new();
    // One bucket per extension of the resource type, in schema order.
    let mut ext_in: Vec<(&'static SchemaDef, Map<String, Value>)> =
        schema.extensions.iter().map(|e| (*e, Map::new())).collect();
    let ext_bucket = |ext: &'static SchemaDef| -> usize {
        schema
            .extensions
            .iter()
            .position(|e| e.id == ext.id)
            .unwrap_or_default()
    };
    for (k, v) in obj {
        if k.eq_ignore_ascii_case("schemas") {
            let ok = v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
            if !ok {
                return Err(ScimError::invalid_syntax(
                    "schemas must be an array of URNs",
                ));
            }
            insert_once(&mut out, "schemas".into(), v.clone())?;
        } else if let Some(ext) = schema.extension(k) {
            match v {
                Value::Null => {}
                Value::Object(m) => {
                    let i = ext_bucket(ext);
                    for (ek, ev) in m {
                        insert_once(&mut ext_in[i].1, ek.clone(), ev.clone())?;
                    }
                }
                other => return Err(mismatch(ext.id, "an object", other)),
            }
        } else if k.contains(':') {
            // A fully qualified attribute name.
            match AttrPath::parse(k) {
                Ok(p) if p.sub_attr.is_none() => match schema.container_for(p.uri.as_deref()) {
                    Some(Container::Core) => insert_once(&mut core_in, p.name, v.clone())?,
                    Some(Container::Extension(ext)) => {
                        let i = ext_bucket(ext);
                        insert_once(&mut ext_in[i].1, p.name, v.clone())?;
                    }
                    None => unknown_attr(&mut out, k, v, unknown)?,
                },
                _ => unknown_attr(&mut out, k, v, unknown)?,
            }
        } else {
            insert_once(&mut core_in, k.clone(), v.clone())?;
        }
    }
    normalize_container(&core_in, schema, Container::Core, "", unknown, &mut out)?;
    for (ext, attrs) in ext_in {
        if attrs.is_empty() {
            continue;
        }
        let mut m = Map::new();
        let prefix = format!("{}:", ext.id);
        normalize_container(
            &attrs,
            schema,
            Container::Extension(ext),
            &prefix,
            unknown,
            &mut m,
        )?;
        if !m.is_empty() {
            out.insert(ext.id.to_string(), Value::Object(m));
        }
    }
    Ok(out)
}

/// The resource without its readOnly attributes (id, meta, and a User's groups) and readOnly
/// sub-attributes (an enterprise manager's displayName, a Group member's display), which a
/// server ignores in POST and PUT bodies (RFC 7644 §3.3, §3.5.1).
pub fn without_read_only(
    mut resource: Map<String, Value>,
    schema: &ResourceSchema,
) -> Map<String, Value> {
    resource.retain(|k, _| {
        schema
            .attribute(Container::Core, k)
            .is_none_or(|d| d.mutability != Mutability::ReadOnly)
    });
    for (k, v) in resource.iter_mut() {
        if let Some(def) = schema.attribute(Container::Core, k) {
            strip_read_only_subs(def, v);
        } else if let (Some(ext), Value::Object(m)) = (schema.extension(k), v) {
            m.retain(|k, _| {
                schema
                    .attribute(Container::Extension(ext), k)
                    .is_none_or(|d| d.mutability != Mutability::ReadOnly)
            });
            for (k, v) in m.iter_mut() {
                if let Some(def) = schema.attribute(Container::Extension(ext), k) {
                    strip_read_only_subs(def, v);
                }
            }
        }
    }
    resource
}

/// Drops the readOnly sub-attributes from a value of the complex attribute `def` (an object,
/// or an array of them): the server owns those, so what a client sends is ignored.
pub fn strip_read_only_subs(def: &AttrDef, value: &mut Value) {
    if !def.is_complex() {
        return;
    }
    let strip = |m: &mut Map<String, Value>| {
        m.retain(|k, _| {
            def.sub_attribute(k)
                .is_none_or(|d| d.mutability != Mutability::ReadOnly)
        })
    };
    match value {
        Value::Object(m) => strip(m),
        Value::Array(items) => items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(strip),
        _ => {}
    }
}

/// `invalidValue` naming the first required core attribute that is missing or empty.
pub fn check_required(
    resource: &Map<String, Value>,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    for def in schema.core.attributes.iter().filter(|d| d.required) {
        let present = match super::json::get_ci(resource, def.name) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        if !present {
            return Err(ScimError::invalid_value(format!(
                "{} is required",
                def.name
            )));
        }
    }
    Ok(())
}

/// Adds to `schemas` the URN of every extension the resource holds attributes for, and the
/// core schema if missing.
pub fn complete_schemas(resource: &mut Map<String, Value>, schema: &ResourceSchema) {
    let mut wanted = vec![schema.core.id];
    for ext in schema.extensions {
        if resource.get(ext.id).is_some_and(|v| !v.is_null()) {
            wanted.push(ext.id);
        }
    }
    let list = resource
        .entry("schemas")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = list {
        for w in wanted {
            let has = items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case(w)));
            if !has {
                items.push(Value::String(w.to_string()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Typed views

/// Resource metadata (RFC 7643 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The weak ETag, `W/"n"` (see [`etag`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Meta {
    /// Metadata for version `version` of a resource at `location`.
    pub fn new(
        resource_type: &str,
        created: DateTime<Utc>,
        last_modified: DateTime<Utc>,
        location: impl Into<String>,
        version: u64,
    ) -> Meta {
        Meta {
            resource_type: resource_type.to_string(),
            created: Some(created),
            last_modified: Some(last_modified),
            location: Some(location.into()),
            version: Some(etag::weak(version)),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

/// An element of `emails`, `phoneNumbers`, `roles`, `entitlements`...
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiValue {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_bool::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary: Option<bool>,
}

pub type Email = MultiValue;
pub type Role = MultiValue;

/// A reference to another resource: a Group's member, or a User's (read-only) group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

pub type Member = ResourceRef;
pub type GroupRef = ResourceRef;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The enterprise User extension (RFC 7643 §4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

/// A write-only secret (Okta sends a random `password` on create): redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_bool::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Read-only: set by the server from group memberships.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Every other attribute (phoneNumbers, addresses..., and unknown ones when kept).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub display_name: String,
    /// Always serialised, even empty (Okta creates groups with `members: []`).
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn typed<T: serde::de::DeserializeOwned>(
    input: &Value,
    schema: &ResourceSchema,
    unknown: UnknownAttributes,
) -> Result<T, ScimError> {
    let map = normalize_resource(input, schema, unknown)?;
    check_required(&map, schema)?;
    serde_json::from_value(Value::Object(map)).map_err(|e| ScimError::invalid_value(e.to_string()))
}

fn to_json<T: Serialize>(v: &T) -> Value {
    // Invariant: these types hold only strings, booleans, chrono times and string-keyed maps,
    // none of which can fail to serialise.
    #[allow(clippy::expect_used)]
    serde_json::to_value(v).expect("SCIM resource types always serialise")
}

impl User {
    /// A new User with the core schema and the given userName.
    pub fn new(user_name: impl Into<String>) -> User {
        User {
            schemas: vec![USER_SCHEMA.to_string()],
            user_name: user_name.into(),
            ..User::default()
        }
    }

    /// Reads a User leniently (see the module docs); `userName` is required.
    pub fn from_json(input: &Value, unknown: UnknownAttributes) -> Result<User, ScimError> {
        typed(input, &USER_RESOURCE, unknown)
    }

    /// The wire form; `schemas` lists the enterprise extension when it is set.
    pub fn to_json(&self) -> Value {
        let mut v = to_json(self);
        if let Some(m) = v.as_object_mut() {
            complete_schemas(m, &USER_RESOURCE);
        }
        v
    }

    /// The primary email, else the first.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or(self.emails.first())
            .map(|e| e.value.as_str())
    }
}

impl Group {
    pub fn new(display_name: impl Into<String>) -> Group {
        Group {
            schemas: vec![GROUP_SCHEMA.to_string()],
            display_name: display_name.into(),
            ..Group::default()
        }
    }

    /// Reads a Group leniently; `displayName` is required.
    pub fn from_json(input: &Value, unknown: UnknownAttributes) -> Result<Group, ScimError> {
        typed(input, &GROUP_RESOURCE, unknown)
    }

    pub fn to_json(&self) -> Value {
        let mut v = to_json(self);
        if let Some(m) = v.as_object_mut() {
            complete_schemas(m, &GROUP_RESOURCE);
        }
        v
    }
}

#[cfg(test)]
mod tests;
