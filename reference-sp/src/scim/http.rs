//! The HTTP layer: routes, bearer authentication, body reading, transactions, and the mapping
//! of outcomes to status codes, headers and `application/scim+json` bodies.
//!
//! Each request authenticates first (401 before the body is read), then reads at most
//! [`MAX_BODY`] bytes, then runs its operation in one IMMEDIATE transaction under the
//! connection mutex, on the blocking pool. The transaction commits only when the operation
//! succeeds, so every error leaves SCIM and platform state as they were.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use parking_lot::Mutex;
use protocols::scim::{
    check_if_match, discovery, ETag, IfMatch, ListResponse, PatchRequest, ResourceSchema,
    ScimError, SearchRequest, CONTENT_TYPE, GROUP_RESOURCE, USER_RESOURCE,
};
use rusqlite::{Connection, TransactionBehavior};
use serde_json::Value;

use super::error::Error;
use super::query::{ListQuery, Params, Projection, MAX_RESULTS};
use super::store;
use super::{groups, users, Ctx, Rendered, ScimState};
use crate::flaws::Flaw;

/// Largest request body accepted (413 beyond) [SCIMSEC-BAD-1].
pub const MAX_BODY: usize = 1024 * 1024;

/// The SCIM router for `/{org}/...`; nest it at `/scim/v2/organizations`.
pub fn router(state: ScimState) -> Router {
    Router::new()
        .route("/{org}/ServiceProviderConfig", get(service_provider_config))
        .route("/{org}/ResourceTypes", get(resource_types))
        .route("/{org}/ResourceTypes/{name}", get(resource_type))
        .route("/{org}/Schemas", get(schemas))
        .route("/{org}/Schemas/{urn}", get(schema))
        .route(
            "/{org}/Users",
            get(|s, p, q, h| list(Kind::User, s, p, q, h))
                .post(|s, p, h, b| create(Kind::User, s, p, h, b)),
        )
        .route(
            "/{org}/Users/.search",
            post(|s, p, h, b| search(Kind::User, s, p, h, b)),
        )
        .route(
            "/{org}/Users/{id}",
            get(|s, p, q, h| fetch(Kind::User, s, p, q, h))
                .put(|s, p, h, b| replace(Kind::User, s, p, h, b))
                .patch(|s, p, h, b| patch(Kind::User, s, p, h, b))
                .delete(|s, p, h| delete(Kind::User, s, p, h)),
        )
        .route(
            "/{org}/Groups",
            get(|s, p, q, h| list(Kind::Group, s, p, q, h))
                .post(|s, p, h, b| create(Kind::Group, s, p, h, b)),
        )
        .route(
            "/{org}/Groups/.search",
            post(|s, p, h, b| search(Kind::Group, s, p, h, b)),
        )
        .route(
            "/{org}/Groups/{id}",
            get(|s, p, q, h| fetch(Kind::Group, s, p, q, h))
                .put(|s, p, h, b| replace(Kind::Group, s, p, h, b))
                .patch(|s, p, h, b| patch(Kind::Group, s, p, h, b))
                .delete(|s, p, h| delete(Kind::Group, s, p, h)),
        )
        .route("/{org}/Bulk", axum::routing::any(not_implemented))
        .route("/{org}/Me", axum::routing::any(not_implemented))
        .route("/{org}/.search", post(root_search_not_implemented))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Group,
}

impl Kind {
    fn schema(self) -> &'static ResourceSchema {
        match self {
            Kind::User => &USER_RESOURCE,
            Kind::Group => &GROUP_RESOURCE,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

/// A successful SCIM answer.
struct Answer {
    status: StatusCode,
    body: Option<Value>,
    etag: Option<u64>,
    location: Option<String>,
}

impl Answer {
    fn json(status: StatusCode, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            etag: None,
            location: None,
        }
    }

    fn resource(status: StatusCode, r: Rendered) -> Answer {
        Answer {
            status,
            body: Some(r.json),
            etag: Some(r.version),
            location: Some(r.location),
        }
    }
}

fn scim_headers(status: StatusCode, body: Option<&Value>) -> Response {
    let mut resp = match body {
        // The same bytes as `b.to_string()`, without the `fmt` machinery in between.
        Some(b) => (status, serde_json::to_vec(b).unwrap_or_default()).into_response(),
        None => status.into_response(),
    };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    resp
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut resp = scim_headers(self.status, self.body.as_ref());
        let h = resp.headers_mut();
        if let Some(v) = self.etag {
            if let Ok(v) = HeaderValue::from_str(&protocols::scim::etag::weak(v)) {
                h.insert(header::ETAG, v);
            }
        }
        if let Some(loc) = self.location.filter(|_| self.status == StatusCode::CREATED) {
            if let Ok(v) = HeaderValue::from_str(&loc) {
                h.insert(header::LOCATION, v);
            }
        }
        resp
    }
}

