//! The token endpoint: client authentication (client_secret_basic, client_secret_post), the
//! authorization_code grant with PKCE, and the refresh_token grant.
//!
//! A refresh token is issued when the authorization decided so: `offline_access` (Okta, Entra)
//! or Google's `access_type=offline` with `prompt=consent` (S14). Refresh tokens are not
//! rotated. Codes and tokens redeem only at the authorization server that issued them.

use super::authorize::{valid_pkce_value, ChallengeMethod};
use super::claims::{self, ClaimsError, IssuerFacts, LoginFacts};
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::provider::Provider;
use super::{clip, json, no_store, secret_eq, Input};
use crate::next_login::{KeyChoice, NextLogin, OidcOverrides};
use crate::personality::{AccessTokenStyle, IdShape, TokenAuth};
use crate::respond::noted;
use crate::tenant::{Mode, Tenant, TenantKeyError, TokenGrant};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use protocols::jose::attacks::{self, KeySetChange, OidcAttack, Stage, TokenContext};
use protocols::{KeyKind, SigningKey};
use serde_json::json;

/// How long a refresh token stays redeemable.
pub const REFRESH_LIFETIME_DAYS: i64 = 90;

/// A client that proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthedClient {
    pub client_id: String,
    pub method: TokenAuth,
}

/// Why client authentication failed, and whether Basic was tried (which makes it a 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    pub error: OAuthError,
    pub basic_attempted: bool,
}

/// Credentials as presented, before they are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Presented {
    client_id: String,
    secret: String,
    method: TokenAuth,
}

/// RFC 6749 2.3.1: Basic credentials are form-urlencoded before base64.
fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, b64) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(&s.replace('+', " ")).collect();
        String::from_utf8(bytes).ok()
    };
    Some((decode(id)?, decode(secret)?))
}

fn presented(headers: &HeaderMap, form: &Params) -> Result<Presented, AuthFailure> {
    let fail = |basic_attempted, error| AuthFailure {
        error,
        basic_attempted,
    };
    let body_id = form
        .one("client_id")
        .map_err(|e| fail(false, OAuthError::invalid_request(e.to_string())))?;
    let body_secret = form
        .one("client_secret")
        .map_err(|e| fail(false, OAuthError::invalid_request(e.to_string())))?;
    let authz = headers.get(header::AUTHORIZATION);
    match authz {
        Some(value) => {
            let basic = value.to_str().ok().and_then(parse_basic).ok_or_else(|| {
                fail(
                    true,
                    OAuthError::invalid_client("the Authorization header is not valid HTTP Basic"),
                )
            })?;
            if body_secret.is_some() {
                return Err(fail(
                    true,
                    OAuthError::invalid_request(
                        "client authenticated with both client_secret_basic and client_secret_post",
                    ),
                ));
            }
            if body_id.is_some_and(|id| id != basic.0) {
                return Err(fail(
                    true,
                    OAuthError::invalid_client("client_id differs from the Basic credentials"),
                ));
            }
            Ok(Presented {
                client_id: basic.0,
                secret: basic.1,
                method: TokenAuth::ClientSecretBasic,
            })
        }
        None => match (body_id, body_secret) {
            (Some(id), Some(secret)) => Ok(Presented {
                client_id: id.to_string(),
                secret: secret.to_string(),
                method: TokenAuth::ClientSecretPost,
            }),
            (Some(_), None) => Err(fail(
                false,
                OAuthError::invalid_client("client authentication is required (no client_secret)"),
            )),
            _ => Err(fail(
                false,
                OAuthError::invalid_client("client authentication is required"),
            )),
        },
    }
}

/// Authenticate the client of a token request.
pub fn authenticate(
    op: &Provider,
    headers: &HeaderMap,
    form: &Params,
) -> Result<AuthedClient, AuthFailure> {
    let t = op.t;
    let p = presented(headers, form)?;
    let basic_attempted = p.method == TokenAuth::ClientSecretBasic;
    let fail = |d: String| AuthFailure {
        error: OAuthError::invalid_client(d),
        basic_attempted,
    };
    if !op.oidc.token_auth.contains(&p.method) {
        return Err(fail(format!("{} is not supported here", p.method.as_str())));
    }
    match t.oidc_client(&p.client_id) {
        Some(c) => {
            if !secret_eq(&c.client_secret, &p.secret) {
                return Err(fail(format!(
                    "wrong secret for client {}",
                    clip(&p.client_id)
                )));
            }
            if let Some(m) = c.auth_method {
                if m != p.method {
                    return Err(fail(format!(
                        "client {} must authenticate with {}, not {}",
                        clip(&p.client_id),
                        m.as_str(),
                        p.method.as_str()
                    )));
                }
            }
        }
        None if t.mode == Mode::Open => {
            if p.secret.is_empty() {
                return Err(fail("client authentication is required".into()));
            }
        }
        None => return Err(fail(format!("unknown client {}", clip(&p.client_id)))),
    }
    Ok(AuthedClient {
        client_id: p.client_id,
        method: p.method,
    })
}

