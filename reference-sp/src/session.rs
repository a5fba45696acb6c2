//! The browser's session: the cookie, and who it stands for right now.
//!
//! A Basic account's platform login lasts until logout; only its org SSO sessions expire
//! [SESS-2]. A managed account's whole platform login hangs on its organisation's SSO session
//! [MODE-2]: once that expires the browser is signed out and must run SSO again.

use crate::domain::access::sso_session_live;
use crate::flaws::{Flaw, Flaws};
use crate::store::accounts::{self, Account};
use crate::store::orgs::{self, Org};
use crate::store::sessions::{self, Session};
use crate::store::StoreError;
use axum::http::{header, HeaderMap, HeaderValue};
use rusqlite::Connection;

pub const COOKIE: &str = "sp_session";

/// The session token from the request's cookies.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session. HttpOnly; `Secure` and `SameSite=None` over https (the SAML
/// response arrives as a cross-site POST), `SameSite=Lax` otherwise.
pub fn set_cookie(token: &str, https: bool) -> HeaderValue {
    let attrs = if https {
        "; Secure; SameSite=None"
    } else {
        "; SameSite=Lax"
    };
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly{attrs}"))
        .unwrap_or_else(|_| HeaderValue::from_static("sp_session=; Path=/"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("sp_session=; Path=/; HttpOnly; Max-Age=0")
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub session: Session,
    pub account: Account,
}

#[derive(Debug, Clone)]
pub enum ViewerState {
    Anonymous,
    /// A managed account whose organisation SSO session expired: SSO must run again.
    Expired {
        org: Org,
    },
    Signed(Viewer),
}

impl ViewerState {
    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            ViewerState::Signed(v) => Some(v),
            _ => None,
        }
    }
}

/// Who the cookie token stands for at `now`.
pub fn resolve(
    c: &Connection,
    token: Option<&str>,
    now: i64,
    flaws: &Flaws,
) -> Result<ViewerState, StoreError> {
    let Some(token) = token else {
        return Ok(ViewerState::Anonymous);
    };
    let Some(session) = sessions::by_token(c, token)? else {
        return Ok(ViewerState::Anonymous);
    };
    let Some(account) = accounts::by_id(c, session.account_id)? else {
        return Ok(ViewerState::Anonymous);
    };
    if !account.active && !flaws.danger(Flaw::KeepSessionsOnDeprovision) {
        return Ok(ViewerState::Anonymous);
    }
    if let Some(org_id) = account.managed_by_org {
        let Some(org) = orgs::by_id(c, org_id)? else {
            return Ok(ViewerState::Anonymous);
        };
        if !org_session_live(c, &session, &org, now, flaws)? {
            return Ok(ViewerState::Expired { org });
        }
    }
    Ok(ViewerState::Signed(Viewer { session, account }))
}

/// Whether the session has a live SSO session with `org`.
pub fn org_session_live(
    c: &Connection,
    session: &Session,
    org: &Org,
    now: i64,
    flaws: &Flaws,
) -> Result<bool, StoreError> {
    Ok(match sessions::org_session(c, &session.id, org.id)? {
        Some(s) => sso_session_live(
            org,
            s.authenticated_at,
            now,
            flaws.danger(Flaw::IgnoreSessionTimeout),
        ),
        None => false,
    })
}
