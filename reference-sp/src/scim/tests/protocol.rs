//! RFC 7644 behaviour and the server-side catalogue rows [SCIM-9], [SCIMSEC-*].

use axum::body::Body;
use axum::http::header;
use serde_json::{json, Value};

use super::*;

fn alice() -> Value {
    okta_user("alice@example.com", "alice@example.com", "00u1")
}

async fn basic_with_alice() -> (Env, String) {
    let env = Env::new(OrgMode::Basic);
    env.personal("alice", "alice@example.com");
    let id = env.create_user(alice()).await.id();
    (env, id)
}

#[tokio::test]
async fn scimsec_auth_1_missing_wrong_or_foreign_token_is_401_and_changes_nothing() {
    let (env, id) = basic_with_alice().await;
    env.personal("bob", "bob@example.com");
    let other = format!("Bearer {}", env.other_token);
    let bodyless = format!("Bearer {}x", env.token);
    let auths = [
        Auth::None,
        Auth::Header("Bearer wrong-token"),
        Auth::Header(&bodyless),
        Auth::Header("Basic YWxpY2U6cGFzcw=="),
        Auth::Header("Bearer "),
        Auth::Header(&other),
    ];
    for auth in auths {
        for (method, path, body) in [
            ("GET", "/Users".to_string(), None),
            ("GET", format!("/Users/{id}"), None),
            ("GET", "/ServiceProviderConfig".to_string(), None),
            (
                "POST",
                "/Users".to_string(),
                Some(okta_user("bob@example.com", "bob@example.com", "00u2")),
            ),
            (
                "PATCH",
                format!("/Users/{id}"),
                Some(patch(
                    json!([{"op": "replace", "value": {"active": false}}]),
                )),
            ),
            ("DELETE", format!("/Users/{id}"), None),
        ] {
            let before = env.dump();
            let b = env
                .builder(
                    method,
                    &path,
                    match &auth {
                        Auth::None => Auth::None,
                        Auth::Header(h) => Auth::Header(h),
                        Auth::Org => Auth::Org,
                    },
                )
                .header(header::CONTENT_TYPE, "application/scim+json");
            let req = b
                .body(body.map_or_else(Body::empty, |v| Body::from(v.to_string())))
                .expect("request");
            let r = env.call(req).await;
            r.assert_error(401, None);
            assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"scim\""));
            assert_eq!(env.dump(), before, "{method} {path}");
        }
    }
    // The other org's token works on the other org only, and sees none of acme's users.
    let req = axum::http::Request::builder()
        .uri(format!("/scim/v2/organizations/{OTHER_ORG}/Users/{id}"))
        .header(header::AUTHORIZATION, &other)
        .body(Body::empty())
        .expect("request");
    env.call(req).await.assert_error(404, None);
}

#[tokio::test]
async fn discovery_documents_are_served_per_org() {
    let env = Env::new(OrgMode::Managed);
    let spc = env.send("GET", "/ServiceProviderConfig", None).await;
    spc.assert_status(200);
    assert_eq!(spc.body["patch"]["supported"], json!(true));
    assert_eq!(spc.body["etag"]["supported"], json!(true));
    assert_eq!(spc.body["filter"]["maxResults"], json!(200));
    assert_eq!(
        spc.body["meta"]["location"],
        json!(format!("{BASE}/{ORG}/ServiceProviderConfig"))
    );
    let rts = env.send("GET", "/ResourceTypes", None).await;
    assert_eq!(rts.body["totalResults"], json!(2));
    assert_eq!(rts.body["Resources"][0]["endpoint"], json!("/Users"));
    let user = env.send("GET", "/ResourceTypes/User", None).await;
    assert_eq!(user.body["schema"], json!(USER_SCHEMA));
    let schemas = env.send("GET", "/Schemas", None).await;
    assert_eq!(schemas.body["totalResults"], json!(3));
    let ent = env
        .send("GET", &format!("/Schemas/{ENTERPRISE}"), None)
        .await;
    assert_eq!(ent.body["name"], json!("EnterpriseUser"));
    env.send("GET", "/ResourceTypes/Device", None)
        .await
        .assert_error(404, None);
    env.send("GET", "/Schemas/urn:x", None)
        .await
        .assert_error(404, None);
    env.send("GET", "/Nope", None).await.assert_error(404, None);
    env.send("POST", "/Bulk", Some(json!({})))
        .await
        .assert_error(501, None);
    env.send("POST", "/ServiceProviderConfig", Some(json!({})))
        .await
        .assert_error(405, None);
}

