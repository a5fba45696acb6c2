//! SCIM PATCH requests applied to a user: errors, never panics, and id stays put.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocols::scim::patch::{apply_patch, PatchOptions, PatchRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = PatchRequest::from_slice(data) else { return };
    let user = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "u1", "userName": "alice", "active": true,
        "name": {"givenName": "A", "familyName": "B"},
        "emails": [{"value": "a@x", "type": "work", "primary": true}]
    });
    if let Ok(out) = apply_patch(&user, &req, &protocols::scim::schema::USER_RESOURCE, &PatchOptions::default()) {
        assert_eq!(out.resource["id"], "u1");
    }
});
