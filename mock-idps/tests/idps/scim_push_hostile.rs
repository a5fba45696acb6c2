//! SCIM push clients against a hostile SCIM server: its garbage becomes findings, never a panic.

use crate::scim_push::*;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use mock_idps::scim_push::*;
use parking_lot::Mutex;
use protocols::SeededIds;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// A hostile SCIM server: garbage answers become findings

/// What the stub saw: (method, path and query, headers, body).
type Seen = Arc<Mutex<Vec<(String, String, axum::http::HeaderMap, String)>>>;

fn scim(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

fn empty_list() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
           "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []})
}

/// Each first path segment picks a misbehaviour; `well` behaves.
async fn hostile(
    State(seen): State<Seen>,
    Path((mode, _rest)): Path<(String, String)>,
    req: Request,
) -> Response {
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    seen.lock().push((method.clone(), uri, headers, body));
    let get = method == "GET";
    match mode.as_str() {
        "hang" => std::future::pending::<Response>().await,
        "notjson" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>it works!</html>",
        )
            .into_response(),
        "500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "strcount" => scim(
            StatusCode::OK,
            json!({"totalResults": "0", "itemsPerPage": "0", "Resources": []}),
        ),
        "empty201" if get => scim(StatusCode::OK, empty_list()),
        "empty201" => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/scim+json")],
        )
            .into_response(),
        "noid" if get => scim(StatusCode::OK, empty_list()),
        "noid" => scim(StatusCode::CREATED, json!({"userName": "x"})),
        "200create" if get => scim(StatusCode::OK, empty_list()),
        "200create" => scim(StatusCode::OK, json!({"id": "u-1", "userName": "x"})),
        "html404" => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<h1>Not Found</h1>",
        )
            .into_response(),
        "redirect" => (
            StatusCode::FOUND,
            [(header::LOCATION, "https://evil.example/")],
        )
            .into_response(),
        "jsonct" if get => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            empty_list().to_string(),
        )
            .into_response(),
        "big" => scim(StatusCode::OK, json!({"pad": "x".repeat(5 << 20)})),
        _ if get => scim(StatusCode::OK, empty_list()),
        _ => scim(StatusCode::CREATED, json!({"id": "u-1", "userName": "x"})),
    }
}

async fn stub() -> (String, Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/{mode}/{*rest}", axum::routing::any(hostile))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen, task)
}

fn client(d: DialectId, base: &str, mode: &str) -> ScimPushClient {
    ScimPushClient::new(d, format!("{base}/{mode}"), "stub-token")
        .with_ids(Arc::new(SeededIds::new(3)))
        .with_timeout(Duration::from_millis(300))
}

fn kinds(o: &PushOutcome) -> Vec<FindingKind> {
    o.findings.iter().map(|f| f.kind).collect()
}