#[tokio::test]
async fn scim_9_every_answer_is_scim_json_and_plain_json_is_accepted() {
    let env = Env::new(OrgMode::Managed);
    let mut b = env.builder("POST", "/Users", Auth::Org);
    b = b.header(header::CONTENT_TYPE, "application/json; charset=utf-8");
    let body = json!({"schemas": [USER_SCHEMA], "userName": "carol"}).to_string();
    let created = env.call(b.body(Body::from(body)).expect("req")).await;
    created.assert_status(201);
    let id = created.id();
    let answers = [
        created,
        env.send("GET", &format!("/Users/{id}"), None).await,
        env.send("GET", "/Users", None).await,
        env.send("GET", "/Users/nope", None).await,
        env.send("PATCH", &format!("/Users/{id}"), Some(json!({})))
            .await,
        env.send("DELETE", &format!("/Users/{id}"), None).await,
        env.call(
            env.builder("GET", "/Users", Auth::None)
                .body(Body::empty())
                .expect("req"),
        )
        .await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses, [201, 200, 200, 404, 400, 204, 401]);
    for a in &answers {
        assert_eq!(
            a.header("content-type"),
            Some("application/scim+json"),
            "{a:?}"
        );
    }
    let xml = env
        .builder("POST", "/Users", Auth::Org)
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Body::from("<user/>"))
        .expect("req");
    env.call(xml).await.assert_error(415, None);
}

#[tokio::test]
async fn scim_9_zero_results_is_still_a_list_response() {
    let env = Env::new(OrgMode::Managed);
    for path in [
        format!("/Users?filter={}", enc("userName eq \"nobody\"")),
        "/Users".to_string(),
        format!(
            "/Groups?filter={}&excludedAttributes=members",
            enc("displayName eq \"x\"")
        ),
    ] {
        let r = env.send("GET", &path, None).await;
        r.assert_status(200);
        assert_eq!(
            r.body,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                   "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []})
        );
    }
}

#[tokio::test]
async fn scim_9_unknown_ids_are_404_scim_errors() {
    let env = Env::new(OrgMode::Managed);
    for kind in ["Users", "Groups"] {
        let path = format!("/{kind}/does-not-exist");
        env.refused("GET", &path, None, 404, None).await;
        env.refused("DELETE", &path, None, 404, None).await;
        let p = patch(json!([{"op": "replace", "path": "externalId", "value": "x"}]));
        env.refused("PATCH", &path, Some(p), 404, None).await;
    }
    let put = json!({"schemas": [USER_SCHEMA], "userName": "ghost"});
    env.refused("PUT", "/Users/does-not-exist", Some(put), 404, None)
        .await;
}

#[tokio::test]
async fn post_answers_201_with_location_etag_and_no_password() {
    let (env, id) = basic_with_alice().await;
    let r = env.send("GET", &format!("/Users/{id}"), None).await;
    r.assert_status(200);
    let loc = format!("{BASE}/{ORG}/Users/{id}");
    assert_eq!(r.body["meta"]["location"], json!(loc));
    assert_eq!(r.body["meta"]["resourceType"], json!("User"));
    assert_eq!(r.body["meta"]["created"], json!("2026-01-01T00:00:00Z"));
    assert_eq!(r.body["meta"]["version"], json!("W/\"1\""));
    assert_eq!(r.header("etag"), Some("W/\"1\""));
    assert!(r.body.get("password").is_none());
    assert!(!env.dump().iter().any(|row| row.contains("xK9!rAnd0m")));
    assert_eq!(id.len(), 36, "ids are GUIDs");
    let again = Env::new(OrgMode::Basic);
    again.personal("alice", "alice@example.com");
    let created = again.create_user(alice()).await;
    assert_eq!(
        created.header("location"),
        Some(format!("{BASE}/{ORG}/Users/{}", created.id()).as_str())
    );
    assert_eq!(created.header("etag"), Some("W/\"1\""));
}

