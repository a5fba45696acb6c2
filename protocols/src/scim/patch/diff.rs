//! After all operations: the mutability checks against the resource before the request, and the
//! canonical paths of the attributes whose value changed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::json::get_ci;
use crate::scim::schema::{AttrDef, Container, Mutability, ResourceSchema, COMMON_ATTRS};

pub(super) fn check_mutability(
    def: &AttrDef,
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Result<(), ScimError> {
    if old == new {
        return Ok(());
    }
    match def.mutability {
        Mutability::ReadOnly => Err(ScimError::read_only(name)),
        Mutability::Immutable if old.is_some() => Err(ScimError::immutable(name)),
        _ => Ok(()),
    }
}

pub(super) fn enforce_mutability(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let empty = Map::new();
    // (definitions, old holder, new holder, name prefix)
    type Json = Map<String, Value>;
    let mut holders: Vec<(&[AttrDef], &Json, &Json, String)> = vec![
        (schema.core.attributes, old, new, String::new()),
        (COMMON_ATTRS, old, new, String::new()),
    ];
    for ext in schema.extensions {
        let o = old.get(ext.id).and_then(Value::as_object).unwrap_or(&empty);
        let n = new.get(ext.id).and_then(Value::as_object).unwrap_or(&empty);
        holders.push((ext.attributes, o, n, format!("{}:", ext.id)));
    }
    for (defs, o, n, prefix) in holders {
        for def in defs {
            let (ov, nv) = (get_ci(o, def.name), get_ci(n, def.name));
            let name = format!("{prefix}{}", def.name);
            check_mutability(def, &name, ov, nv)?;
            if def.is_complex() && !def.multi_valued {
                let (om, nm) = (
                    ov.and_then(Value::as_object).unwrap_or(&empty),
                    nv.and_then(Value::as_object).unwrap_or(&empty),
                );
                for sub in def.sub_attributes {
                    check_mutability(
                        sub,
                        &format!("{name}.{}", sub.name),
                        get_ci(om, sub.name),
                        get_ci(nm, sub.name),
                    )?;
                }
            }
        }
    }
    Ok(())
}

pub(super) fn diff_holder(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    container: Container,
    prefix: &str,
    schema: &ResourceSchema,
    out: &mut BTreeSet<String>,
) {
    let empty = Map::new();
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for k in keys {
        if k == "schemas" || (container == Container::Core && schema.extension(k).is_some()) {
            continue;
        }
        let (o, n) = (old.get(k), new.get(k));
        if o == n {
            continue;
        }
        let def = schema.attribute(container, k);
        match def {
            Some(d) if d.is_complex() && !d.multi_valued => {
                let om = o.and_then(Value::as_object).unwrap_or(&empty);
                let nm = n.and_then(Value::as_object).unwrap_or(&empty);
                let subs: BTreeSet<&String> = om.keys().chain(nm.keys()).collect();
                for s in subs {
                    if om.get(s) != nm.get(s) {
                        let s = d.sub_attribute(s).map_or(s.as_str(), |sd| sd.name);
                        out.insert(format!("{prefix}{}.{s}", d.name));
                    }
                }
            }
            Some(d) => {
                out.insert(format!("{prefix}{}", d.name));
            }
            None => {
                out.insert(format!("{prefix}{k}"));
            }
        }
    }
}

pub(super) fn changed_paths(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    schema: &ResourceSchema,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    diff_holder(old, new, Container::Core, "", schema, &mut out);
    let empty = Map::new();
    for ext in schema.extensions {
        let o = old.get(ext.id).and_then(Value::as_object).unwrap_or(&empty);
        let n = new.get(ext.id).and_then(Value::as_object).unwrap_or(&empty);
        diff_holder(
            o,
            n,
            Container::Extension(ext),
            &format!("{}:", ext.id),
            schema,
            &mut out,
        );
    }
    out
}