/// A SCIM Error answer.
struct Failure(ScimError);

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Self {
        Failure(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e.to_scim())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = scim_headers(status, Some(&self.0.to_body()));
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"scim\""),
            );
        }
        resp
    }
}

type Outcome = Result<Answer, Failure>;

async fn not_found() -> Failure {
    Failure(ScimError::Other {
        status: 404,
        scim_type: None,
        detail: "no such SCIM endpoint".into(),
    })
}

async fn method_not_allowed() -> Failure {
    Failure(ScimError::Other {
        status: 405,
        scim_type: None,
        detail: "method not allowed on this SCIM endpoint".into(),
    })
}

async fn not_implemented() -> Failure {
    Failure(ScimError::not_implemented(
        "bulk operations and /Me are not supported",
    ))
}

/// RFC 7644 §3.4.3 lets a server search every resource type at the root; this one searches
/// per endpoint only, and says so with the status Table 8 gives an unsupported operation.
async fn root_search_not_implemented() -> Failure {
    Failure(ScimError::not_implemented(
        "search at the root is not supported: POST /Users/.search or /Groups/.search",
    ))
}

// ---------------------------------------------------------------------------------------------
// Plumbing

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Runs `f` on the connection: right here when the connection is free (one short
/// transaction, no hand-off to another thread and back), else on the blocking pool, where
/// waiting for the lock cannot stall the runtime.
async fn blocking<T, F>(state: &ScimState, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
{
    let outcome = match run_if_free(&state.conn, f) {
        Ok(done) => done,
        Err(f) => {
            let conn = state.conn.clone();
            tokio::task::spawn_blocking(move || f(&mut conn.lock()))
                .await
                .map_err(Aborted::Join)
        }
    };
    match outcome {
        Ok(r) => r.map_err(Failure::from),
        Err(e) => {
            tracing::error!(error = %e, "SCIM operation panicked");
            Err(Failure(ScimError::Other {
                status: 500,
                scim_type: None,
                detail: "internal error".into(),
            }))
        }
    }
}

/// Why a store operation did not finish (it is logged; the client gets a plain 500).
#[derive(Debug, thiserror::Error)]
enum Aborted {
    #[error("the operation panicked")]
    Panicked,
    #[error(transparent)]
    Join(tokio::task::JoinError),
}

/// `f` run under the lock if nobody holds it (a panic caught, as the blocking pool would),
/// else `f` back untouched. Synchronous, so the guard never lives across an await.
#[allow(clippy::type_complexity)]
fn run_if_free<T, F>(conn: &Mutex<Connection>, f: F) -> Result<Result<Result<T, Error>, Aborted>, F>
where
    F: FnOnce(&mut Connection) -> Result<T, Error>,
{
    let Some(mut guard) = conn.try_lock() else {
        return Err(f);
    };
    let run = std::panic::AssertUnwindSafe(move || f(&mut guard));
    Ok(std::panic::catch_unwind(run).map_err(|_| Aborted::Panicked))
}

/// 401 unless the request carries one of `org`'s tokens [SCIMSEC-AUTH-1].
async fn authenticate(state: &ScimState, org: &str, headers: &HeaderMap) -> Result<(), Failure> {
    let Some(token) = bearer(headers).map(str::to_string) else {
        return Err(Failure(ScimError::unauthorized(
            "a bearer token is required",
        )));
    };
    let org = org.to_string();
    let ok = blocking(state, move |c| Ok(store::token_valid(c, &org, &token)?)).await?;
    if ok {
        Ok(())
    } else {
        Err(Failure(ScimError::unauthorized(
            "the bearer token is not valid for this organisation",
        )))
    }
}

/// Runs `f` in one transaction for `org`, committed only on success.
async fn transact<T, F>(state: &ScimState, org: String, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&Ctx<'_>) -> Result<T, Error> + Send + 'static,
{
    let st = state.clone();
    blocking(state, move |conn| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mode) = st.platform.org_mode(&tx, &org)? else {
            return Err(ScimError::unauthorized("the organisation no longer exists").into());
        };
        let ctx = Ctx {
            tx: &tx,
            platform: st.platform.as_ref(),
            org: &org,
            mode,
            now: st.clock.now(),
            ids: st.ids.as_ref(),
            flaws: &st.flaws,
            base_url: &st.base_url,
        };
        let out = f(&ctx)?;
        tx.commit()?;
        Ok(out)
    })
    .await
}

/// Reads a JSON body: SCIM or plain JSON media type, at most [`MAX_BODY`] bytes.
async fn read_json(headers: &HeaderMap, body: Body) -> Result<Value, Failure> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let essence = ct
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence != CONTENT_TYPE && essence != "application/json" {
            return Err(Failure(ScimError::Other {
                status: 415,
                scim_type: None,
                detail: format!("send {CONTENT_TYPE} or application/json"),
            }));
        }
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(Failure(ScimError::PayloadTooLarge { limit: MAX_BODY }));
    }
    // In-process the only read error is the limit: a vanished client gets no answer anyway.
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Failure(ScimError::PayloadTooLarge { limit: MAX_BODY }))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure(ScimError::invalid_syntax(
            "the request body is empty",
        )));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure(ScimError::invalid_syntax(format!(
            "the body is not valid JSON: {e}"
        )))
    })
}

