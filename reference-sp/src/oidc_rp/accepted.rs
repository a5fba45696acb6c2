//! The outcome of a login the RP accepted: a validated id_token plus the checked userinfo, and
//! the claim lookups role and group mapping use.

use super::callback::clip;
use super::error::OidcRejection;
use super::validate::{SignatureProof, ValidatedIdToken};
use crate::flaws::{Flaw, Flaws};
use serde_json::{Map, Value};

/// Claims the id_token keeps even when userinfo says otherwise.
const ID_TOKEN_WINS: [&str; 3] = ["iss", "sub", "aud"];

/// What the userinfo endpoint gave, if the OP has one.
#[derive(Debug, Clone, PartialEq)]
pub enum UserinfoAnswer {
    /// The discovery document lists no userinfo endpoint.
    NotOffered,
    Claims(Map<String, Value>),
}

/// How userinfo was bound to the id_token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserinfoProof {
    NotOffered,
    SubMatched,
    /// [`Flaw::SkipUserinfoSubCheck`] let a userinfo answer through without comparing its sub.
    DangerUnchecked,
}

/// A login the RP accepted. Only [`accept`] makes one, from a [`ValidatedIdToken`].
#[derive(Debug, Clone)]
pub struct AcceptedIdToken {
    id_token: ValidatedIdToken,
    userinfo: UserinfoProof,
    merged: Map<String, Value>,
}

/// Bind the userinfo answer to the validated id_token (OIDC Core 5.3.2: same `sub`), then merge
/// its claims under the id_token's iss, sub and aud.
pub fn accept(
    id_token: ValidatedIdToken,
    userinfo: UserinfoAnswer,
    flaws: &Flaws,
) -> Result<AcceptedIdToken, OidcRejection> {
    let mut merged = id_token.claims().clone();
    let proof = match userinfo {
        UserinfoAnswer::NotOffered => UserinfoProof::NotOffered,
        UserinfoAnswer::Claims(ui) => {
            let found = ui.get("sub").and_then(Value::as_str);
            let proof = if flaws.danger(Flaw::SkipUserinfoSubCheck) {
                tracing::warn!("danger: the userinfo sub is not compared with the id_token's");
                UserinfoProof::DangerUnchecked
            } else if found == Some(id_token.subject()) && !id_token.subject().is_empty() {
                UserinfoProof::SubMatched
            } else {
                return Err(OidcRejection::UserinfoSubMismatch {
                    expected: id_token.subject().to_string(),
                    found: found.map(clip),
                });
            };
            for (k, v) in ui {
                if !ID_TOKEN_WINS.contains(&k.as_str()) {
                    merged.insert(k, v);
                }
            }
            proof
        }
    };
    Ok(AcceptedIdToken {
        id_token,
        userinfo: proof,
        merged,
    })
}

impl AcceptedIdToken {
    pub fn subject(&self) -> &str {
        self.id_token.subject()
    }

    pub fn issuer(&self) -> &str {
        self.id_token.issuer()
    }

    /// id_token claims merged with userinfo (the id_token wins for iss, sub and aud).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.merged
    }

    /// The id_token alone.
    pub fn id_token(&self) -> &ValidatedIdToken {
        &self.id_token
    }

    /// Whether a flaw let any check pass unchecked, for evidence traces.
    pub fn danger_flaws_used(&self) -> Vec<Flaw> {
        let mut out = self.id_token.checked.danger_skipped.clone();
        if self.id_token.signature == SignatureProof::DangerUnsigned {
            out.push(Flaw::AcceptAlgNone);
        }
        if self.userinfo == UserinfoProof::DangerUnchecked {
            out.push(Flaw::SkipUserinfoSubCheck);
        }
        out
    }

    /// Entra's groups overage: the token points at a Graph endpoint instead of listing groups
    /// (`_claim_names.groups`). The RP does not follow it; the groups count as none.
    pub fn has_groups_overage(&self) -> bool {
        self.distributed("groups")
    }

    fn distributed(&self, claim: &str) -> bool {
        self.merged
            .get("_claim_names")
            .and_then(Value::as_object)
            .is_some_and(|names| names.contains_key(claim))
    }

    /// Values at `dot_path` ("groups", "user.role"): arrays are flattened at every level,
    /// scalars stringified, nulls and objects skipped. A key that itself contains dots
    /// ("https://acme.example/roles") matches before the path is split. A claim the OP moved to
    /// a distributed source (`_claim_names`) yields nothing.
    pub fn claim_path(&self, dot_path: &str) -> Vec<String> {
        let root = dot_path.split('.').next().unwrap_or(dot_path);
        if self.distributed(dot_path) || self.distributed(root) {
            return Vec::new();
        }
        let mut out = Vec::new();
        collect_object(&self.merged, dot_path, &mut out);
        out
    }
}

fn collect_object(m: &Map<String, Value>, path: &str, out: &mut Vec<String>) {
    if path.is_empty() {
        return;
    }
    if let Some(v) = m.get(path) {
        return collect(v, "", out);
    }
    for (i, _) in path.match_indices('.') {
        if let Some(v) = m.get(&path[..i]) {
            return collect(v, &path[i + 1..], out);
        }
    }
}

fn collect(v: &Value, rest: &str, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect(i, rest, out)),
        Value::Object(m) => collect_object(m, rest, out),
        _ if !rest.is_empty() => {}
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Bool(b) => out.push(b.to_string()),
        Value::Null => {}
    }
}
