//! The static discovery documents (RFC 7644 §4, RFC 7643 §5-7): ServiceProviderConfig,
//! ResourceTypes and Schemas, each a function of the SCIM base URL (e.g.
//! `https://sp.example/scim/v2`, with or without a trailing slash).

use serde_json::{json, Value};

use super::schema::{
    ResourceSchema, SchemaDef, ENTERPRISE_USER, GROUP, GROUP_RESOURCE, RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, USER, USER_RESOURCE,
};

fn base(url: &str) -> &str {
    url.trim_end_matches('/')
}

/// What this core supports: PATCH, filtering (at most `max_results` results), ETags; no bulk,
/// sort or password change; OAuth bearer tokens. RFC 7643 §5 has no flag for
/// `POST /.search`: `filter` covers queries in both forms (URL and SearchRequest body).
pub fn service_provider_config(base_url: &str, max_results: usize) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token minted for the organisation",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", base(base_url))
        }
    })
}

fn resource_type_doc(base_url: &str, r: &ResourceSchema) -> Value {
    let extensions: Vec<Value> = r
        .extensions
        .iter()
        .map(|e| json!({"schema": e.id, "required": false}))
        .collect();
    let mut doc = json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": r.name,
        "name": r.name,
        "endpoint": r.endpoint,
        "description": r.core.description,
        "schema": r.core.id,
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/{}", base(base_url), r.name)
        }
    });
    if !extensions.is_empty() {
        doc["schemaExtensions"] = Value::Array(extensions);
    }
    doc
}

/// The `/ResourceTypes` entries: User (with the enterprise extension) and Group.
pub fn resource_types(base_url: &str) -> Vec<Value> {
    [&USER_RESOURCE, &GROUP_RESOURCE]
        .into_iter()
        .map(|r| resource_type_doc(base_url, r))
        .collect()
}

/// `/ResourceTypes/{name}`.
pub fn resource_type(base_url: &str, name: &str) -> Option<Value> {
    [&USER_RESOURCE, &GROUP_RESOURCE]
        .into_iter()
        .find(|r| r.name == name)
        .map(|r| resource_type_doc(base_url, r))
}

fn schema_doc(base_url: &str, s: &SchemaDef) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "attributes": s.attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", base(base_url), s.id)
        }
    })
}

/// The `/Schemas` entries: User, Group and EnterpriseUser, rendered from the same attribute
/// table that drives filtering and PATCH.
pub fn schemas(base_url: &str) -> Vec<Value> {
    [&USER, &GROUP, &ENTERPRISE_USER]
        .into_iter()
        .map(|s| schema_doc(base_url, s))
        .collect()
}

/// `/Schemas/{urn}`.
pub fn schema(base_url: &str, id: &str) -> Option<Value> {
    [&USER, &GROUP, &ENTERPRISE_USER]
        .into_iter()
        .find(|s| s.id == id)
        .map(|s| schema_doc(base_url, s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::ENTERPRISE_USER_SCHEMA;

    #[test]
    fn service_provider_config_shape() {
        let c = service_provider_config("https://sp.example/scim/v2/", 200);
        assert_eq!(c["filter"], json!({"supported": true, "maxResults": 200}));
        assert_eq!(c["patch"]["supported"], json!(true));
        assert_eq!(c["etag"]["supported"], json!(true));
        for off in ["bulk", "sort", "changePassword"] {
            assert_eq!(c[off]["supported"], json!(false), "{off}");
        }
        assert_eq!(
            c["authenticationSchemes"][0]["type"],
            json!("oauthbearertoken")
        );
        assert_eq!(
            c["meta"]["location"],
            json!("https://sp.example/scim/v2/ServiceProviderConfig")
        );
    }

    #[test]
    fn resource_types_shape() {
        let rts = resource_types("https://sp/scim");
        assert_eq!(rts.len(), 2);
        assert_eq!(rts[0]["endpoint"], json!("/Users"));
        assert_eq!(
            rts[0]["schemaExtensions"],
            json!([{"schema": ENTERPRISE_USER_SCHEMA, "required": false}])
        );
        assert!(rts[1].get("schemaExtensions").is_none());
        assert_eq!(
            resource_type("https://sp/scim", "Group").map(|g| g["meta"]["location"].clone()),
            Some(json!("https://sp/scim/ResourceTypes/Group"))
        );
        assert!(resource_type("https://sp/scim", "Device").is_none());
    }

    #[test]
    fn schemas_shape() {
        let all = schemas("https://sp/scim");
        assert_eq!(all.len(), 3);
        let user = &all[0];
        let attrs = user["attributes"].as_array().expect("attributes");
        let user_name = attrs
            .iter()
            .find(|a| a["name"] == "userName")
            .expect("userName");
        assert_eq!(user_name["uniqueness"], json!("server"));
        assert_eq!(user_name["required"], json!(true));
        assert_eq!(user_name["caseExact"], json!(false));
        assert_eq!(user_name["type"], json!("string"));
        let emails = attrs
            .iter()
            .find(|a| a["name"] == "emails")
            .expect("emails");
        assert_eq!(emails["multiValued"], json!(true));
        assert_eq!(emails["subAttributes"][3]["type"], json!("boolean"));
        let groups = attrs
            .iter()
            .find(|a| a["name"] == "groups")
            .expect("groups");
        assert_eq!(groups["mutability"], json!("readOnly"));
        let ent = schema("https://sp/scim", ENTERPRISE_USER_SCHEMA).expect("enterprise");
        assert_eq!(ent["name"], json!("EnterpriseUser"));
        let members = &all[1]["attributes"][1];
        assert_eq!(members["subAttributes"][1]["name"], json!("$ref"));
        assert_eq!(
            members["subAttributes"][1]["referenceTypes"],
            json!(["User", "Group"])
        );
        // Server-computed (docs/scim-probes.md): a client can tell from the schema.
        assert_eq!(members["subAttributes"][2]["name"], json!("display"));
        assert_eq!(members["subAttributes"][2]["mutability"], json!("readOnly"));
    }
}
