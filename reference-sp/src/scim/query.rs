//! Query parameters of list requests: `filter`, `startIndex`/`count` (RFC 7644 §3.4.2) and
//! `attributes`/`excludedAttributes` (§3.4.2.5, Entra's `excludedAttributes=members`), from
//! the URL of a GET or from the SearchRequest body of `POST /.search` (§3.4.3). Both go
//! through [`ListQuery::from_raw`], so a search reads exactly as the same GET would.
//!
//! Parameter names match case-insensitively; the first occurrence wins. Values are decoded as
//! forms are, so a literal '+' in a filter must arrive as `%2B` (Okta and Entra encode it). Filters are parsed
//! under protocols' length and depth bounds and must name attributes of the resource type, so
//! hostile or mistyped filters are 400 `invalidFilter` [SCIMSEC-FLT-1]. `sortBy` and
//! `sortOrder` are ignored (ServiceProviderConfig says sort is not supported); a search body
//! must still give them as strings, and `sortOrder` as ascending or descending.

use std::collections::BTreeMap;

use protocols::scim::schema::Container;
use protocols::scim::{
    AttrPath, Filter, PageRequest, ResourceSchema, ScimError, SearchRequest, UnknownAttributes,
};
use serde_json::{Map, Value};

/// Largest page served (ServiceProviderConfig `filter.maxResults`).
pub const MAX_RESULTS: usize = 200;
/// Page size when the client sends no `count`.
pub const DEFAULT_COUNT: usize = 100;

/// The decoded query string.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed list request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    pub page: PageRequest,
    pub projection: Projection,
}

/// The raw text of each list parameter, wherever it came from.
struct RawQuery<'a, I: Iterator<Item = &'a str>> {
    filter: Option<&'a str>,
    start_index: Option<&'a str>,
    count: Option<&'a str>,
    attributes: I,
    excluded: I,
}

impl ListQuery {
    /// From the URL of `GET /Users` or `GET /Groups`.
    pub fn parse(params: &Params, schema: &ResourceSchema) -> Result<ListQuery, ScimError> {
        let names = |name: &str| params.get(name).unwrap_or_default().split(',');
        ListQuery::from_raw(
            RawQuery {
                filter: params.get("filter"),
                start_index: params.get("startIndex"),
                count: params.get("count"),
                attributes: names("attributes"),
                excluded: names("excludedAttributes"),
            },
            schema,
        )
    }

    /// From the body of `POST /Users/.search` or `POST /Groups/.search`.
    pub fn from_search(
        search: &SearchRequest,
        schema: &ResourceSchema,
    ) -> Result<ListQuery, ScimError> {
        ListQuery::from_raw(
            RawQuery {
                filter: search.filter.as_deref(),
                start_index: search.start_index.as_deref(),
                count: search.count.as_deref(),
                attributes: strs(&search.attributes),
                excluded: strs(&search.excluded_attributes),
            },
            schema,
        )
    }

    fn from_raw<'a, I: Iterator<Item = &'a str>>(
        raw: RawQuery<'a, I>,
        schema: &ResourceSchema,
    ) -> Result<ListQuery, ScimError> {
        let filter = match raw.filter {
            None => None,
            Some(text) => {
                let f = Filter::parse(text)?;
                f.validate(schema, UnknownAttributes::Refuse)?;
                Some(f)
            }
        };
        let page = PageRequest::parse(raw.start_index, raw.count, DEFAULT_COUNT, MAX_RESULTS)?;
        Ok(ListQuery {
            filter,
            page,
            projection: Projection::from_names(raw.attributes, raw.excluded, schema)?,
        })
    }
}

fn strs(v: &[String]) -> impl Iterator<Item = &str> + '_ {
    v.iter().map(String::as_str)
}

/// Where a projected attribute lives: the top level or an extension object.
type Slot = (Option<&'static str>, String);

/// `attributes` / `excludedAttributes`. Names no schema defines are ignored.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    /// Each attribute asked for, with the sub-attributes asked for (`None`: all of it).
    attributes: BTreeMap<Slot, Option<Vec<String>>>,
    excluded: BTreeMap<Slot, Option<Vec<String>>>,
    /// The resource type's extension URNs.
    extensions: Vec<&'static str>,
}

