//! `POST /Users/.search` and `POST /Groups/.search` (RFC 7644 §3.4.3): the same answer as the
//! same GET, and bad SearchRequests refused as SCIM errors that change nothing.

use axum::body::Body;
use axum::http::header;
use serde_json::{json, Map, Value};

use super::*;

const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

fn search(params: Value) -> Value {
    let mut b = Map::new();
    b.insert("schemas".into(), json!([SEARCH]));
    if let Value::Object(p) = params {
        b.extend(p);
    }
    Value::Object(b)
}

/// Five Managed users (ann..eve, some with a title) and two groups.
async fn populated() -> (Env, Vec<String>) {
    let env = Env::new(OrgMode::Managed);
    let mut ids = Vec::new();
    for (i, (name, title)) in [
        ("ann", Some("CEO")),
        ("bea", None),
        ("cid", Some("CTO")),
        ("dot", None),
        ("eve", Some("Spy")),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({"schemas": [USER_SCHEMA], "userName": name,
            "externalId": format!("ext-{i}"), "displayName": format!("{name} Display"),
            "emails": [{"value": format!("{name}@a.example"), "type": "work", "primary": true}],
            ENTERPRISE: {"department": format!("Dept {i}")}});
        if let Some(t) = title {
            body["title"] = json!(t);
        }
        ids.push(env.create_user(body).await.id());
    }
    env.create_group("Engineering", &[&ids[0], &ids[1]]).await;
    env.create_group("Sales", &[&ids[2]]).await;
    (env, ids)
}

#[tokio::test]
async fn rfc7644_3_4_3_search_answers_exactly_as_the_same_get() {
    let (env, ids) = populated().await;
    let before = env.dump();
    let dept = format!("{ENTERPRISE}:department");
    let cases: Vec<(&str, String, Value)> = vec![
        ("/Users", String::new(), json!({})),
        (
            "/Users",
            format!("filter={}", enc("userName eq \"CID\"")),
            json!({"filter": "userName eq \"CID\""}),
        ),
        (
            "/Users",
            format!("filter={}&startIndex=2&count=1", enc("title pr")),
            json!({"filter": "title pr", "startIndex": 2, "count": 1}),
        ),
        (
            "/Users",
            "startIndex=4&count=10".into(),
            json!({"startIndex": "4", "count": "10"}),
        ),
        ("/Users", "count=0".into(), json!({"count": 0})),
        ("/Users", "startIndex=99".into(), json!({"startIndex": 99})),
        (
            "/Users",
            format!(
                "filter={}&attributes=userName,name.givenName,{dept}",
                enc(&format!("id eq \"{}\"", ids[3]))
            ),
            json!({"filter": format!("id eq \"{}\"", ids[3]),
                   "attributes": ["userName", "name.givenName", dept]}),
        ),
        (
            "/Users",
            format!("excludedAttributes=emails,groups,{ENTERPRISE}"),
            json!({"excludedAttributes": ["emails", "groups", ENTERPRISE]}),
        ),
        (
            "/Users",
            format!("filter={}", enc(&format!("{dept} eq \"Dept 4\""))),
            json!({"filter": format!("{dept} eq \"Dept 4\""), "sortBy": "userName",
                   "sortOrder": "ascending"}),
        ),
        (
            "/Groups",
            format!("filter={}", enc("displayName eq \"sales\"")),
            json!({"filter": "displayName eq \"sales\""}),
        ),
        (
            "/Groups",
            "excludedAttributes=members".into(),
            json!({"excludedAttributes": ["members"]}),
        ),
        (
            "/Groups",
            format!(
                "filter={}",
                enc(&format!("members.value eq \"{}\"", ids[1]))
            ),
            json!({"filter": format!("members.value eq \"{}\"", ids[1])}),
        ),
    ];
    for (endpoint, query, params) in cases {
        let get = env.send("GET", &format!("{endpoint}?{query}"), None).await;
        get.assert_status(200);
        let post = env
            .send(
                "POST",
                &format!("{endpoint}/.search"),
                Some(search(params.clone())),
            )
            .await;
        post.assert_status(200);
        assert_eq!(
            post.header("content-type"),
            Some("application/scim+json"),
            "{params}"
        );
        assert_eq!(post.body, get.body, "{endpoint} {params}");
        assert!(post.header("location").is_none());
    }
    // The answers are not vacuous: spot-check a few against the data.
    let r = env
        .send(
            "POST",
            "/Users/.search",
            Some(search(
                json!({"filter": "title pr", "startIndex": 2, "count": 1}),
            )),
        )
        .await;
    assert_eq!(
        (
            r.body["totalResults"].clone(),
            r.body["startIndex"].clone(),
            r.body["itemsPerPage"].clone(),
            r.body["Resources"][0]["userName"].clone()
        ),
        (json!(3), json!(2), json!(1), json!("cid"))
    );
    let r = env
        .send(
            "POST",
            "/Users/.search",
            Some(search(json!({"filter": format!("id eq \"{}\"", ids[3]),
                "attributes": ["userName", format!("{ENTERPRISE}:department")]}))),
        )
        .await;
    assert_eq!(
        r.body["Resources"][0],
        json!({"schemas": [USER_SCHEMA, ENTERPRISE], "id": ids[3], "userName": "dot",
               ENTERPRISE: {"department": "Dept 3"}})
    );
    let r = env
        .send(
            "POST",
            "/Groups/.search",
            Some(search(json!({"filter": "displayName eq \"sales\""}))),
        )
        .await;
    assert_eq!(r.body["totalResults"], json!(1));
    assert_eq!(r.body["Resources"][0]["displayName"], json!("Sales"));
    assert_eq!(env.dump(), before, "searches are queries: nothing changed");
}

