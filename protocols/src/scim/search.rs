//! The SearchRequest message (RFC 7644 §3.4.3): a query sent as the body of
//! `POST {endpoint}/.search` rather than in the URL.
//!
//! [`SearchRequest::parse`] checks the message's shape only: `schemas` must list
//! [`SEARCH_REQUEST`], members are the seven of §3.4.3 (names in any case, RFC 7643 §2.1),
//! each of its type. Anything else is `invalidSyntax` ("did not conform to the request
//! schema", RFC 7644 Table 9). The values are left as text, so that the server reads them with
//! the same rules as the URL parameters of a GET (filter grammar and bounds, startIndex/count
//! clamping, attribute names).
//!
//! Leniency, for clients that send URL habits in JSON: `startIndex` and `count` may be strings
//! of digits, and `attributes`/`excludedAttributes` may be one comma-separated string.

use serde_json::{json, Map, Value};

use super::error::ScimError;
use super::schema::SEARCH_REQUEST;

/// `sortOrder` (RFC 7644 §3.4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

impl SortOrder {
    /// "ascending" or "descending", in any case.
    pub fn parse(s: &str) -> Option<SortOrder> {
        if s.eq_ignore_ascii_case("ascending") {
            Some(SortOrder::Ascending)
        } else if s.eq_ignore_ascii_case("descending") {
            Some(SortOrder::Descending)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

/// A parsed SearchRequest: each parameter as the text a URL query would carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub attributes: Vec<String>,
    pub excluded_attributes: Vec<String>,
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<SortOrder>,
    /// As sent (a JSON integer's digits, or a string); the server applies its paging rules.
    pub start_index: Option<String>,
    pub count: Option<String>,
}

const MEMBERS: [&str; 8] = [
    "schemas",
    "attributes",
    "excludedAttributes",
    "filter",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
];

fn shown(v: &Value) -> String {
    v.to_string().chars().take(60).collect()
}

fn string_list(name: &str, v: &Value) -> Result<Vec<String>, ScimError> {
    let items: Vec<String> = match v {
        Value::Null => Vec::new(),
        Value::String(s) => s.split(',').map(|x| x.trim().to_string()).collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                    ScimError::invalid_syntax(format!(
                        "{name} must be a list of attribute names, not {}",
                        shown(v)
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(ScimError::invalid_syntax(format!(
                "{name} must be a list of attribute names, not {}",
                shown(other)
            )))
        }
    };
    Ok(items.into_iter().filter(|s| !s.is_empty()).collect())
}

fn text(name: &str, v: &Value) -> Result<Option<String>, ScimError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(ScimError::invalid_syntax(format!(
            "{name} must be a string, not {}",
            shown(other)
        ))),
    }
}

fn integer_text(name: &str, v: &Value) -> Result<Option<String>, ScimError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::String(s) => Ok(Some(s.clone())),
        other => Err(ScimError::invalid_syntax(format!(
            "{name} must be an integer, not {}",
            shown(other)
        ))),
    }
}