fn slot(p: &AttrPath, schema: &ResourceSchema) -> Option<(Slot, Option<String>)> {
    // The extension URN alone parses as uri "...:2.0" and name "User".
    if let (Some(uri), None) = (&p.uri, &p.sub_attr) {
        if let Some(ext) = schema.extension(&format!("{uri}:{}", p.name)) {
            return Some(((None, ext.id.to_string()), None));
        }
    }
    let container = schema.container_for(p.uri.as_deref())?;
    let def = schema.attribute(container, &p.name)?;
    let holder = match container {
        Container::Core => None,
        Container::Extension(e) => Some(e.id),
    };
    let sub = p.sub_attr.as_ref().map(|s| {
        def.sub_attribute(s)
            .map_or_else(|| s.clone(), |d| d.name.to_string())
    });
    Some(((holder, def.name.to_string()), sub))
}

fn parse_list<'a>(
    names: impl Iterator<Item = &'a str>,
    schema: &ResourceSchema,
) -> Result<BTreeMap<Slot, Option<Vec<String>>>, ScimError> {
    let mut out: BTreeMap<Slot, Option<Vec<String>>> = BTreeMap::new();
    for name in names.map(str::trim) {
        if name.is_empty() {
            continue;
        }
        let Some((slot, sub)) = slot(&AttrPath::parse(name)?, schema) else {
            continue;
        };
        match (out.get_mut(&slot), sub) {
            (Some(Some(subs)), Some(s)) => subs.push(s),
            (Some(entry), None) => *entry = None,
            (Some(None), Some(_)) => {}
            (None, sub) => {
                out.insert(slot, sub.map(|s| vec![s]));
            }
        }
    }
    Ok(out)
}

fn keep_subs(v: &Value, subs: &[String]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| subs.iter().any(|s| s == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| keep_subs(i, subs)).collect()),
        other => other.clone(),
    }
}

fn drop_subs(v: &mut Value, subs: &[String]) {
    match v {
        Value::Object(m) => m.retain(|k, _| !subs.iter().any(|s| s == k)),
        Value::Array(items) => items.iter_mut().for_each(|i| drop_subs(i, subs)),
        _ => {}
    }
}

impl Projection {
    /// From the URL of a GET.
    pub fn parse(params: &Params, schema: &ResourceSchema) -> Result<Projection, ScimError> {
        let names = |name: &str| params.get(name).unwrap_or_default().split(',');
        Projection::from_names(names("attributes"), names("excludedAttributes"), schema)
    }