#[tokio::test]
async fn scim_9_uniqueness_is_409() {
    let (env, _) = basic_with_alice().await;
    env.personal("alice2", "alice2@example.com");
    env.personal("bob", "bob@example.com");
    // userName compares case-insensitively, externalId exactly.
    let dup_name = okta_user("ALICE@example.com", "alice2@example.com", "00u9");
    let r = env
        .refused("POST", "/Users", Some(dup_name), 409, Some("uniqueness"))
        .await;
    assert!(r.body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("userName")));
    let dup_ext = okta_user("alice2@example.com", "alice2@example.com", "00u1");
    env.refused("POST", "/Users", Some(dup_ext), 409, Some("uniqueness"))
        .await;
    let other_case_ext = okta_user("alice2@example.com", "alice2@example.com", "00U1");
    env.create_user(other_case_ext).await;
    // A rename into someone else's userName.
    let bob = env
        .create_user(okta_user("bob@example.com", "bob@example.com", "00u3"))
        .await;
    let p = patch(json!([{"op": "replace", "path": "externalId", "value": "00u1"}]));
    env.refused(
        "PATCH",
        &format!("/Users/{}", bob.id()),
        Some(p),
        409,
        Some("uniqueness"),
    )
    .await;
    env.create_group("Eng", &[]).await;
    let g = json!({"schemas": [GROUP_SCHEMA], "displayName": "eng"});
    env.refused("POST", "/Groups", Some(g), 409, Some("uniqueness"))
        .await;
}

#[tokio::test]
async fn scimsec_bad_1_malformed_bodies_are_400_with_scim_type_and_change_nothing() {
    let (env, id) = basic_with_alice().await;
    env.personal("bob", "bob@example.com");
    let user = format!("/Users/{id}");
    for body in ["{\"schemas\": [", "", "   ", "not json"] {
        let before = env.dump();
        let req = env
            .builder("POST", "/Users", Auth::Org)
            .header(header::CONTENT_TYPE, "application/scim+json")
            .body(Body::from(body))
            .expect("req");
        env.call(req).await.assert_error(400, Some("invalidSyntax"));
        assert_eq!(env.dump(), before, "{body}");
    }
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let before = env.dump();
    let req = env
        .builder("POST", "/Users", Auth::Org)
        .body(Body::from(deep))
        .expect("req");
    env.call(req).await.assert_error(400, Some("invalidSyntax"));
    assert_eq!(env.dump(), before);

    let bob = |extra: Value| {
        let mut b = okta_user("bob@example.com", "bob@example.com", "00u2");
        for (k, v) in extra.as_object().expect("object") {
            if v.is_null() {
                b.as_object_mut().expect("object").remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!([]), "invalidSyntax"),
        (bob(json!({"schemas": null})), "invalidSyntax"),
        (bob(json!({"schemas": [GROUP_SCHEMA]})), "invalidSyntax"),
        (
            bob(json!({"schemas": [USER_SCHEMA, "urn:evil:schema"]})),
            "invalidSyntax",
        ),
        (bob(json!({"favouriteColour": "teal"})), "invalidSyntax"),
        (bob(json!({"name": {"nickname2": "x"}})), "invalidSyntax"),
        (
            bob(json!({"userName": "a", "USERNAME": "b"})),
            "invalidSyntax",
        ),
        (bob(json!({"active": "yes"})), "invalidValue"),
        (bob(json!({"emails": [{"value": 5}]})), "invalidValue"),
        (bob(json!({"userName": null})), "invalidValue"),
        (bob(json!({"userName": ""})), "invalidValue"),
        (bob(json!({"userName": 42})), "invalidValue"),
    ];
    for (body, t) in cases {
        env.refused("POST", "/Users", Some(body), 400, Some(t))
            .await;
    }
    let put_unknown = {
        let mut a = alice();
        a["favouriteColour"] = json!("teal");
        a
    };
    env.refused("PUT", &user, Some(put_unknown), 400, Some("invalidSyntax"))
        .await;
    let patches: Vec<(Value, &str)> = vec![
        (
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
            "invalidSyntax",
        ),
        (patch(json!([])), "invalidSyntax"),
        (
            patch(json!([{"op": "move", "path": "title", "value": "x"}])),
            "invalidSyntax",
        ),
        (
            patch(json!([{"op": "replace", "path": "title"}])),
            "invalidSyntax",
        ),
        (
            patch(json!([{"op": "replace", "path": "favouriteColour", "value": "x"}])),
            "invalidPath",
        ),
        (
            patch(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
            "invalidPath",
        ),
        (
            patch(json!([{"op": "replace", "path": "active", "value": "maybe"}])),
            "invalidValue",
        ),
        (
            patch(json!([{"op": "replace", "path": "id", "value": "other"}])),
            "mutability",
        ),
        (
            patch(json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}])),
            "mutability",
        ),
        (
            patch(json!([{"op": "remove", "path": "userName"}])),
            "invalidValue",
        ),
        // A valid op followed by a bad one: the whole request is refused.
        (
            patch(json!([{"op": "replace", "path": "title", "value": "CEO"},
                      {"op": "replace", "path": "nope", "value": 1}])),
            "invalidPath",
        ),
    ];
    for (body, t) in patches {
        env.refused("PATCH", &user, Some(body), 400, Some(t)).await;
    }
}