#[tokio::test]
async fn garbage_answers_become_findings_with_the_request_and_the_answer() {
    let (base, _seen, task) = stub().await;
    let assign = ScimEvent::Assign { user: alice() };
    let cases: [(DialectId, &str, &[FindingKind], bool); 10] = [
        (
            OKTA_OIN,
            "notjson",
            &[FindingKind::WrongContentType, FindingKind::NotJson],
            false,
        ),
        (OKTA_OIN, "500", &[FindingKind::ServerError], false),
        (OKTA_OIN, "strcount", &[FindingKind::BadListResponse], false),
        (OKTA_OIN, "empty201", &[FindingKind::EmptyBody], false),
        (ENTRA, "noid", &[FindingKind::MissingId], false),
        (
            OKTA_OIN,
            "200create",
            &[FindingKind::UnexpectedStatus],
            true,
        ),
        (ENTRA, "html404", &[FindingKind::NotScimError], false),
        (OKTA_OIN, "redirect", &[FindingKind::Redirect], false),
        (ENTRA, "jsonct", &[FindingKind::WrongContentType], true),
        (OKTA_OIN, "big", &[FindingKind::BodyTooLarge], false),
    ];
    for (d, mode, want, done) in cases {
        let mut c = client(d, &base, mode);
        let o = c.push(&assign).await;
        assert_eq!(kinds(&o), want, "{d} {mode}: {o:#?}");
        assert_eq!(
            o.status == EventStatus::Done,
            done,
            "{d} {mode}: {:?}",
            o.status
        );
        for f in &o.findings {
            assert!(f.request.url.contains(mode), "{f:?}");
            assert!(!f.detail.is_empty());
            let x = o
                .exchanges
                .iter()
                .find(|x| x.seq == f.seq)
                .expect("its exchange");
            assert_eq!((&f.request, &f.response), (&x.request, &x.response));
        }
        let last = o.exchanges.last().expect("an exchange");
        assert!(last.response.is_some(), "{mode}: the answer is recorded");
    }
    // Okta reads a 404 to its lookup as "absent" and creates; Entra's 404 is refused above.
    let mut c = client(OKTA_OIN, &base, "html404");
    let o = c.push(&assign).await;
    assert_eq!(o.exchanges.len(), 2, "{o:#?}");
    assert!(matches!(o.status, EventStatus::Refused { status: 404, .. }));
    // Okta takes application/json.
    let o = client(OKTA_OIN, &base, "jsonct").push(&assign).await;
    assert!(o.is_clean(), "{o:#?}");
    task.abort();
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_the_run_goes_on() {
    let (base, seen, task) = stub().await;
    let mut c = client(OKTA_OIN, &base, "hang");
    let outcomes = c
        .push_all(&[
            ScimEvent::Assign { user: alice() },
            ScimEvent::Deactivate {
                user: "00u-alice".into(),
            },
            ScimEvent::Assign { user: bob() },
        ])
        .await;
    assert_eq!(
        kinds(&outcomes[0]),
        [FindingKind::Timeout],
        "{:#?}",
        outcomes[0]
    );
    assert!(matches!(outcomes[0].status, EventStatus::Failed { .. }));
    let x = &outcomes[0].exchanges[0];
    assert!(x.response.is_none() && x.error.is_some(), "{x:?}");
    assert!(
        matches!(outcomes[1].status, EventStatus::Skipped { .. }),
        "never provisioned: {:?}",
        outcomes[1].status
    );
    assert!(outcomes[1].exchanges.is_empty());
    assert_eq!(kinds(&outcomes[2]), [FindingKind::Timeout]);
    assert_eq!(seen.lock().len(), 2, "two lookups reached the server");
    // Nobody listening at all: a transport finding.
    let mut c = ScimPushClient::new(OKTA_OIN, "http://127.0.0.1:9/scim", "t")
        .with_timeout(Duration::from_millis(300));
    let o = c.push(&ScimEvent::TestConnection).await;
    assert!(
        matches!(
            kinds(&o)[..],
            [FindingKind::Transport] | [FindingKind::Timeout]
        ),
        "{o:#?}"
    );
    task.abort();
}

#[tokio::test]
async fn the_wire_carries_the_dialect_headers_and_the_bearer_token() {
    let (base, seen, task) = stub().await;
    for d in DialectId::ALL {
        seen.lock().clear();
        let o = client(d, &base, "well")
            .push(&ScimEvent::Assign { user: alice() })
            .await;
        assert!(o.is_clean(), "{d}: {o:#?}");
        let seen = seen.lock();
        assert_eq!(seen.len(), 2, "{d}");
        for (method, _, h, _) in seen.iter() {
            let hv = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
            assert_eq!(hv("user-agent"), d.dialect().user_agent, "{d}");
            assert_eq!(hv("accept"), d.dialect().accept, "{d}");
            assert_eq!(hv("authorization"), "Bearer stub-token", "{d}");
            if method == "POST" {
                assert_eq!(hv("content-type"), d.dialect().content_type, "{d}");
            }
        }
        let (_, uri, _, body) = &seen[1];
        assert!(uri.ends_with("/well/Users"), "{uri}");
        assert_eq!(
            serde_json::from_str::<Value>(body).expect("json")["externalId"],
            "00u-alice"
        );
    }
    let o = client(ENTRA, &base, "well")
        .with_user_agent("Custom/2.0")
        .push(&ScimEvent::TestConnection)
        .await;
    assert!(o.exchanges[0]
        .request
        .headers
        .contains(&("user-agent".into(), "Custom/2.0".into())));
    task.abort();
}
