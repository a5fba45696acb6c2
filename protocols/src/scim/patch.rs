//! PATCH (RFC 7644 §3.5.2): parse a PatchOp message and apply it to a resource's JSON.
//!
//! [`apply_patch`] is pure: it works on a copy and returns the new resource with the set of
//! attributes whose value changed, or an error, leaving the input as it was either way (a
//! request is atomic, §3.5.2).
//!
//! Dialects accepted, as the push clients of reference/vendors.md send them:
//! - `op` in any case (Entra's default "Add"/"Replace"/"Remove").
//! - No `path`, with a value object (Okta's `{"active": false}`); its keys may be paths
//!   themselves (Entra aadOptscim062020: `"name.givenName"`, `"emails[type eq \"work\"].value"`,
//!   fully qualified enterprise attributes), or an extension URN holding an object.
//! - Booleans as "True"/"False" strings (any case), including inside values (`primary`).
//! - A bare string for a complex attribute with a `value` (Entra's `manager`).
//! - Members: `add members [...]` (deduplicated by `value`), `remove members[value eq "id"]`
//!   (Okta, aadOptscim062020), and Entra's default `remove members` with a value array,
//!   which removes the listed members only.
//!
//! Choices where the RFC leaves room or real clients need more:
//! - A `remove` whose value filter matches nothing is `noTarget` by default, per Table 9
//!   ("the specified path ... contains a filter that yields no match");
//!   [`UnmatchedRemove::Ignore`] makes it a no-op instead, as many servers do for
//!   idempotent member removal. Removing an attribute that is not set is always a no-op.
//! - `add`/`replace` of `attr[filter].sub` where nothing matches creates the value from the
//!   filter's `eq` tests (`emails[type eq "work"].value` -> `{"type":"work","value":...}`),
//!   which is what Entra relies on for a user without a work email; when the filter is not a
//!   conjunction of `eq` tests it is `noTarget`. `replace attr[filter]` (no sub-attribute) that
//!   matches nothing is `noTarget`, as §3.5.2.3 says.
//! - `replace` of a single-valued complex attribute merges sub-attributes (§3.5.2.3); `replace`
//!   of `attr[filter]` replaces each matched value whole.
//! - `add` of a multi-valued value whose `value` equals an existing one merges into it rather
//!   than duplicating it; a value added or set with `primary: true` demotes the others.
//! - readOnly attributes (id, meta, a User's groups) and a path naming a readOnly
//!   sub-attribute (`manager.displayName`, `members[...].display`) may be "changed" to their
//!   current value (Okta's rename sends `{"id":..., "displayName":...}`); any real change is a
//!   `mutability` error, as is changing an immutable attribute once set. readOnly
//!   sub-attributes inside a complex value (RFC 7643 §8.3's manager with its `displayName`, a
//!   member with its `display`) are server-owned and ignored, as RFC 7644 §3.5.1 says of
//!   readOnly values in a PUT. `schemas` keys in value objects are ignored: the result lists
//!   exactly the schemas in use.
//! - Removing a required attribute (userName, a Group's displayName) is `invalidValue`.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::filter::{CompValue, Filter, PatchPath};
use super::json::{get_ci, key_ci};
use super::resource::{
    check_required, coerce_single, coerce_value, complete_schemas, normalize_resource,
    strip_read_only_subs, UnknownAttributes,
};
use super::schema::{AttrDef, Container, Mutability, ResourceSchema, SchemaDef};

mod diff;
mod message;
mod values;

use diff::{changed_paths, enforce_mutability};
pub use message::{
    OpStyle, PatchOpKind, PatchOperation, PatchOptions, PatchOutcome, PatchRequest, UnmatchedRemove,
};
use values::{demote_primaries, drop_if_empty, ensure_array, identity, merge_into};