impl SearchRequest {
    /// Reads a SearchRequest body (see the module docs).
    pub fn parse(body: &Value) -> Result<SearchRequest, ScimError> {
        let Some(obj) = body.as_object() else {
            return Err(ScimError::invalid_syntax(format!(
                "a SearchRequest must be a JSON object, not {}",
                shown(body)
            )));
        };
        let mut seen: Map<String, Value> = Map::new();
        for (k, v) in obj {
            let Some(canonical) = MEMBERS.iter().find(|m| m.eq_ignore_ascii_case(k)) else {
                let name: String = k.chars().take(60).collect();
                return Err(ScimError::invalid_syntax(format!(
                    "{name:?} is not a SearchRequest parameter (expected one of {})",
                    MEMBERS[1..].join(", ")
                )));
            };
            if seen.insert((*canonical).to_string(), v.clone()).is_some() {
                return Err(ScimError::invalid_syntax(format!(
                    "{canonical} is given twice"
                )));
            }
        }
        let lists_search = seen
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST))
                })
            });
        if !lists_search {
            return Err(ScimError::invalid_syntax(format!(
                "schemas must list {SEARCH_REQUEST}"
            )));
        }
        let null = Value::Null;
        let get = |name: &str| seen.get(name).unwrap_or(&null);
        let sort_order = match text("sortOrder", get("sortOrder"))? {
            None => None,
            Some(s) => Some(SortOrder::parse(&s).ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "sortOrder must be \"ascending\" or \"descending\", not {:?}",
                    s.chars().take(40).collect::<String>()
                ))
            })?),
        };
        Ok(SearchRequest {
            attributes: string_list("attributes", get("attributes"))?,
            excluded_attributes: string_list("excludedAttributes", get("excludedAttributes"))?,
            filter: text("filter", get("filter"))?,
            sort_by: text("sortBy", get("sortBy"))?,
            sort_order,
            start_index: integer_text("startIndex", get("startIndex"))?,
            count: integer_text("count", get("count"))?,
        })
    }

    /// The wire form (for clients and tests).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("schemas".into(), json!([SEARCH_REQUEST]));
        if !self.attributes.is_empty() {
            m.insert("attributes".into(), json!(self.attributes));
        }
        if !self.excluded_attributes.is_empty() {
            m.insert("excludedAttributes".into(), json!(self.excluded_attributes));
        }
        if let Some(f) = &self.filter {
            m.insert("filter".into(), json!(f));
        }
        if let Some(s) = &self.sort_by {
            m.insert("sortBy".into(), json!(s));
        }
        if let Some(o) = self.sort_order {
            m.insert("sortOrder".into(), json!(o.as_str()));
        }
        for (name, v) in [("startIndex", &self.start_index), ("count", &self.count)] {
            if let Some(v) = v {
                let n = v
                    .parse::<i64>()
                    .map_or_else(|_| Value::String(v.clone()), Value::from);
                m.insert(name.into(), n);
            }
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::ScimType;

    fn err(v: Value) -> ScimError {
        SearchRequest::parse(&v).expect_err(&v.to_string())
    }

    #[test]
    fn reads_every_parameter_in_any_case() {
        let r = SearchRequest::parse(&json!({
            "SCHEMAS": [SEARCH_REQUEST],
            "attributes": ["userName", "name.givenName"],
            "ExcludedAttributes": "emails, groups",
            "filter": "userName sw \"a\"",
            "sortBy": "userName",
            "sortOrder": "Descending",
            "startIndex": 3,
            "count": "2"
        }))
        .expect("search request");
        assert_eq!(
            r,
            SearchRequest {
                attributes: vec!["userName".into(), "name.givenName".into()],
                excluded_attributes: vec!["emails".into(), "groups".into()],
                filter: Some("userName sw \"a\"".into()),
                sort_by: Some("userName".into()),
                sort_order: Some(SortOrder::Descending),
                start_index: Some("3".into()),
                count: Some("2".into()),
            }
        );
        assert_eq!(SearchRequest::parse(&r.to_json()).expect("round trip"), r);
    }

    #[test]
    fn only_schemas_is_needed() {
        let r = SearchRequest::parse(&json!({"schemas": [SEARCH_REQUEST]})).expect("minimal");
        assert_eq!(r, SearchRequest::default());
    }

    #[test]
    fn malformed_requests_are_invalid_syntax() {
        for bad in [
            json!([]),
            json!("filter"),
            json!({}),
            json!({"filter": "userName pr"}),
            json!({"schemas": "urn:ietf:params:scim:api:messages:2.0:SearchRequest"}),
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x"}),
            json!({"schemas": [SEARCH_REQUEST], "filtre": "userName pr"}),
            json!({"schemas": [SEARCH_REQUEST], "filter": 7}),
            json!({"schemas": [SEARCH_REQUEST], "attributes": [1]}),
            json!({"schemas": [SEARCH_REQUEST], "attributes": {"a": 1}}),
            json!({"schemas": [SEARCH_REQUEST], "count": true}),
            json!({"schemas": [SEARCH_REQUEST], "startIndex": [1]}),
            json!({"schemas": [SEARCH_REQUEST], "sortBy": 1}),
            json!({"schemas": [SEARCH_REQUEST], "count": 1, "COUNT": 2}),
        ] {
            assert_eq!(
                err(bad.clone()).scim_type(),
                Some(ScimType::InvalidSyntax),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_sort_order_is_invalid_value() {
        let e = err(json!({"schemas": [SEARCH_REQUEST], "sortOrder": "sideways"}));
        assert_eq!(e.scim_type(), Some(ScimType::InvalidValue));
    }
}