#[tokio::test]
async fn scimsec_bad_1_bodies_over_1_mib_are_413_and_change_nothing() {
    let env = Env::new(OrgMode::Managed);
    let mut big = json!({"schemas": [USER_SCHEMA], "userName": "big-user"});
    big["title"] = json!("x".repeat(1024 * 1024));
    let bytes = big.to_string();
    let before = env.dump();
    // Declared with Content-Length...
    let req = env
        .builder("POST", "/Users", Auth::Org)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .header(header::CONTENT_LENGTH, bytes.len().to_string())
        .body(Body::from(bytes.clone()))
        .expect("req");
    env.call(req).await.assert_error(413, None);
    // ...and without one: the read itself stops at the limit.
    let req = env
        .builder("POST", "/Users", Auth::Org)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .body(Body::from(bytes))
        .expect("req");
    env.call(req).await.assert_error(413, None);
    assert_eq!(env.dump(), before);
    // Just under the limit is fine.
    let mut ok = json!({"schemas": [USER_SCHEMA], "userName": "big-user"});
    ok["title"] = json!("x".repeat(1000 * 1000));
    env.create_user(ok).await;
}

#[tokio::test]
async fn scimsec_flt_1_hostile_filters_are_400_invalid_filter() {
    let (env, _) = basic_with_alice().await;
    let deep = format!("{}userName eq \"a\"{}", "(".repeat(1000), ")".repeat(1000));
    let nested_not = format!("{}userName pr{}", "not (".repeat(100), ")".repeat(100));
    let long = format!("userName eq \"{}\"", "a".repeat(10_000));
    let value_paths = format!(
        "emails[{}type eq \"work\"{}]",
        "(".repeat(64),
        ")".repeat(64)
    );
    for f in [
        deep.as_str(),
        nested_not.as_str(),
        long.as_str(),
        value_paths.as_str(),
        "userName eq",
        "userName eq \"unterminated",
        "userName zz \"x\"",
        "userName eq \"x\" or 1 eq 1",
        "userName eq \"x\"; DROP TABLE scim_users",
        "favouriteColour eq \"teal\"",
        "active gt true",
        "emails[type eq \"work\"",
        "",
    ] {
        let path = format!("/Users?filter={}", enc(f));
        env.refused("GET", &path, None, 400, Some("invalidFilter"))
            .await;
    }
    // Quotes inside a literal are data, never syntax: no match, no error.
    for f in [
        "userName eq \"x' OR '1'='1\"",
        "userName eq \"\\\" or userName pr or \\\"\"",
    ] {
        let r = env
            .send("GET", &format!("/Users?filter={}", enc(f)), None)
            .await;
        r.assert_status(200);
        assert_eq!(r.body["totalResults"], json!(0), "{f}");
    }
    env.refused("GET", "/Users?count=abc", None, 400, Some("invalidValue"))
        .await;
}

