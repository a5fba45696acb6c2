//! The PatchOp message (RFC 7644 §3.5.2): its operations as parsed from the wire in any of the
//! vendors' dialects, and the options and outcome of applying one.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::scim::error::ScimError;
use crate::scim::filter::PatchPath;
use crate::scim::json::get_ci;
use crate::scim::resource::UnknownAttributes;
use crate::scim::schema::PATCH_OP;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    Add,
    Replace,
    Remove,
}

impl PatchOpKind {
    /// Case-insensitive: "add", "Add", "ADD".
    pub fn parse(s: &str) -> Option<PatchOpKind> {
        [
            ("add", PatchOpKind::Add),
            ("replace", PatchOpKind::Replace),
            ("remove", PatchOpKind::Remove),
        ]
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
        .map(|(_, op)| op)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Replace => "replace",
            PatchOpKind::Remove => "remove",
        }
    }
}

/// How a client spells `op` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpStyle {
    /// RFC, Okta, Entra with aadOptscim062020: "replace".
    Lowercase,
    /// Entra's default: "Replace".
    Capitalised,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: PatchOpKind,
    pub path: Option<PatchPath>,
    /// Required for add and replace; optional for remove (Entra's member removal).
    pub value: Option<Value>,
}

impl PatchOperation {
    /// An operation with a textual path (parsed here, so `invalidPath` on a bad one).
    pub fn new(
        op: PatchOpKind,
        path: Option<&str>,
        value: Option<Value>,
    ) -> Result<PatchOperation, ScimError> {
        Ok(PatchOperation {
            op,
            path: path.map(PatchPath::parse).transpose()?,
            value,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// Parses a PatchOp body from bytes; malformed JSON is `invalidSyntax`.
    pub fn from_slice(body: &[u8]) -> Result<PatchRequest, ScimError> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| ScimError::invalid_syntax(format!("the body is not JSON: {e}")))?;
        PatchRequest::parse(&v)
    }

    /// Checks `schemas` lists the PatchOp URN and reads `Operations` (member names in any
    /// case). Unknown ops and missing values are `invalidSyntax`, bad paths `invalidPath`.
    pub fn parse(body: &Value) -> Result<PatchRequest, ScimError> {
        let Some(obj) = body.as_object() else {
            return Err(ScimError::invalid_syntax(
                "a PatchOp body must be a JSON object",
            ));
        };
        let lists_patch_op = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP)))
            });
        if !lists_patch_op {
            return Err(ScimError::invalid_syntax(format!(
                "schemas must list {PATCH_OP}"
            )));
        }
        let ops = match get_ci(obj, "Operations") {
            Some(Value::Array(ops)) if !ops.is_empty() => ops,
            _ => {
                return Err(ScimError::invalid_syntax(
                    "Operations must be a non-empty array",
                ))
            }
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, o)| parse_operation(i, o))
            .collect::<Result<_, _>>()?;
        Ok(PatchRequest { operations })
    }

    /// The wire form, with `op` spelt per `style`.
    pub fn to_json(&self, style: OpStyle) -> Value {
        let ops: Vec<Value> = self
            .operations
            .iter()
            .map(|o| {
                let name = match style {
                    OpStyle::Lowercase => o.op.as_str().to_string(),
                    OpStyle::Capitalised => {
                        let s = o.op.as_str();
                        format!("{}{}", s[..1].to_ascii_uppercase(), &s[1..])
                    }
                };
                let mut m = Map::new();
                m.insert("op".into(), Value::String(name));
                if let Some(p) = &o.path {
                    m.insert("path".into(), Value::String(p.to_string()));
                }
                if let Some(v) = &o.value {
                    m.insert("value".into(), v.clone());
                }
                Value::Object(m)
            })
            .collect();
        json!({"schemas": [PATCH_OP], "Operations": ops})
    }
}

pub(super) fn parse_operation(i: usize, o: &Value) -> Result<PatchOperation, ScimError> {
    let Some(m) = o.as_object() else {
        return Err(ScimError::invalid_syntax(format!(
            "operation {i} is not an object"
        )));
    };
    let op = match get_ci(m, "op") {
        Some(Value::String(s)) => PatchOpKind::parse(s).ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "operation {i}: unknown op {:?} (expected add, replace or remove)",
                s.chars().take(40).collect::<String>()
            ))
        })?,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "operation {i} has no op"
            )))
        }
    };
    let path = match get_ci(m, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(PatchPath::parse(s)?),
        Some(_) => {
            return Err(ScimError::invalid_path(
                "",
                format!("operation {i}: path must be a string"),
            ))
        }
    };
    let value = get_ci(m, "value").cloned();
    if value.is_none() && op != PatchOpKind::Remove {
        return Err(ScimError::invalid_syntax(format!(
            "operation {i}: {} needs a value",
            op.as_str()
        )));
    }
    Ok(PatchOperation { op, path, value })
}

/// What a remove whose value filter matches nothing does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnmatchedRemove {
    /// 400 `noTarget` (RFC 7644 Table 9).
    #[default]
    NoTarget,
    /// Nothing: the value is already gone.
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatchOptions {
    /// Attributes no schema defines, in paths and values.
    pub unknown: UnknownAttributes,
    pub unmatched_remove: UnmatchedRemove,
}

/// The patched resource and the attributes whose value changed, by canonical path: "active",
/// "emails", "members", "externalId", "name.givenName" (sub-attributes of single-valued
/// complex attributes are listed one by one), and extension attributes fully qualified
/// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    pub resource: Value,
    pub changed: BTreeSet<String>,
}
