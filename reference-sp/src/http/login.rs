//! Password login to the platform: Basic (personal) accounts only [BASIC-1]; a managed account
//! has no password login [MAN-1].

use super::body::{form, form_or_json, local_path};
use super::error::{ApiError, ApiResult};
use super::redirect;
use crate::domain::password;
use crate::session;
use crate::state::AppState;
use crate::store::{accounts, sessions};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn form_page(uri: Uri) -> Html<String> {
    let q = form(uri.query().unwrap_or("").as_bytes());
    let rt = q
        .get("return_to")
        .filter(|r| local_path(r))
        .cloned()
        .unwrap_or_default();
    Html(format!(
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body>\
         <h1>Sign in</h1><form method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"return_to\" value=\"{}\">\
         <label>Username or email <input name=\"username\"></label>\
         <label>Password <input type=\"password\" name=\"password\"></label>\
         <button type=\"submit\">Sign in</button></form></body></html>",
        escape(&rt)
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let f = form_or_json(&headers, body).await?;
    let (Some(user), Some(pw)) = (f.get("username"), f.get("password")) else {
        return Err(ApiError::invalid(
            "missing-field",
            "username and password are required",
        ));
    };
    let return_to = match f.get("return_to").filter(|r| !r.is_empty()) {
        Some(r) if local_path(r) => r.clone(),
        Some(r) => {
            return Err(ApiError::invalid(
                "bad-return-to",
                format!("return_to must be a path on this site, got {r:?}"),
            ))
        }
        None => "/whoami".to_string(),
    };
    let now = state.now_secs();
    let token = state.ids().token(32);
    let refused = || ApiError::unauthorized("bad-credentials", "unknown user or wrong password");
    let created = state.store().transact(|c| {
        let account = match accounts::by_username(c, user)? {
            Some(a) => Some(a),
            None => accounts::by_email(c, user)?,
        };
        let Some(account) = account else {
            return Err(refused());
        };
        if account.is_managed() {
            return Err(ApiError::forbidden(
                "managed-account-password-login",
                "managed accounts sign in through their organisation's identity provider",
            ));
        }
        let Some(hash) = accounts::password_hash(c, account.id)? else {
            return Err(refused());
        };
        if !password::verify(pw, &hash) {
            return Err(refused());
        }
        if !account.active {
            return Err(ApiError::forbidden(
                "account-deactivated",
                "the account is deactivated",
            ));
        }
        sessions::create(c, &token, account.id, sessions::SessionKind::Password, now)?;
        Ok(())
    });
    created?;
    let mut r = redirect(StatusCode::SEE_OTHER, &return_to);
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(&token, state.https()),
    );
    Ok(r)
}

/// End the browser's session here. Never a logout request to any IdP [SESS-4].
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session::cookie_token(&headers) {
        state.store().transact(|c| -> ApiResult<()> {
            if let Some(s) = sessions::by_token(c, &token)? {
                sessions::delete(c, &s.id)?;
            }
            Ok(())
        })?;
    }
    let mut r = axum::Json(serde_json::json!({"signed_out": true})).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie());
    Ok(r)
}