/// RFC 7636 4.6.
pub fn pkce_matches(challenge: &str, method: &str, verifier: &str) -> bool {
    match method {
        m if m == ChallengeMethod::S256.as_str() => {
            let digest =
                openssl::hash::hash(openssl::hash::MessageDigest::sha256(), verifier.as_bytes())
                    .map(|d| d.to_vec())
                    .unwrap_or_default();
            !digest.is_empty() && secret_eq(&URL_SAFE_NO_PAD.encode(digest), challenge)
        }
        _ => secret_eq(verifier, challenge),
    }
}

/// What a successful grant stands for, before tokens are minted.
struct Grant {
    client_id: String,
    user_id: String,
    scopes: Vec<String>,
    nonce: Option<String>,
    login: NextLogin,
    auth_time: DateTime<Utc>,
    offline: bool,
}

/// Issued tokens, for the answer and the replay bookkeeping.
struct Issued {
    access_token: String,
    refresh_token: Option<String>,
    body: serde_json::Value,
    user_login: String,
}

pub fn token(op: &Provider, input: &Input) -> Response {
    let realm = op.issuer();
    let refuse = |e: OAuthError, basic: bool| {
        let note = format!("token refused: {}", clip(&e.to_string()));
        noted(e.token_response(basic, &realm), note)
    };
    let form = match &input.form {
        Ok(f) => f,
        Err(e) => return refuse(OAuthError::invalid_request(e.to_string()), false),
    };
    if !input.form_content_type_ok {
        return refuse(
            OAuthError::invalid_request("the body must be application/x-www-form-urlencoded"),
            false,
        );
    }
    let client = match authenticate(op, &input.headers, form) {
        Ok(c) => c,
        Err(f) => return refuse(f.error, f.basic_attempted),
    };
    let basic = client.method == TokenAuth::ClientSecretBasic;
    let grant_type = match form.one("grant_type") {
        Ok(Some(g)) => g,
        Ok(None) => return refuse(OAuthError::invalid_request("grant_type is required"), basic),
        Err(e) => return refuse(OAuthError::invalid_request(e.to_string()), basic),
    };
    let outcome = match grant_type {
        "authorization_code" => code_grant(op, &client, form),
        "refresh_token" => refresh_grant(op, &client, form),
        other => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type {:?} is not supported", clip(other)),
        )),
    };
    match outcome {
        Ok(issued) => crate::respond::with_message(
            noted(
                no_store(json(StatusCode::OK, &issued.body)),
                format!(
                    "{grant_type}: tokens issued to {} for client {} ({})",
                    issued.user_login,
                    clip(&client.client_id),
                    client.method.as_str()
                ),
            ),
            "id_token",
            // The id_token is what the console decodes; the access and refresh tokens are
            // credentials and stay out of the log.
            issued.body["id_token"].as_str().unwrap_or("").to_string(),
        ),
        Err(e) => refuse(e, basic),
    }
}

fn code_grant(op: &Provider, client: &AuthedClient, form: &Params) -> Result<Issued, OAuthError> {
    let t = op.t;
    let one = |n: &'static str| {
        form.one(n)
            .map_err(|e| OAuthError::invalid_request(e.to_string()))
    };
    let code = one("code")?.ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let redirect_uri = one("redirect_uri")?;
    let verifier = one("code_verifier")?;
    let now = t.now();
    let grant = {
        let mut st = t.state.lock();
        if let Some(issued) = st.used_codes.get(code).cloned() {
            // RFC 6749 4.1.2: a replayed code revokes what it bought.
            for tok in issued.split(' ') {
                st.access_tokens.remove(tok);
                st.refresh_tokens.remove(tok);
            }
            return Err(OAuthError::invalid_grant(
                "the authorization code was already redeemed; its tokens are revoked",
            ));
        }
        // A code of another authorization server stays redeemable where it was issued.
        if st.codes.get(code).is_some_and(|g| g.server != op.server) {
            return Err(OAuthError::invalid_grant(
                "the code was issued by another authorization server",
            ));
        }
        let grant = st
            .codes
            .remove(code)
            .ok_or_else(|| OAuthError::invalid_grant("unknown authorization code"))?;
        st.used_codes.insert(code.to_string(), String::new());
        grant
    };
    if grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if now >= grant.expires {
        return Err(OAuthError::invalid_grant("the authorization code expired"));
    }
    if redirect_uri != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    match (&grant.code_challenge, verifier) {
        (None, None) => {}
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "code_verifier sent but the authorization request had no code_challenge",
            ))
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is required")),
        (Some((challenge, method)), Some(v)) => {
            if !valid_pkce_value(v) || !pkce_matches(challenge, method, v) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ));
            }
        }
    }
    let issued = issue(
        op,
        Grant {
            client_id: grant.client_id,
            user_id: grant.user_id,
            scopes: grant.scopes,
            nonce: grant.nonce,
            login: grant.login,
            auth_time: grant.auth_time,
            offline: grant.offline,
        },
        None,
        now,
    )?;
    let record = match &issued.refresh_token {
        Some(r) => format!("{} {r}", issued.access_token),
        None => issued.access_token.clone(),
    };
    t.state.lock().used_codes.insert(code.to_string(), record);
    Ok(issued)
}