/// Sends `text` to `path` and checks a SCIM error that changed nothing.
async fn refused_text(env: &Env, path: &str, text: &str, status: u16, scim_type: Option<&str>) {
    let before = env.dump();
    let req = env
        .builder("POST", path, Auth::Org)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .body(Body::from(text.to_string()))
        .expect("request");
    let r = env.call(req).await;
    r.assert_error(status, scim_type);
    assert_eq!(
        env.dump(),
        before,
        "POST {path} {text:.80} changed the database"
    );
}

#[tokio::test]
async fn scimsec_bad_1_bad_search_requests_are_scim_errors_and_change_nothing() {
    let (env, _) = populated().await;
    for path in ["/Users/.search", "/Groups/.search"] {
        for text in [
            "",
            "   ",
            "{\"schemas\": [",
            "not json",
            "[]",
            "\"filter\"",
            "{}",
        ] {
            refused_text(&env, path, text, 400, Some("invalidSyntax")).await;
        }
    }
    let long = format!("userName eq \"{}\"", "x".repeat(8 * 1024));
    let deep = format!("{}userName eq \"a\"{}", "(".repeat(100), ")".repeat(100));
    let cases: Vec<(Value, &str)> = vec![
        (json!({"filter": "userName pr"}), "invalidSyntax"),
        (
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "filter": "userName pr"}),
            "invalidSyntax",
        ),
        // A User sent to /.search is not created.
        (
            okta_user("zed@example.com", "zed@example.com", "00uz"),
            "invalidSyntax",
        ),
        (search(json!({"filtre": "userName pr"})), "invalidSyntax"),
        (search(json!({"userName": "zed"})), "invalidSyntax"),
        (search(json!({"filter": 7})), "invalidSyntax"),
        (search(json!({"filter": ["userName pr"]})), "invalidSyntax"),
        (search(json!({"attributes": [1, 2]})), "invalidSyntax"),
        (search(json!({"count": true})), "invalidSyntax"),
        (search(json!({"startIndex": {"n": 1}})), "invalidSyntax"),
        (search(json!({"count": 1, "Count": 2})), "invalidSyntax"),
        (search(json!({"filter": "userName eq"})), "invalidFilter"),
        (
            search(json!({"filter": "nickname2 eq \"x\""})),
            "invalidFilter",
        ),
        (search(json!({"filter": long})), "invalidFilter"),
        (search(json!({"filter": deep})), "invalidFilter"),
        (search(json!({"count": "ten"})), "invalidValue"),
        (search(json!({"startIndex": 1.5})), "invalidValue"),
        (search(json!({"sortOrder": "sideways"})), "invalidValue"),
    ];
    for (body, scim_type) in cases {
        let r = env
            .refused(
                "POST",
                "/Users/.search",
                Some(body.clone()),
                400,
                Some(scim_type),
            )
            .await;
        assert!(
            r.body["detail"].as_str().is_some_and(|d| d.len() < 400),
            "a short detail: {}",
            r.body["detail"]
        );
    }
    // A Group body to /Groups/.search, and a Users-only attribute in a Groups filter.
    env.refused(
        "POST",
        "/Groups/.search",
        Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "New"})),
        400,
        Some("invalidSyntax"),
    )
    .await;
    env.refused(
        "POST",
        "/Groups/.search",
        Some(search(json!({"filter": "userName eq \"ann\""}))),
        400,
        Some("invalidFilter"),
    )
    .await;
}

#[tokio::test]
async fn search_keeps_the_http_rules_of_every_scim_request() {
    let (env, _) = populated().await;
    let body = search(json!({"filter": "userName pr"})).to_string();
    // No token: 401 before the body is read.
    let before = env.dump();
    let req = env
        .builder("POST", "/Users/.search", Auth::None)
        .header(header::CONTENT_TYPE, "application/scim+json")
        .body(Body::from(body.clone()))
        .expect("request");
    env.call(req).await.assert_error(401, None);
    // Another media type: 415.
    let req = env
        .builder("POST", "/Users/.search", Auth::Org)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(body.clone()))
        .expect("request");
    env.call(req).await.assert_error(415, None);
    // Plain JSON is accepted, as on every endpoint.
    let req = env
        .builder("POST", "/Users/.search", Auth::Org)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .expect("request");
    let r = env.call(req).await;
    r.assert_status(200);
    assert_eq!(r.body["totalResults"], json!(5));
    // Over 1 MiB: 413.
    let huge = search(json!({"filter": format!("userName eq \"{}\"", "x".repeat(1024 * 1024))}));
    env.refused("POST", "/Users/.search", Some(huge), 413, None)
        .await;
    // Other methods on /.search, and the root search this server does not offer.
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        env.send(method, "/Users/.search", None)
            .await
            .assert_error(405, None);
    }
    env.refused("POST", "/.search", Some(search(json!({}))), 501, None)
        .await;
    assert_eq!(env.dump(), before);
}
