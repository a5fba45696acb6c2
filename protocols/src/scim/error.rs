//! SCIM errors (RFC 7644 §3.12): one variant per rule, each rendering its HTTP status, its
//! `scimType` keyword and a detail message into the SCIM Error JSON body.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::schema::ERROR_MESSAGE;

/// The `scimType` detail keywords of RFC 7644 §3.12, Table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }

    /// Parses a keyword, case-insensitively (some servers capitalise them).
    pub fn parse(s: &str) -> Option<ScimType> {
        const ALL: [ScimType; 10] = [
            ScimType::InvalidFilter,
            ScimType::TooMany,
            ScimType::Uniqueness,
            ScimType::Mutability,
            ScimType::InvalidSyntax,
            ScimType::InvalidPath,
            ScimType::NoTarget,
            ScimType::InvalidValue,
            ScimType::InvalidVers,
            ScimType::Sensitive,
        ];
        ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for ScimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a SCIM endpoint can refuse, one variant per rule. [`ScimError::status`] and
/// [`ScimError::scim_type`] give the wire codes; [`ScimError::to_body`] the JSON body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    /// 400 `invalidFilter`: the filter does not parse, exceeds a bound, or compares an attribute
    /// in a way its type does not allow.
    #[error("{detail}")]
    InvalidFilter { detail: String },
    /// 400 `tooMany`: the query would return more results than the server will process.
    #[error("{detail}")]
    TooMany { detail: String },
    /// 409 `uniqueness`: a create or update collides with an existing resource.
    #[error("{attribute} {value:?} is already taken")]
    Uniqueness { attribute: String, value: String },
    /// 400 `mutability`: the request changes a readOnly or immutable attribute.
    #[error("attribute {attribute} is {mutability} and cannot be changed")]
    Mutability {
        attribute: String,
        mutability: &'static str,
    },
    /// 400 `invalidSyntax`: the body is not a well-formed message of the expected kind.
    #[error("{detail}")]
    InvalidSyntax { detail: String },
    /// 400 `invalidPath`: a PATCH path (or an attribute name standing for one) is malformed or
    /// names no attribute.
    #[error("invalid path {path:?}: {detail}")]
    InvalidPath { path: String, detail: String },
    /// 400 `noTarget`: the path selects nothing to operate on.
    #[error("path {path:?} selects no value: {detail}")]
    NoTarget { path: String, detail: String },
    /// 400 `invalidValue`: a required value is missing or a value does not fit its attribute.
    #[error("{detail}")]
    InvalidValue { detail: String },
    /// 400 `invalidVers`: the SCIM protocol version is not supported.
    #[error("{detail}")]
    InvalidVers { detail: String },
    /// 403 `sensitive`: personal information was sent in the request URI.
    #[error("{detail}")]
    Sensitive { detail: String },
    /// 401: no credentials, or the wrong ones.
    #[error("{detail}")]
    Unauthorized { detail: String },
    /// 403 without scimType: the caller may not do this.
    #[error("{detail}")]
    Forbidden { detail: String },
    /// 404: no such resource.
    #[error("{resource_type} {id:?} not found")]
    NotFound { resource_type: String, id: String },
    /// 412: If-Match names another version than the current one.
    #[error("version {given:?} does not match the current version {current:?}")]
    PreconditionFailed { given: String, current: String },
    /// 413: the body is larger than the server accepts.
    #[error("the request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 501: the endpoint or feature is not offered (bulk, sort, changePassword...).
    #[error("{detail}")]
    NotImplemented { detail: String },
    /// An error as some other server rendered it (read back by a push client), or one no rule
    /// above covers.
    #[error("{detail}")]
    Other {
        status: u16,
        scim_type: Option<ScimType>,
        detail: String,
    },
}