    fn from_names<'a>(
        attributes: impl Iterator<Item = &'a str>,
        excluded: impl Iterator<Item = &'a str>,
        schema: &ResourceSchema,
    ) -> Result<Projection, ScimError> {
        Ok(Projection {
            attributes: parse_list(attributes, schema)?,
            excluded: parse_list(excluded, schema)?,
            extensions: schema.extensions.iter().map(|e| e.id).collect(),
        })
    }

    /// Applies the projection to a rendered resource. `schemas` and `id` are always returned;
    /// `schemas` keeps an extension's URN only while some of its attributes are left.
    pub fn apply(&self, resource: &mut Value) {
        if self.attributes.is_empty() && self.excluded.is_empty() {
            return;
        }
        self.project(resource);
        let Some(m) = resource.as_object_mut() else {
            return;
        };
        let present: Vec<String> = m.keys().cloned().collect();
        if let Some(Value::Array(urns)) = m.get_mut("schemas") {
            urns.retain(|u| {
                u.as_str().is_none_or(|u| {
                    !self.extensions.iter().any(|e| e.eq_ignore_ascii_case(u))
                        || present.iter().any(|k| k.eq_ignore_ascii_case(u))
                })
            });
        }
    }

    fn project(&self, resource: &mut Value) {
        let Some(m) = resource.as_object_mut() else {
            return;
        };
        if !self.attributes.is_empty() {
            let mut out = Map::new();
            for key in ["schemas", "id"] {
                if let Some(v) = m.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
            for ((holder, name), subs) in &self.attributes {
                let src = match holder {
                    None => Some(&*m),
                    Some(urn) => m.get(*urn).and_then(Value::as_object),
                };
                let Some(v) = src.and_then(|s| s.get(name)) else {
                    continue;
                };
                let picked = match subs {
                    None => v.clone(),
                    Some(subs) => keep_subs(v, subs),
                };
                match holder {
                    None => {
                        out.insert(name.clone(), picked);
                    }
                    Some(urn) => {
                        let ext = out
                            .entry(urn.to_string())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Some(e) = ext.as_object_mut() {
                            e.insert(name.clone(), picked);
                        }
                    }
                }
            }
            *m = out;
        }
        for ((holder, name), subs) in &self.excluded {
            if name == "id" {
                continue;
            }
            let target = match holder {
                None => Some(&mut *m),
                Some(urn) => m.get_mut(*urn).and_then(Value::as_object_mut),
            };
            let Some(t) = target else { continue };
            match subs {
                None => {
                    t.remove(name);
                }
                Some(subs) => {
                    if let Some(v) = t.get_mut(name) {
                        drop_subs(v, subs);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::scim::{
        ScimType, ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE, USER_RESOURCE, USER_SCHEMA,
    };
    use serde_json::json;

    fn user() -> Value {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1",
               "userName": "a", "name": {"givenName": "A", "familyName": "B"},
               "emails": [{"value": "a@x", "type": "work"}],
               ENTERPRISE_USER_SCHEMA: {"department": "D", "costCenter": "C"},
               "meta": {"resourceType": "User"}})
    }

    fn project(q: &str, schema: &ResourceSchema, v: Value) -> Value {
        let p = Projection::parse(&Params::parse(Some(q)), schema).expect("projection");
        let mut v = v;
        p.apply(&mut v);
        v
    }

    #[test]
    fn attributes_keep_schemas_id_and_what_was_asked() {
        let v = project(
            "attributes=userName,name.givenName,EMAILS.value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            &USER_RESOURCE,
            user(),
        );
        assert_eq!(
            v,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1",
                   "userName": "a", "name": {"givenName": "A"}, "emails": [{"value": "a@x"}],
                   ENTERPRISE_USER_SCHEMA: {"department": "D"}})
        );
    }

    #[test]
    fn schemas_keep_an_extension_only_while_its_attributes_are_returned() {
        let mut u = user();
        u["schemas"] = json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
        for (q, want) in [
            ("attributes=userName", json!([USER_SCHEMA])),
            (
                &format!("attributes=userName,{ENTERPRISE_USER_SCHEMA}:department") as &str,
                json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]),
            ),
            (
                &format!("excludedAttributes={ENTERPRISE_USER_SCHEMA}"),
                json!([USER_SCHEMA]),
            ),
            (
                "excludedAttributes=emails",
                json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]),
            ),
            ("", json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA])),
        ] {
            assert_eq!(
                project(q, &USER_RESOURCE, u.clone())["schemas"],
                want,
                "{q}"
            );
        }
    }

    #[test]
    fn excluded_attributes_drop_members_and_never_id() {
        let g = json!({"id": "g", "displayName": "Eng", "members": [{"value": "1"}]});
        let v = project("excludedAttributes=members,id", &GROUP_RESOURCE, g);
        assert_eq!(v, json!({"id": "g", "displayName": "Eng"}));
        let v = project(
            &format!("excludedAttributes=name.familyName,{ENTERPRISE_USER_SCHEMA}"),
            &USER_RESOURCE,
            user(),
        );
        assert_eq!(v["name"], json!({"givenName": "A"}));
        assert!(v.get(ENTERPRISE_USER_SCHEMA).is_none());
    }

    #[test]
    fn list_query_bounds() {
        let q = ListQuery::parse(
            &Params::parse(Some("COUNT=1000&startindex=0")),
            &USER_RESOURCE,
        )
        .expect("query");
        assert_eq!((q.page.start_index, q.page.count), (1, MAX_RESULTS));
        let deep = format!(
            "filter={}userName eq \"a\"{}",
            "(".repeat(100),
            ")".repeat(100)
        );
        for bad in [
            deep.as_str(),
            "filter=userName eq",
            "filter=nickname2 eq \"x\"",
        ] {
            let e = ListQuery::parse(&Params::parse(Some(bad)), &USER_RESOURCE).expect_err(bad);
            assert_eq!(e.scim_type(), Some(ScimType::InvalidFilter), "{bad}");
        }
    }
}