fn if_match(headers: &HeaderMap) -> Result<Option<String>, Failure> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.to_string()))
            .map_err(|_| Failure(ScimError::invalid_value("If-Match is not ASCII"))),
    }
}

/// A strict server's op check, on only under `Flaw::ScimPatchCaseSensitive`: Entra's
/// "Replace" is refused as an unknown op.
fn insecure_case_sensitive_ops(body: &Value) -> Result<(), ScimError> {
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, op) in ops.iter().enumerate() {
        if let Some(name) = op.get("op").and_then(Value::as_str) {
            if !["add", "replace", "remove"].contains(&name) {
                return Err(ScimError::invalid_syntax(format!(
                    "operation {i}: unknown op {name:?} (expected add, replace or remove)"
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Discovery

async fn service_provider_config(
    State(s): State<ScimState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let base = super::org_base(&s.base_url, &org);
    Ok(Answer::json(
        StatusCode::OK,
        discovery::service_provider_config(&base, MAX_RESULTS),
    ))
}

async fn resource_types(
    State(s): State<ScimState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let base = super::org_base(&s.base_url, &org);
    let list = ListResponse::complete(discovery::resource_types(&base));
    Ok(Answer::json(StatusCode::OK, to_value(&list)))
}

async fn resource_type(
    State(s): State<ScimState>,
    Path((org, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let base = super::org_base(&s.base_url, &org);
    discovery::resource_type(&base, &name)
        .map(|v| Answer::json(StatusCode::OK, v))
        .ok_or_else(|| Failure(ScimError::not_found("ResourceType", name)))
}

async fn schemas(
    State(s): State<ScimState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let base = super::org_base(&s.base_url, &org);
    let list = ListResponse::complete(discovery::schemas(&base));
    Ok(Answer::json(StatusCode::OK, to_value(&list)))
}

async fn schema(
    State(s): State<ScimState>,
    Path((org, urn)): Path<(String, String)>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let base = super::org_base(&s.base_url, &org);
    discovery::schema(&base, &urn)
        .map(|v| Answer::json(StatusCode::OK, v))
        .ok_or_else(|| Failure(ScimError::not_found("Schema", urn)))
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------------
// Users and Groups

async fn list(
    kind: Kind,
    State(s): State<ScimState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let query = ListQuery::parse(&Params::parse(q.as_deref()), kind.schema())?;
    respond_list(kind, &s, org, query).await
}

/// `POST /Users/.search` and `POST /Groups/.search` (RFC 7644 §3.4.3): the SearchRequest body
/// read as the same GET's parameters, answered as that GET would be. A query: it writes
/// nothing, and a refused one is refused before the store is touched.
async fn search(
    kind: Kind,
    State(s): State<ScimState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let body = read_json(&headers, body).await?;
    let request = SearchRequest::parse(&body)?;
    let query = ListQuery::from_search(&request, kind.schema())?;
    respond_list(kind, &s, org, query).await
}

async fn respond_list(kind: Kind, s: &ScimState, org: String, query: ListQuery) -> Outcome {
    let filter = query.filter.clone();
    let base = s.base_url.clone();
    let all = transact(s, org, move |ctx| match kind {
        Kind::User => users::list(ctx.tx, &base, ctx.org, filter.as_ref()),
        Kind::Group => groups::list(ctx.tx, &base, ctx.org, filter.as_ref()),
    })
    .await?;
    let mut page = query.page.respond(&all);
    for r in &mut page.resources {
        query.projection.apply(r);
    }
    Ok(Answer::json(StatusCode::OK, to_value(&page)))
}

async fn fetch(
    kind: Kind,
    State(s): State<ScimState>,
    Path((org, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let projection = Projection::parse(&Params::parse(q.as_deref()), kind.schema())?;
    let mut r = transact(&s, org, move |ctx| current(ctx, kind, &id)?.render(ctx)).await?;
    if let Some(h) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        if IfMatch::parse(h).is_ok_and(|m| m.matches(&ETag::weak_version(r.version))) {
            return Ok(Answer {
                status: StatusCode::NOT_MODIFIED,
                body: None,
                etag: Some(r.version),
                location: None,
            });
        }
    }
    projection.apply(&mut r.json);
    Ok(Answer::resource(StatusCode::OK, r))
}

async fn create(
    kind: Kind,
    State(s): State<ScimState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let body = read_json(&headers, body).await?;
    let r = transact(&s, org, move |ctx| match kind {
        Kind::User => {
            let row = users::create(ctx, &body)?;
            users::render_owned(ctx.tx, ctx.base_url, ctx.org, row)
        }
        Kind::Group => {
            let row = groups::create(ctx, &body)?;
            groups::render(ctx.tx, ctx.base_url, ctx.org, &row)
        }
    })
    .await?;
    Ok(Answer::resource(StatusCode::CREATED, r))
}

/// The stored resource `id` of `kind`, or 404.
enum Current {
    User(store::UserRow),
    Group(store::GroupRow),
}

impl Current {
    fn version(&self) -> u64 {
        match self {
            Current::User(u) => u.version,
            Current::Group(g) => g.version,
        }
    }

    fn render(&self, ctx: &Ctx<'_>) -> Result<Rendered, Error> {
        match self {
            Current::User(u) => users::render(ctx.tx, ctx.base_url, ctx.org, u),
            Current::Group(g) => groups::render(ctx.tx, ctx.base_url, ctx.org, g),
        }
    }

    /// The If-Match precondition [SCIMSEC-CONC-1].
    fn check(&self, header: Option<&str>) -> Result<(), ScimError> {
        check_if_match(header, &ETag::weak_version(self.version()))
    }
}

fn current(ctx: &Ctx<'_>, kind: Kind, id: &str) -> Result<Current, Error> {
    let found = match kind {
        Kind::User => store::user(ctx.tx, ctx.org, id)?.map(Current::User),
        Kind::Group => store::group(ctx.tx, ctx.org, id)?.map(Current::Group),
    };
    found.ok_or_else(|| ScimError::not_found(kind.schema().name, id).into())
}

async fn replace(
    kind: Kind,
    State(s): State<ScimState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let precondition = if_match(&headers)?;
    let body = read_json(&headers, body).await?;
    let r = transact(&s, org, move |ctx| {
        let cur = current(ctx, kind, &id)?;
        cur.check(precondition.as_deref())?;
        match cur {
            Current::User(u) => {
                let row = users::replace(ctx, u, &body)?;
                users::render(ctx.tx, ctx.base_url, ctx.org, &row)
            }
            Current::Group(g) => {
                let row = groups::replace(ctx, g, &body)?;
                groups::render(ctx.tx, ctx.base_url, ctx.org, &row)
            }
        }
    })
    .await?;
    Ok(Answer::resource(StatusCode::OK, r))
}

async fn patch(
    kind: Kind,
    State(s): State<ScimState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let precondition = if_match(&headers)?;
    let body = read_json(&headers, body).await?;
    if s.flaws.danger(Flaw::ScimPatchCaseSensitive) {
        insecure_case_sensitive_ops(&body)?;
    }
    let request = PatchRequest::parse(&body)?;
    let r = transact(&s, org, move |ctx| {
        let cur = current(ctx, kind, &id)?;
        cur.check(precondition.as_deref())?;
        match cur {
            Current::User(u) => {
                let row = users::patch(ctx, u, &request)?;
                users::render(ctx.tx, ctx.base_url, ctx.org, &row).map(Ok)
            }
            // 204 without a body: rendering the group (every member) would be thrown away.
            Current::Group(g) => Ok(Err(groups::patch(ctx, g, &request)?.version)),
        }
    })
    .await?;
    Ok(match r {
        Ok(rendered) => Answer::resource(StatusCode::OK, rendered),
        // Entra expects 204 for Group PATCH; the ETag still says which version resulted.
        Err(version) => Answer {
            status: StatusCode::NO_CONTENT,
            body: None,
            etag: Some(version),
            location: None,
        },
    })
}

async fn delete(
    kind: Kind,
    State(s): State<ScimState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Outcome {
    authenticate(&s, &org, &headers).await?;
    let precondition = if_match(&headers)?;
    transact(&s, org, move |ctx| {
        let cur = current(ctx, kind, &id)?;
        cur.check(precondition.as_deref())?;
        match cur {
            Current::User(u) => users::delete(ctx, u),
            Current::Group(g) => groups::delete(ctx, g),
        }
    })
    .await?;
    Ok(Answer {
        status: StatusCode::NO_CONTENT,
        body: None,
        etag: None,
        location: None,
    })
}