fn refresh_grant(
    op: &Provider,
    client: &AuthedClient,
    form: &Params,
) -> Result<Issued, OAuthError> {
    let t = op.t;
    let one = |n: &'static str| {
        form.one(n)
            .map_err(|e| OAuthError::invalid_request(e.to_string()))
    };
    let token = one("refresh_token")?
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let now = t.now();
    let grant = t
        .state
        .lock()
        .refresh_tokens
        .get(token)
        .cloned()
        .ok_or_else(|| OAuthError::invalid_grant("unknown or revoked refresh token"))?;
    if grant.server != op.server {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued by another authorization server",
        ));
    }
    if grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if now >= grant.expires {
        return Err(OAuthError::invalid_grant("the refresh token expired"));
    }
    let mut scopes = grant.scopes.clone();
    if let Some(asked) = one("scope")? {
        let asked: Vec<String> = asked
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(extra) = asked.iter().find(|s| !grant.scopes.contains(s)) {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                format!("scope {:?} was not granted originally", clip(extra)),
            ));
        }
        scopes.retain(|s| asked.contains(s));
    }
    issue(
        op,
        Grant {
            client_id: grant.client_id,
            user_id: grant.user_id,
            scopes,
            nonce: grant.nonce,
            login: grant.login,
            auth_time: grant.auth_time,
            offline: true,
        },
        Some(token.to_string()),
        now,
    )
}

/// Mint an access token and an id_token (and a refresh token when the grant is offline and none
/// is being reused).
fn issue(
    op: &Provider,
    g: Grant,
    reuse_refresh: Option<String>,
    now: DateTime<Utc>,
) -> Result<Issued, OAuthError> {
    let t = op.t;
    let p = t.personality();
    let (user, groups) = {
        let st = t.state.lock();
        let user = st
            .directory
            .find(&g.user_id)
            .cloned()
            .ok_or_else(|| OAuthError::invalid_grant("the user no longer exists"))?;
        let groups: Vec<_> = st.directory.groups_of(&user).into_iter().cloned().collect();
        (user, groups)
    };
    if !user.active {
        return Err(OAuthError::invalid_grant(format!(
            "user {} is deactivated",
            user.login
        )));
    }
    let key = t
        .signing_key(g.login.oidc.signing_key.as_ref())
        .map_err(|e| OAuthError::new(ErrorCode::ServerError, e.to_string()))?;
    let issuer = op.issuer();
    let access_lifetime = op.oidc.access_token_lifetime;
    let access_token = match op.oidc.access_token {
        AccessTokenStyle::Opaque => t.ids.token(32),
        AccessTokenStyle::Jwt { audience } => {
            let aud = audience
                .replace("{issuer}", &issuer)
                .replace("{server}", op.server_id().unwrap_or(""));
            let c = claims::access_token_claims(
                &claims::AccessTokenFacts {
                    issuer: &issuer,
                    audience: &aud,
                    jti: IdShape::Prefixed {
                        prefix: "AT.",
                        len: 43,
                    }
                    .make(t.ids.as_ref()),
                    client_id: &g.client_id,
                    user: &user,
                    scopes: &g.scopes,
                    auth_time: g.auth_time,
                },
                now,
                access_lifetime,
            );
            protocols::jose::sign(
                &key,
                &serde_json::Value::Object(c),
                &claims::header_options(op.oidc, &OidcOverrides::default()),
            )
            .map_err(|e| OAuthError::new(ErrorCode::ServerError, e.to_string()))?
        }
    };
    let groups_configured = t.oidc_client(&g.client_id).is_some_and(|c| c.groups_claim);
    let facts = IssuerFacts {
        oidc: op.oidc,
        issuer: &issuer,
        tenant_id: t.id.as_str(),
        domain: &t.domain,
        group_id: p.ids.group,
    };
    let login = LoginFacts {
        user: &user,
        groups: &groups,
        client_id: &g.client_id,
        nonce: g.nonce.as_deref(),
        scopes: &g.scopes,
        auth_time: g.auth_time,
        login: &g.login,
        groups_configured,
    };
    let id_claims = claims::id_token_claims(
        &facts,
        &login,
        Some((&access_token, key.kind())),
        now,
        t.ids.as_ref(),
    )
    .map_err(|e| match e {
        ClaimsError::TooManyGroups { .. } => OAuthError::invalid_request(e.to_string()),
    })?;
    let id_token = protocols::jose::sign(
        &key,
        &serde_json::Value::Object(id_claims),
        &claims::header_options(op.oidc, &g.login.oidc),
    )
    .map_err(|e| OAuthError::new(ErrorCode::ServerError, e.to_string()))?;
    let id_token = match g.login.oidc.attack {
        Some(a) if a.stage() == Stage::Token && reuse_refresh.is_none() => {
            attack_token(t, a, &g.login.oidc, &key, &id_token)?
        }
        _ => id_token,
    };

    let refresh_token = match reuse_refresh {
        Some(r) => Some(r),
        None if g.offline => Some(t.ids.token(48)),
        None => None,
    };
    let token_grant = |expires| TokenGrant {
        server: op.server.clone(),
        client_id: g.client_id.clone(),
        user_id: user.id.clone(),
        scopes: g.scopes.clone(),
        nonce: g.nonce.clone(),
        login: g.login.clone(),
        auth_time: g.auth_time,
        expires,
    };
    {
        let mut st = t.state.lock();
        st.access_tokens.retain(|_, a| a.expires > now);
        st.access_tokens
            .insert(access_token.clone(), token_grant(now + access_lifetime));
        if let Some(r) = &refresh_token {
            st.refresh_tokens.retain(|_, g| g.expires > now);
            st.refresh_tokens
                .entry(r.clone())
                .or_insert_with(|| token_grant(now + Duration::days(REFRESH_LIFETIME_DAYS)));
        }
    }
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": access_lifetime.num_seconds(),
        "scope": g.scopes.join(" "),
        "id_token": id_token,
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(r) = &refresh_token {
            obj.insert("refresh_token".into(), json!(r));
        }
        if op.oidc.ext_expires_in {
            obj.insert(
                "ext_expires_in".into(),
                json!(access_lifetime.num_seconds()),
            );
        }
    }
    Ok(Issued {
        access_token,
        refresh_token,
        body,
        user_login: user.login,
    })
}