impl ScimError {
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        ScimError::InvalidFilter {
            detail: detail.into(),
        }
    }
    pub fn too_many(detail: impl Into<String>) -> Self {
        ScimError::TooMany {
            detail: detail.into(),
        }
    }
    pub fn uniqueness(attribute: impl Into<String>, value: impl Into<String>) -> Self {
        ScimError::Uniqueness {
            attribute: attribute.into(),
            value: value.into(),
        }
    }
    pub fn read_only(attribute: impl Into<String>) -> Self {
        ScimError::Mutability {
            attribute: attribute.into(),
            mutability: "readOnly",
        }
    }
    pub fn immutable(attribute: impl Into<String>) -> Self {
        ScimError::Mutability {
            attribute: attribute.into(),
            mutability: "immutable",
        }
    }
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        ScimError::InvalidSyntax {
            detail: detail.into(),
        }
    }
    pub fn invalid_path(path: impl Into<String>, detail: impl Into<String>) -> Self {
        ScimError::InvalidPath {
            path: path.into(),
            detail: detail.into(),
        }
    }
    pub fn no_target(path: impl Into<String>, detail: impl Into<String>) -> Self {
        ScimError::NoTarget {
            path: path.into(),
            detail: detail.into(),
        }
    }
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        ScimError::InvalidValue {
            detail: detail.into(),
        }
    }
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        ScimError::InvalidVers {
            detail: detail.into(),
        }
    }
    pub fn sensitive(detail: impl Into<String>) -> Self {
        ScimError::Sensitive {
            detail: detail.into(),
        }
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ScimError::Unauthorized {
            detail: detail.into(),
        }
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ScimError::Forbidden {
            detail: detail.into(),
        }
    }
    pub fn not_found(resource_type: impl Into<String>, id: impl Into<String>) -> Self {
        ScimError::NotFound {
            resource_type: resource_type.into(),
            id: id.into(),
        }
    }
    pub fn precondition_failed(given: impl Into<String>, current: impl Into<String>) -> Self {
        ScimError::PreconditionFailed {
            given: given.into(),
            current: current.into(),
        }
    }
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        ScimError::NotImplemented {
            detail: detail.into(),
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ScimError::Uniqueness { .. } => 409,
            ScimError::Sensitive { .. } | ScimError::Forbidden { .. } => 403,
            ScimError::Unauthorized { .. } => 401,
            ScimError::NotFound { .. } => 404,
            ScimError::PreconditionFailed { .. } => 412,
            ScimError::PayloadTooLarge { .. } => 413,
            ScimError::NotImplemented { .. } => 501,
            ScimError::Other { status, .. } => *status,
            _ => 400,
        }
    }

    /// The `scimType` keyword, for the errors that carry one.
    pub fn scim_type(&self) -> Option<ScimType> {
        Some(match self {
            ScimError::InvalidFilter { .. } => ScimType::InvalidFilter,
            ScimError::TooMany { .. } => ScimType::TooMany,
            ScimError::Uniqueness { .. } => ScimType::Uniqueness,
            ScimError::Mutability { .. } => ScimType::Mutability,
            ScimError::InvalidSyntax { .. } => ScimType::InvalidSyntax,
            ScimError::InvalidPath { .. } => ScimType::InvalidPath,
            ScimError::NoTarget { .. } => ScimType::NoTarget,
            ScimError::InvalidValue { .. } => ScimType::InvalidValue,
            ScimError::InvalidVers { .. } => ScimType::InvalidVers,
            ScimError::Sensitive { .. } => ScimType::Sensitive,
            ScimError::Other { scim_type, .. } => return *scim_type,
            _ => return None,
        })
    }

    /// The human-readable `detail`.
    pub fn detail(&self) -> String {
        self.to_string()
    }

    /// The RFC 7644 §3.12 body: `status` is a string, `scimType` only when there is one.
    pub fn to_body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_MESSAGE],
            "status": self.status().to_string(),
            "detail": self.detail(),
        });
        if let (Some(t), Some(map)) = (self.scim_type(), body.as_object_mut()) {
            map.insert("scimType".into(), Value::String(t.as_str().into()));
        }
        body
    }

    /// Reads an error body some server sent back, leniently: `status` as a string or a number,
    /// `scimType` in any case, `detail` optional. The HTTP status is the fallback for a missing
    /// or unreadable `status`. Unknown scimType keywords are dropped, never fatal.
    pub fn from_body(http_status: u16, body: &Value) -> ScimError {
        let field = |name: &str| {
            body.as_object().and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
        };
        let status = match field("status") {
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        }
        .unwrap_or(http_status);
        let scim_type = field("scimType")
            .and_then(Value::as_str)
            .and_then(ScimType::parse);
        let detail = field("detail")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        ScimError::Other {
            status,
            scim_type,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_string_status_and_scim_type() {
        let body = ScimError::uniqueness("userName", "alice").to_body();
        assert_eq!(
            body,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "409",
                "scimType": "uniqueness",
                "detail": "userName \"alice\" is already taken",
            })
        );
    }

    #[test]
    fn body_without_scim_type() {
        let body = ScimError::not_found("User", "42").to_body();
        assert_eq!(body["status"], "404");
        assert!(body.get("scimType").is_none());
    }

    #[test]
    fn statuses_per_rule() {
        assert_eq!(ScimError::invalid_filter("x").status(), 400);
        assert_eq!(ScimError::sensitive("x").status(), 403);
        assert_eq!(ScimError::read_only("id").status(), 400);
        assert_eq!(
            ScimError::read_only("id").scim_type(),
            Some(ScimType::Mutability)
        );
        assert_eq!(ScimError::precondition_failed("a", "b").status(), 412);
        assert_eq!(ScimError::unauthorized("no token").scim_type(), None);
    }

    #[test]
    fn reads_foreign_bodies() {
        let e = ScimError::from_body(
            400,
            &json!({"status": 409, "scimType": "Uniqueness", "detail": "dup"}),
        );
        assert_eq!(e.status(), 409);
        assert_eq!(e.scim_type(), Some(ScimType::Uniqueness));
        let e = ScimError::from_body(500, &json!("not an object"));
        assert_eq!(e.status(), 500);
        assert_eq!(e.scim_type(), None);
    }
}