#[tokio::test]
async fn scim_9_filters_and_pagination() {
    let env = Env::new(OrgMode::Managed);
    let mut ids = Vec::new();
    for (i, (name, email, title)) in [
        ("ann", "ann@a.example", Some("CEO")),
        ("bea", "bea@b.example", None),
        ("cid", "cid@b.example", Some("CTO")),
        ("dot", "dot@a.example", None),
        ("eve", "eve@b.example", Some("Spy")),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"schemas": [USER_SCHEMA], "userName": name, "externalId": format!("ext-{i}"),
            "emails": [{"value": email, "type": "work", "primary": true},
                       {"value": format!("{name}@home.example"), "type": "home"}]});
        if let Some(t) = title {
            body["title"] = json!(t);
        }
        ids.push(env.create_user(body).await.id());
    }
    let names = |r: &Resp| -> Vec<String> {
        r.body["Resources"]
            .as_array()
            .expect("resources")
            .iter()
            .map(|u| u["userName"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    for (filter, expected) in [
        ("userName eq \"BEA\"", vec!["bea"]),
        ("userName ne \"bea\"", vec!["ann", "cid", "dot", "eve"]),
        ("userName co \"e\"", vec!["bea", "eve"]),
        ("userName sw \"c\"", vec!["cid"]),
        ("title pr", vec!["ann", "cid", "eve"]),
        ("title pr and userName ew \"e\"", vec!["eve"]),
        (
            "userName eq \"ann\" or userName eq \"dot\"",
            vec!["ann", "dot"],
        ),
        ("not (title pr)", vec!["bea", "dot"]),
        (
            "emails[type eq \"work\" and value co \"@b.\"]",
            vec!["bea", "cid", "eve"],
        ),
        (
            "emails.value co \"home\"",
            vec!["ann", "bea", "cid", "dot", "eve"],
        ),
        ("externalId eq \"ext-3\"", vec!["dot"]),
        ("externalId eq \"EXT-3\"", vec![]),
        (&format!("id eq \"{}\"", ids[2]), vec!["cid"]),
        (
            "meta.resourceType eq \"User\" and userName eq \"ann\"",
            vec!["ann"],
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"eve\"",
            vec!["eve"],
        ),
    ] {
        let r = env
            .send("GET", &format!("/Users?filter={}", enc(filter)), None)
            .await;
        r.assert_status(200);
        assert_eq!(names(&r), expected, "{filter}");
        assert_eq!(r.body["totalResults"], json!(expected.len()), "{filter}");
    }
    let r = env.send("GET", "/Users?startIndex=2&count=2", None).await;
    assert_eq!(names(&r), ["bea", "cid"]);
    assert_eq!(
        (
            r.body["totalResults"].clone(),
            r.body["startIndex"].clone(),
            r.body["itemsPerPage"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    let r = env.send("GET", "/Users?startIndex=5&count=100", None).await;
    assert_eq!(names(&r), ["eve"]);
    let r = env.send("GET", "/Users?count=0", None).await;
    assert_eq!(
        (
            r.body["totalResults"].clone(),
            r.body["itemsPerPage"].clone()
        ),
        (json!(5), json!(0))
    );
    let r = env.send("GET", "/Users?startIndex=9", None).await;
    assert_eq!(r.body["Resources"], json!([]));
}

#[tokio::test]
async fn attributes_and_excluded_attributes_shape_the_answer() {
    let (env, id) = basic_with_alice().await;
    let r = env
        .send("GET", "/Users?attributes=userName,name.givenName", None)
        .await;
    assert_eq!(
        r.body["Resources"][0],
        json!({"schemas": [USER_SCHEMA], "id": id, "userName": "alice@example.com",
               "name": {"givenName": "Alice"}})
    );
    let r = env
        .send(
            "GET",
            &format!("/Users/{id}?excludedAttributes=emails,name,meta"),
            None,
        )
        .await;
    assert!(r.body.get("emails").is_none() && r.body.get("meta").is_none());
    assert_eq!(r.body["userName"], json!("alice@example.com"));
    assert_eq!(
        r.header("etag"),
        Some("W/\"1\""),
        "the ETag survives projection"
    );
}

#[tokio::test]
async fn scimsec_conc_1_etags_and_if_match() {
    let (env, id) = basic_with_alice().await;
    let path = format!("/Users/{id}");
    let title = |t: &str| patch(json!([{"op": "replace", "path": "title", "value": t}]));
    let r = env
        .send_with(
            "PATCH",
            &path,
            Some(title("CEO")),
            &[("if-match", "W/\"1\"")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.header("etag"), Some("W/\"2\""));
    assert_eq!(r.body["meta"]["version"], json!("W/\"2\""));
    for (method, body) in [
        ("PATCH", Some(title("CTO"))),
        ("PUT", Some(alice())),
        ("DELETE", None),
    ] {
        let before = env.dump();
        let r = env
            .send_with(method, &path, body, &[("if-match", "W/\"1\"")])
            .await;
        r.assert_error(412, None);
        assert_eq!(env.dump(), before, "{method}");
    }
    let r = env
        .send_with("PATCH", &path, Some(title("CTO")), &[("if-match", "\"2\"")])
        .await;
    r.assert_status(200);
    let r = env
        .send_with("PATCH", &path, Some(title("CFO")), &[("if-match", "*")])
        .await;
    assert_eq!(r.header("etag"), Some("W/\"4\""));
    let r = env
        .send_with("GET", &path, None, &[("if-none-match", "W/\"4\"")])
        .await;
    assert_eq!(r.status.as_u16(), 304);
    let r = env
        .send_with("GET", &path, None, &[("if-none-match", "W/\"3\"")])
        .await;
    r.assert_status(200);
    // A PATCH that changes nothing keeps the version.
    let r = env.send("PATCH", &path, Some(title("CFO"))).await;
    assert_eq!(r.header("etag"), Some("W/\"4\""));
    env.refused("PATCH", &path, None, 400, Some("invalidSyntax"))
        .await;
    let r = env
        .send_with("DELETE", &path, None, &[("if-match", "W/\"4\"")])
        .await;
    r.assert_status(204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scimsec_conc_1_concurrent_patches_lose_no_update() {
    let env = Arc::new(Env::new(OrgMode::Managed));
    let mut users = Vec::new();
    for i in 0..24 {
        let body = json!({"schemas": [USER_SCHEMA], "userName": format!("user-{i}")});
        users.push(env.create_user(body).await.id());
    }
    let gid = env.create_group("Everyone", &[]).await.id();
    let mut tasks = Vec::new();
    for uid in users.clone() {
        let env = env.clone();
        let gid = gid.clone();
        tasks.push(tokio::spawn(async move {
            let p = patch(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]));
            env.send("PATCH", &format!("/Groups/{gid}"), Some(p))
                .await
                .status
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 204);
    }
    let g = env.send("GET", &format!("/Groups/{gid}"), None).await;
    let mut members: Vec<String> = g.body["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["value"].as_str().unwrap_or_default().to_string())
        .collect();
    members.sort();
    users.sort();
    assert_eq!(members, users);
    assert_eq!(g.header("etag"), Some("W/\"25\""));

    // Racing writers that all hold version 1 of a user: exactly one wins, the rest get 412.
    let uid = env
        .create_user(json!({"schemas": [USER_SCHEMA], "userName": "contended"}))
        .await
        .id();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let env = env.clone();
        let path = format!("/Users/{uid}");
        tasks.push(tokio::spawn(async move {
            let p = patch(json!([{"op": "replace", "path": "title", "value": format!("t{i}")}]));
            env.send_with("PATCH", &path, Some(p), &[("if-match", "W/\"1\"")])
                .await
                .status
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.expect("task"));
    }
    codes.sort();
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 412).count(), 15, "{codes:?}");
}