/// The catalogue's token attacks (OIDC-SIG-*, KID-*, HASH-1): the key set change the attack
/// needs, then its pure transform. Only the code exchange's id_token is attacked; a refresh of
/// the same grant gets an honest one.
fn attack_token(
    t: &Tenant,
    attack: OidcAttack,
    ov: &OidcOverrides,
    key: &SigningKey,
    token: &str,
) -> Result<String, OAuthError> {
    let server = |e: TenantKeyError| OAuthError::new(ErrorCode::ServerError, e.to_string());
    let mut rotated = None;
    match attack.key_set_change() {
        KeySetChange::None => {}
        KeySetChange::RetireInactive => t.state.lock().keys.retire_inactive(),
        KeySetChange::PublishAnother => {
            if t.state.lock().keys.all().len() < 2 {
                t.rotate_keys(key.kind(), false).map_err(server)?;
            }
        }
        KeySetChange::Rotate => {
            let kid = t.rotate_keys(key.kind(), true).map_err(server)?;
            rotated = Some(t.signing_key(Some(&KeyChoice::Kid(kid))).map_err(server)?);
        }
    }
    let foreign = t.signing_key(Some(&KeyChoice::Foreign)).map_err(server)?;
    let ec_kid = t
        .state
        .lock()
        .keys
        .all()
        .iter()
        .find(|k| k.kind() == KeyKind::Ec)
        .map(|k| k.kid().to_string());
    let ctx = TokenContext {
        key,
        foreign_key: Some(&foreign),
        rotated_key: rotated.as_ref(),
        ec_kid: ec_kid.as_deref(),
        jku: ov.jku.as_deref().unwrap_or(attacks::DEFAULT_JKU),
    };
    attacks::apply(attack, token, &ctx)
        .map_err(|e| OAuthError::new(ErrorCode::ServerError, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let h = format!("Basic {}", STANDARD.encode("my%20client:s%3Acret+x"));
        assert_eq!(
            parse_basic(&h),
            Some(("my client".into(), "s:cret x".into()))
        );
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
        assert_eq!(
            parse_basic(&format!("Basic {}", STANDARD.encode("nocolon"))),
            None
        );
    }

    #[test]
    fn pkce_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(challenge, "S256", verifier));
        assert!(!pkce_matches(
            challenge,
            "S256",
            &verifier.replace('d', "e")
        ));
        assert!(pkce_matches(verifier, "plain", verifier));
    }
}