/// Applies `request` to `resource` (see the module docs). `resource` is normalised first
/// (canonical names, unknown attributes kept), so the result is in canonical form.
pub fn apply_patch(
    resource: &Value,
    request: &PatchRequest,
    schema: &ResourceSchema,
    options: &PatchOptions,
) -> Result<PatchOutcome, ScimError> {
    let original = normalize_resource(resource, schema, UnknownAttributes::Keep)?;
    let mut work = original.clone();
    for op in &request.operations {
        apply_operation(&mut work, op, schema, options)?;
    }
    for ext in schema.extensions {
        if work
            .get(ext.id)
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
        {
            work.remove(ext.id);
        }
    }
    enforce_mutability(&original, &work, schema)?;
    check_required(&work, schema)?;
    if work.contains_key("schemas") {
        complete_schemas(&mut work, schema);
        // Drop extension URNs whose attributes are all gone.
        if let Some(Value::Array(list)) = work.get("schemas") {
            let keep: Vec<Value> = list
                .iter()
                .filter(|s| {
                    let urn = s.as_str().unwrap_or_default();
                    match schema.extension(urn) {
                        Some(ext) => work.contains_key(ext.id),
                        None => true,
                    }
                })
                .cloned()
                .collect();
            work.insert("schemas".into(), Value::Array(keep));
        }
    }
    let changed = changed_paths(&original, &work, schema);
    Ok(PatchOutcome {
        resource: Value::Object(work),
        changed,
    })
}

fn apply_operation(
    work: &mut Map<String, Value>,
    op: &PatchOperation,
    schema: &ResourceSchema,
    options: &PatchOptions,
) -> Result<(), ScimError> {
    if let Some(path) = &op.path {
        let target = resolve(path, schema, options.unknown)?;
        return apply_target(work, &target, op.op, op.value.as_ref(), schema, options);
    }
    let value = match (op.op, &op.value) {
        (PatchOpKind::Remove, _) => {
            return Err(ScimError::no_target("", "remove needs a path"));
        }
        (_, Some(Value::Object(m))) => m,
        (_, Some(other)) => {
            return Err(ScimError::invalid_value(format!(
                "{} without a path needs an object of attributes, not {other}",
                op.op.as_str()
            )))
        }
        (_, None) => {
            return Err(ScimError::invalid_syntax(format!(
                "{} needs a value",
                op.op.as_str()
            )))
        }
    };
    for (k, v) in value {
        if k.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = schema.extension(k) {
            apply_target(
                work,
                &Target::Extension(ext),
                op.op,
                Some(v),
                schema,
                options,
            )?;
            continue;
        }
        // Each key is a path: "active", "name.givenName", "emails[type eq \"work\"].value".
        let path = PatchPath::parse(k)?;
        let target = resolve(&path, schema, options.unknown)?;
        apply_target(work, &target, op.op, Some(v), schema, options)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Targets

/// The object an attribute lives in.
#[derive(Debug, Clone)]
enum Holder {
    Core,
    Extension(&'static SchemaDef),
    /// Under an unknown schema URN (kept per [`UnknownAttributes::Keep`]).
    Unknown(String),
}

#[derive(Debug)]
struct AttrTarget<'p> {
    holder: Holder,
    /// Canonical when the attribute is defined, else as sent.
    name: String,
    def: Option<&'static AttrDef>,
    filter: Option<&'p Filter>,
    sub: Option<(String, Option<&'static AttrDef>)>,
    /// The path as text, for errors.
    text: String,
}

#[derive(Debug)]
enum Target<'p> {
    /// The whole object under an extension URN.
    Extension(&'static SchemaDef),
    Attr(AttrTarget<'p>),
    /// An unknown attribute under [`UnknownAttributes::Ignore`].
    Skip,
}

fn resolve<'p>(
    path: &'p PatchPath,
    schema: &ResourceSchema,
    unknown: UnknownAttributes,
) -> Result<Target<'p>, ScimError> {
    let text = path.to_string();
    let a = &path.attr;
    let refuse = |what: String| match unknown {
        UnknownAttributes::Refuse => Err(ScimError::invalid_path(&text, what)),
        _ => Ok(Target::Skip),
    };
    let holder = match (schema.container_for(a.uri.as_deref()), &a.uri) {
        (Some(Container::Core), _) => Holder::Core,
        (Some(Container::Extension(e)), _) => Holder::Extension(e),
        (None, uri) => {
            let uri = uri.as_deref().unwrap_or_default();
            if let Some(ext) = schema.extension(&format!("{uri}:{}", a.name)) {
                if path.filter.is_some() || path.sub_attribute().is_some() {
                    return Err(ScimError::invalid_path(
                        &text,
                        "a schema extension has no sub-attributes",
                    ));
                }
                return Ok(Target::Extension(ext));
            }
            if unknown != UnknownAttributes::Keep {
                return refuse(format!("{uri} is not a schema of {}", schema.name));
            }
            Holder::Unknown(uri.to_string())
        }
    };
    let container = match &holder {
        Holder::Core => Some(Container::Core),
        Holder::Extension(e) => Some(Container::Extension(e)),
        Holder::Unknown(_) => None,
    };
    let def = container.and_then(|c| schema.attribute(c, &a.name));
    if def.is_none() && container.is_some() && unknown != UnknownAttributes::Keep {
        return refuse(format!("{} is not an attribute of {}", a.name, schema.name));
    }
    let sub = match path.sub_attribute() {
        None => None,
        Some(s) => {
            let sd = match def {
                Some(d) if !d.is_complex() => {
                    return Err(ScimError::invalid_path(
                        &text,
                        format!("{} has no sub-attributes", d.name),
                    ))
                }
                Some(d) => match d.sub_attribute(s) {
                    Some(sd) => Some(sd),
                    None if unknown == UnknownAttributes::Keep => None,
                    None => return refuse(format!("{} has no sub-attribute {s}", d.name)),
                },
                None => None,
            };
            Some((sd.map_or_else(|| s.to_string(), |d| d.name.to_string()), sd))
        }
    };
    if let Some(f) = &path.filter {
        if def.is_some_and(|d| !d.multi_valued) {
            return Err(ScimError::invalid_path(
                &text,
                format!("{} is single-valued and cannot take a value filter", a.name),
            ));
        }
        f.validate_for_value(def, unknown)
            .map_err(|e| ScimError::invalid_path(&text, e.detail()))?;
    }
    Ok(Target::Attr(AttrTarget {
        holder,
        name: def.map_or_else(|| a.name.clone(), |d| d.name.to_string()),
        def,
        filter: path.filter.as_ref(),
        sub,
        text,
    }))
}

fn apply_target(
    work: &mut Map<String, Value>,
    target: &Target<'_>,
    op: PatchOpKind,
    value: Option<&Value>,
    schema: &ResourceSchema,
    options: &PatchOptions,
) -> Result<(), ScimError> {
    match target {
        Target::Skip => Ok(()),
        Target::Attr(t) => apply_attr(work, t, op, value, options),
        Target::Extension(ext) => {
            if op == PatchOpKind::Remove {
                if let Some(k) = key_ci(work, ext.id) {
                    work.remove(&k);
                }
                return Ok(());
            }
            let attrs = match value {
                Some(Value::Object(m)) => m,
                Some(Value::Null) => return Ok(()),
                other => {
                    return Err(ScimError::invalid_value(format!(
                        "{} needs an object, not {}",
                        ext.id,
                        other.map_or_else(|| "nothing".to_string(), Value::to_string)
                    )))
                }
            };
            for (k, v) in attrs {
                let mut path = PatchPath::parse(k)?;
                if path.attr.uri.is_some() {
                    return Err(ScimError::invalid_path(
                        k,
                        "attributes inside an extension object are not qualified",
                    ));
                }
                // Qualify the name with the extension so it resolves there.
                path.attr.uri = Some(ext.id.to_string());
                let t = resolve(&path, schema, options.unknown)?;
                if matches!(t, Target::Extension(_)) {
                    return Err(ScimError::invalid_path(k, "nested extension"));
                }
                apply_target(work, &t, op, Some(v), schema, options)?;
            }
            Ok(())
        }
    }
}

fn holder_mut<'w>(
    work: &'w mut Map<String, Value>,
    holder: &Holder,
    create: bool,
    text: &str,
) -> Result<Option<&'w mut Map<String, Value>>, ScimError> {
    let urn = match holder {
        Holder::Core => return Ok(Some(work)),
        Holder::Extension(e) => e.id,
        Holder::Unknown(u) => u.as_str(),
    };
    let key = match key_ci(work, urn) {
        Some(k) => k,
        None if create => {
            work.insert(urn.to_string(), Value::Object(Map::new()));
            urn.to_string()
        }
        None => return Ok(None),
    };
    match work.get_mut(&key) {
        Some(Value::Object(m)) => Ok(Some(m)),
        _ => Err(ScimError::invalid_path(
            text,
            format!("{urn} does not hold an object"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Applying one operation to one attribute

fn need<'v>(value: Option<&'v Value>, t: &AttrTarget<'_>) -> Result<&'v Value, ScimError> {
    value.ok_or_else(|| {
        ScimError::invalid_syntax(format!("an operation on {} needs a value", t.text))
    })
}

fn raw(v: &Value) -> Option<Value> {
    (!v.is_null()).then(|| v.clone())
}

impl AttrTarget<'_> {
    /// The whole attribute's new value, readOnly sub-attributes dropped.
    fn coerce_whole(&self, v: &Value, u: UnknownAttributes) -> Result<Option<Value>, ScimError> {
        match self.def {
            Some(d) => Ok(coerce_value(v, d, &self.text, u)?.map(|mut c| {
                strip_read_only_subs(d, &mut c);
                c
            })),
            None => Ok(raw(v)),
        }
    }
    /// One value (element) of the attribute, readOnly sub-attributes dropped.
    fn coerce_element(&self, v: &Value, u: UnknownAttributes) -> Result<Option<Value>, ScimError> {
        match self.def {
            Some(d) => Ok(coerce_single(v, d, &self.text, u)?.map(|mut c| {
                strip_read_only_subs(d, &mut c);
                c
            })),
            None => Ok(raw(v)),
        }
    }
    /// A sub-attribute's new value.
    fn coerce_sub(&self, v: &Value, u: UnknownAttributes) -> Result<Option<Value>, ScimError> {
        match self.sub.as_ref().and_then(|(_, d)| *d) {
            Some(d) => coerce_single(v, d, &self.text, u),
            None => Ok(raw(v)),
        }
    }
}

fn apply_attr(
    work: &mut Map<String, Value>,
    t: &AttrTarget<'_>,
    op: PatchOpKind,
    value: Option<&Value>,
    options: &PatchOptions,
) -> Result<(), ScimError> {
    let Some(h) = holder_mut(work, &t.holder, op != PatchOpKind::Remove, &t.text)? else {
        return Ok(());
    };
    let key = key_ci(h, &t.name).unwrap_or_else(|| t.name.clone());
    let multi = match t.def {
        Some(d) => d.multi_valued,
        None => {
            h.get(&key).is_some_and(Value::is_array)
                || t.filter.is_some()
                || (t.sub.is_none() && value.is_some_and(Value::is_array))
        }
    };
    let u = options.unknown;
    if let Some(filter) = t.filter {
        return apply_filtered(h, &key, t, filter, op, value, options);
    }
    match (&t.sub, multi, op) {
        (None, true, PatchOpKind::Remove) => {
            match value.filter(|v| !v.is_null()) {
                None => {
                    h.remove(&key);
                }
                Some(v) => {
                    // Entra: remove just the listed values.
                    let mut listed = Vec::new();
                    for item in v.as_array().map_or(std::slice::from_ref(v), Vec::as_slice) {
                        if let Some(c) = t.coerce_element(item, u)? {
                            listed.push(c);
                        }
                    }
                    if let Some(Value::Array(arr)) = h.get_mut(&key) {
                        arr.retain(|e| !listed.iter().any(|l| identity(l) == identity(e)));
                    }
                    drop_if_empty(h, &key);
                }
            }
        }
        (None, true, PatchOpKind::Add) => {
            let new = match t.coerce_whole(need(value, t)?, u)? {
                None => return Ok(()),
                Some(Value::Array(a)) => a,
                Some(single) => vec![single],
            };
            let arr = ensure_array(h, &key);
            let mut touched = Vec::new();
            for item in new {
                match arr.iter().position(|e| identity(e) == identity(&item)) {
                    Some(i) => {
                        merge_into(&mut arr[i], item);
                        touched.push(i);
                    }
                    None => {
                        arr.push(item);
                        touched.push(arr.len() - 1);
                    }
                }
            }
            demote_primaries(arr, &touched);
            drop_if_empty(h, &key);
        }
        (None, true, PatchOpKind::Replace) => match t.coerce_whole(need(value, t)?, u)? {
            None => {
                h.remove(&key);
            }
            Some(v) => {
                let mut arr = match v {
                    Value::Array(a) => a,
                    single => vec![single],
                };
                let all: Vec<usize> = (0..arr.len()).collect();
                demote_primaries(&mut arr, &all);
                h.insert(key.clone(), Value::Array(arr));
                drop_if_empty(h, &key);
            }
        },
        (None, false, PatchOpKind::Remove) => {
            h.remove(&key);
        }
        (None, false, _) => match t.coerce_whole(need(value, t)?, u)? {
            None if op == PatchOpKind::Replace => {
                h.remove(&key);
            }
            None => {}
            // Complex attributes merge their sub-attributes, for add and replace alike.
            Some(v @ Value::Object(_)) if h.get(&key).is_some_and(Value::is_object) => {
                if let Some(existing) = h.get_mut(&key) {
                    merge_into(existing, v);
                }
                drop_if_empty(h, &key);
            }
            Some(v) => {
                h.insert(key, v);
            }
        },
        (Some((sub, _)), true, _) => {
            // `emails.type` without a filter: every value.
            let nv = match op {
                PatchOpKind::Remove => None,
                _ => t.coerce_sub(need(value, t)?, u)?,
            };
            if op != PatchOpKind::Remove && !h.contains_key(&key) {
                if let Some(x) = nv {
                    let mut m = Map::new();
                    m.insert(sub.clone(), x);
                    h.insert(key, Value::Array(vec![Value::Object(m)]));
                }
                return Ok(());
            }
            if let Some(Value::Array(arr)) = h.get_mut(&key) {
                for e in arr.iter_mut() {
                    guard_sub(t, e, nv.as_ref())?;
                    if let Value::Object(m) = e {
                        set_sub(m, sub, nv.clone());
                    }
                }
            }
        }
        (Some((sub, _)), false, _) => {
            let nv = match op {
                PatchOpKind::Remove => None,
                _ => t.coerce_sub(need(value, t)?, u)?,
            };
            if nv.is_none() && !h.contains_key(&key) {
                return Ok(());
            }
            let slot = h
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = slot else {
                return Err(ScimError::invalid_path(
                    &t.text,
                    format!("{} is not a complex attribute", t.name),
                ));
            };
            set_sub(m, sub, nv);
            drop_if_empty(h, &key);
        }
    }
    Ok(())
}

fn set_sub(m: &mut Map<String, Value>, sub: &str, v: Option<Value>) {
    let key = key_ci(m, sub).unwrap_or_else(|| sub.to_string());
    match v {
        Some(x) => {
            m.insert(key, x);
        }
        None => {
            m.remove(&key);
        }
    }
}

/// Setting (or removing) a sub-attribute of one value of a multi-valued attribute: readOnly
/// sub-attributes may not change, immutable ones only while unset (a member's `value`).
fn guard_sub(t: &AttrTarget<'_>, element: &Value, new: Option<&Value>) -> Result<(), ScimError> {
    let Some((name, Some(def))) = &t.sub else {
        return Ok(());
    };
    let old = element.as_object().and_then(|m| get_ci(m, name));
    if old == new {
        return Ok(());
    }
    let path = format!("{}.{}", t.name, def.name);
    match def.mutability {
        Mutability::ReadOnly => Err(ScimError::read_only(path)),
        Mutability::Immutable if old.is_some() => Err(ScimError::immutable(path)),
        _ => Ok(()),
    }
}

/// A new value built from a filter of `eq` tests, for an add/replace that matched nothing.
fn synthesise(
    filter: &Filter,
    t: &AttrTarget<'_>,
    u: UnknownAttributes,
) -> Result<Map<String, Value>, ScimError> {
    let no_target = || {
        ScimError::no_target(
            &t.text,
            "no value matches the filter, and the filter is not a set of eq tests to create one from",
        )
    };
    let eqs = filter.equalities().ok_or_else(no_target)?;
    let mut m = Map::new();
    for (p, lit) in eqs {
        if p.uri.is_some() || p.sub_attr.is_some() {
            return Err(no_target());
        }
        let json = match lit {
            CompValue::String(s) => Value::String(s.clone()),
            CompValue::Number(n) => Value::Number(n.clone()),
            CompValue::Bool(b) => Value::Bool(*b),
            CompValue::Null => return Err(no_target()),
        };
        let sd = t.def.and_then(|d| d.sub_attribute(&p.name));
        let (name, json) = match sd {
            Some(sd) => (sd.name.to_string(), coerce_single(&json, sd, &t.text, u)?),
            None => (p.name.clone(), Some(json)),
        };
        if let Some(j) = json {
            m.insert(name, j);
        }
    }
    Ok(m)
}

fn apply_filtered(
    h: &mut Map<String, Value>,
    key: &str,
    t: &AttrTarget<'_>,
    filter: &Filter,
    op: PatchOpKind,
    value: Option<&Value>,
    options: &PatchOptions,
) -> Result<(), ScimError> {
    let u = options.unknown;
    let matched: Vec<usize> = match h.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter(|(_, e)| filter.matches_value(e, t.def))
            .map(|(i, _)| i)
            .collect(),
        Some(_) => {
            return Err(ScimError::invalid_path(
                &t.text,
                format!("{} is not multi-valued", t.name),
            ))
        }
    };
    let sub = t.sub.as_ref().map(|(s, _)| s.as_str());
    if op == PatchOpKind::Remove {
        if matched.is_empty() {
            return match options.unmatched_remove {
                UnmatchedRemove::NoTarget => {
                    Err(ScimError::no_target(&t.text, "no value matches the filter"))
                }
                UnmatchedRemove::Ignore => Ok(()),
            };
        }
        if let Some(Value::Array(arr)) = h.get_mut(key) {
            match sub {
                None => {
                    let mut i = 0;
                    arr.retain(|_| {
                        let keep = !matched.contains(&i);
                        i += 1;
                        keep
                    });
                }
                Some(s) => {
                    for &i in &matched {
                        if let Some(e) = arr.get_mut(i) {
                            guard_sub(t, e, None)?;
                            if let Value::Object(m) = e {
                                set_sub(m, s, None);
                            }
                        }
                    }
                }
            }
        }
        drop_if_empty(h, key);
        return Ok(());
    }
    let v = need(value, t)?;
    let (new, in_place) = match sub {
        Some(_) => (t.coerce_sub(v, u)?, true),
        None => (t.coerce_element(v, u)?, false),
    };
    if matched.is_empty() {
        let Some(new) = new else {
            return Ok(());
        };
        if op == PatchOpKind::Replace && !in_place {
            return Err(ScimError::no_target(&t.text, "no value matches the filter"));
        }
        let mut elem = Value::Object(synthesise(filter, t, u)?);
        match sub {
            Some(s) => {
                if let Value::Object(m) = &mut elem {
                    set_sub(m, s, Some(new));
                }
            }
            None => merge_into(&mut elem, new),
        }
        let arr = ensure_array(h, key);
        arr.push(elem);
        let last = arr.len() - 1;
        demote_primaries(arr, &[last]);
        return Ok(());
    }
    let arr = ensure_array(h, key);
    for &i in &matched {
        let Some(e) = arr.get_mut(i) else { continue };
        match (sub, op) {
            (Some(s), _) => {
                guard_sub(t, e, new.as_ref())?;
                if let Value::Object(m) = e {
                    set_sub(m, s, new.clone());
                }
            }
            (None, PatchOpKind::Replace) => match &new {
                Some(n) => *e = n.clone(),
                None => *e = Value::Null,
            },
            (None, _) => {
                if let Some(n) = &new {
                    merge_into(e, n.clone());
                }
            }
        }
    }
    arr.retain(|e| !e.is_null());
    demote_primaries(arr, &matched);
    drop_if_empty(h, key);
    Ok(())
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
