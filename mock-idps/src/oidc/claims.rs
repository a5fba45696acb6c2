//! What an id_token and a userinfo answer say: pure functions of the tenant's facts, the user,
//! the authorization (client, nonce, scopes, auth_time), the next-login overrides, `now` and an id
//! generator. Nothing here reads tenant state or the clock, so a snapshot pins it completely.

use crate::directory::{Group, User};
use crate::next_login::{NextLogin, OidcOverrides};
use crate::personality::{FixedClaim, GroupLimit, GroupValue, IdShape, OidcPersonality, UserField};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use protocols::jose::HeaderOptions;
use protocols::{IdGen, KeyKind};
use serde_json::{json, Map, Value};

/// `NextLogin.extra_groups` is clamped here so that a careless override cannot allocate without
/// bound.
pub const MAX_EXTRA_GROUPS: usize = 10_000;

/// Facts about the issuing tenant.
#[derive(Debug, Clone, Copy)]
pub struct IssuerFacts<'a> {
    pub oidc: &'a OidcPersonality,
    /// The `iss` value.
    pub issuer: &'a str,
    pub tenant_id: &'a str,
    /// Hosted domain (Google `hd`).
    pub domain: &'a str,
    /// Shape of synthetic group ids.
    pub group_id: IdShape,
}

/// One authorization: who, for which client, with what.
#[derive(Debug, Clone, Copy)]
pub struct LoginFacts<'a> {
    pub user: &'a User,
    /// The user's directory groups, resolved.
    pub groups: &'a [Group],
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    pub scopes: &'a [String],
    pub auth_time: DateTime<Utc>,
    pub login: &'a NextLogin,
    /// The client is configured to receive groups (see `OidcClient::groups_claim`).
    pub groups_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    /// Okta refuses to mint a token whose groups claim would list more than 100 groups.
    #[error("the {claim} claim would carry {count} groups; at most {max} are allowed")]
    TooManyGroups {
        claim: &'static str,
        count: usize,
        max: usize,
    },
}

/// The `sub` of `user_id` as `client_id` sees it.
pub fn subject(style: crate::personality::SubjectStyle, user_id: &str, client_id: &str) -> String {
    match style {
        crate::personality::SubjectStyle::UserId => user_id.to_string(),
        // Entra's pairwise sub: 43 base64url characters, stable per (user, app).
        crate::personality::SubjectStyle::Pairwise => {
            URL_SAFE_NO_PAD.encode(sha256(format!("{user_id}\n{client_id}").as_bytes()))
        }
    }
}

/// Okta's `idp` claim (`00o` + 17 characters), derived from the tenant so it stays put.
pub fn idp_id(tenant_id: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let h = sha256(format!("idp\n{tenant_id}").as_bytes());
    let tail: String = h
        .iter()
        .take(17)
        .map(|b| char::from(A[*b as usize % A.len()]))
        .collect();
    format!("00o{tail}")
}

fn sha256(data: &[u8]) -> Vec<u8> {
    // SHA-256 over a byte slice cannot fail short of an OpenSSL allocation failure; an empty
    // digest would then still give a well-formed (if constant) value rather than a panic.
    openssl::hash::hash(openssl::hash::MessageDigest::sha256(), data)
        .map(|d| d.to_vec())
        .unwrap_or_default()
}

/// `NextLogin.extra_groups` synthetic groups: `idpsim-extra-001`, ... with ids of the vendor's
/// shape.
pub fn synthetic_groups(count: usize, shape: IdShape, ids: &dyn IdGen) -> Vec<Group> {
    (1..=count.min(MAX_EXTRA_GROUPS))
        .map(|i| Group {
            id: shape.make(ids),
            name: format!("idpsim-extra-{i:03}"),
        })
        .collect()
}

fn released(scope: Option<&str>, scopes: &[String]) -> bool {
    scope.is_none_or(|s| scopes.iter().any(|g| g == s))
}

/// The value of a directory field as a claim; None when the user has nothing there.
fn field_value(field: UserField, f: &IssuerFacts, l: &LoginFacts) -> Option<Value> {
    let u = l.user;
    let s = |v: &str| (!v.is_empty()).then(|| Value::String(v.to_string()));
    match field {
        UserField::Login => s(&u.login),
        UserField::Email => s(&u.email),
        UserField::Id => s(&u.id),
        UserField::GivenName => s(&u.given_name),
        UserField::FamilyName => s(&u.family_name),
        UserField::DisplayName => s(&u.display_name),
        UserField::Groups => {
            let v = group_values(f.oidc.groups_value, l.groups);
            (!v.is_empty()).then(|| json!(v))
        }
        UserField::Roles => (!u.roles.is_empty()).then(|| json!(u.roles)),
        UserField::TenantId => s(f.tenant_id),
        UserField::IdpName => s(f.issuer),
        UserField::AuthnMethods => Some(json!(["pwd"])),
    }
}

fn group_values(kind: GroupValue, groups: &[Group]) -> Vec<String> {
    groups
        .iter()
        .map(|g| match kind {
            GroupValue::Name => g.name.clone(),
            GroupValue::Id => g.id.clone(),
        })
        .collect()
}

/// Where a set of claims goes: the id_token leaves out the vendor's userinfo-only claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    IdToken,
    Userinfo,
}

/// Profile claims released by the granted scopes, then the user's extra attributes (one value:
/// a string; several: an array) where they do not collide with a vendor claim.
fn profile_claims(f: &IssuerFacts, l: &LoginFacts, to: Audience, out: &mut Map<String, Value>) {
    for (name, field, scope) in f.oidc.profile_claims {
        if to == Audience::IdToken && f.oidc.userinfo_only_claims.contains(name) {
            continue;
        }
        if released(*scope, l.scopes) {
            if let Some(v) = field_value(*field, f, l) {
                out.insert((*name).to_string(), v);
            }
        }
    }
    for (name, values) in &l.user.attributes {
        let v = match values.as_slice() {
            [] => continue,
            [one] => json!(one),
            many => json!(many),
        };
        out.entry(name.clone()).or_insert(v);
    }
}

/// The groups claim (or Entra's overage pointer) per the vendor's rules.
fn groups_claim(
    f: &IssuerFacts,
    l: &LoginFacts,
    extra: &[Group],
    out: &mut Map<String, Value>,
) -> Result<(), ClaimsError> {
    let Some(claim) = f.oidc.groups_claim else {
        return Ok(());
    };
    if !released(f.oidc.groups_scope, l.scopes)
        || (f.oidc.groups_need_client_setting && !l.groups_configured)
    {
        return Ok(());
    }
    let mut values = group_values(f.oidc.groups_value, l.groups);
    values.extend(group_values(f.oidc.groups_value, extra));
    if values.is_empty() {
        return Ok(());
    }
    match f.oidc.groups_limit {
        GroupLimit::Fail { max } if values.len() > max => {
            return Err(ClaimsError::TooManyGroups {
                claim,
                count: values.len(),
                max,
            })
        }
        GroupLimit::Overage { max } if values.len() > max => {
            let endpoint = f
                .oidc
                .groups_overage_endpoint
                .unwrap_or("")
                .replace("{oid}", &l.user.id)
                .replace("{tenant}", f.tenant_id);
            out.insert("_claim_names".into(), json!({ claim: "src1" }));
            out.insert(
                "_claim_sources".into(),
                json!({"src1": {"endpoint": endpoint}}),
            );
            return Ok(());
        }
        GroupLimit::Cap { max } => values.truncate(max),
        _ => {}
    }
    out.insert(claim.to_string(), json!(values));
    Ok(())
}

/// The claims of an id_token. `access_token` (with the kind of the signing key, which fixes the
/// hash) adds `at_hash`.
pub fn id_token_claims(
    f: &IssuerFacts,
    l: &LoginFacts,
    access_token: Option<(&str, KeyKind)>,
    now: DateTime<Utc>,
    ids: &dyn IdGen,
) -> Result<Map<String, Value>, ClaimsError> {
    let o: &OidcOverrides = &l.login.oidc;
    let iat_shift = o.iat_offset_secs.unwrap_or(0);
    let iat = now.timestamp().saturating_add(iat_shift);
    let lifetime = o
        .exp_offset_secs
        .unwrap_or(f.oidc.id_token_lifetime.num_seconds());
    let auth_time = l.auth_time.timestamp().saturating_add(iat_shift);

    let mut c = Map::new();
    c.insert("iss".into(), json!(f.issuer));
    c.insert(
        "sub".into(),
        json!(subject(f.oidc.subject, &l.user.id, l.client_id)),
    );
    c.insert("aud".into(), json!(l.client_id));
    c.insert("iat".into(), json!(iat));
    c.insert("exp".into(), json!(iat.saturating_add(lifetime)));
    if let Some(n) = l.nonce {
        c.insert("nonce".into(), json!(n));
    }
    if let Some((token, kind)) = access_token.filter(|_| f.oidc.at_hash) {
        c.insert(
            "at_hash".into(),
            json!(protocols::jose::left_half_hash(
                token,
                protocols::jose::alg_for(kind)
            )),
        );
    }
    for (name, fixed) in f.oidc.fixed_claims {
        c.insert(
            (*name).to_string(),
            fixed_value(fixed, f, l, iat, auth_time, ids),
        );
    }
    profile_claims(f, l, Audience::IdToken, &mut c);
    let extra = synthetic_groups(l.login.extra_groups.unwrap_or(0), f.group_id, ids);
    groups_claim(f, l, &extra, &mut c)?;
    for (k, v) in &o.claims {
        c.insert(k.clone(), v.clone());
    }
    for k in &o.remove_claims {
        c.remove(k);
    }
    Ok(c)
}

fn fixed_value(
    fixed: &FixedClaim,
    f: &IssuerFacts,
    l: &LoginFacts,
    iat: i64,
    auth_time: i64,
    ids: &dyn IdGen,
) -> Value {
    match fixed {
        FixedClaim::Str(s) => json!(s),
        FixedClaim::Int(i) => json!(i),
        FixedClaim::Bool(b) => json!(b),
        FixedClaim::AuthTime => json!(auth_time),
        FixedClaim::Id(shape) => json!(shape.make(ids)),
        FixedClaim::List(items) => json!(items),
        FixedClaim::TenantId => json!(f.tenant_id),
        FixedClaim::HostedDomain => json!(f.domain),
        FixedClaim::IdpId => json!(idp_id(f.tenant_id)),
        FixedClaim::IssuedAt => json!(iat),
        FixedClaim::ClientId => json!(l.client_id),
        FixedClaim::SessionId => json!(session_id(&l.user.id, l.client_id, l.auth_time)),
        FixedClaim::Picture => json!(picture_url(&l.user.id)),
    }
}

/// Entra's `sid`: a GUID that names one sign-in, so a refresh of it keeps the same value.
pub fn session_id(user_id: &str, client_id: &str, auth_time: DateTime<Utc>) -> String {
    let h = sha256(format!("sid\n{user_id}\n{client_id}\n{}", auth_time.timestamp()).as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    if hex.len() < 32 {
        return String::new();
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Google's `picture`: a googleusercontent URL stable per user.
pub fn picture_url(user_id: &str) -> String {
    let h = URL_SAFE_NO_PAD.encode(sha256(format!("picture\n{user_id}").as_bytes()));
    format!("https://lh3.googleusercontent.com/a/ACg8oc{h}=s96-c")
}

/// The userinfo answer: `sub` (as in the id_token), the released profile claims and the
/// vendor's userinfo-only claims, then the override's userinfo claims.
pub fn userinfo_claims(f: &IssuerFacts, l: &LoginFacts) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert(
        "sub".into(),
        json!(subject(f.oidc.subject, &l.user.id, l.client_id)),
    );
    profile_claims(f, l, Audience::Userinfo, &mut c);
    let auth_time = l.auth_time.timestamp();
    for (name, fixed, scope) in f.oidc.userinfo_fixed_claims {
        if released(*scope, l.scopes) {
            let v = fixed_value(
                fixed,
                f,
                l,
                auth_time,
                auth_time,
                &protocols::SeededIds::new(0),
            );
            c.insert((*name).to_string(), v);
        }
    }
    for (k, v) in &l.login.oidc.userinfo_claims {
        c.insert(k.clone(), v.clone());
    }
    c
}

/// What an access token in JWT form says.
#[derive(Debug, Clone)]
pub struct AccessTokenFacts<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub jti: String,
    pub client_id: &'a str,
    pub user: &'a User,
    pub scopes: &'a [String],
    pub auth_time: DateTime<Utc>,
}

/// Okta's JWT access token (S10): `ver` 1, `jti` "AT.…", `iss`, `aud`, `iat`, `exp`, `cid` (the
/// client), `uid` (the user id), `scp` (granted scopes), `auth_time`, and `sub` = the login.
pub fn access_token_claims(
    a: &AccessTokenFacts,
    now: DateTime<Utc>,
    lifetime: chrono::Duration,
) -> Map<String, Value> {
    let iat = now.timestamp();
    let mut c = Map::new();
    c.insert("ver".into(), json!(1));
    c.insert("jti".into(), json!(a.jti));
    c.insert("iss".into(), json!(a.issuer));
    c.insert("aud".into(), json!(a.audience));
    c.insert("iat".into(), json!(iat));
    c.insert(
        "exp".into(),
        json!(iat.saturating_add(lifetime.num_seconds())),
    );
    c.insert("cid".into(), json!(a.client_id));
    c.insert("uid".into(), json!(a.user.id));
    c.insert("scp".into(), json!(a.scopes));
    c.insert("auth_time".into(), json!(a.auth_time.timestamp()));
    c.insert("sub".into(), json!(a.user.login));
    c
}

/// The JOSE header options for this vendor and login.
pub fn header_options(oidc: &OidcPersonality, o: &OidcOverrides) -> HeaderOptions {
    HeaderOptions {
        typ: oidc.header_typ.map(str::to_string),
        kid: !o.omit_kid,
        x5t: oidc.header_x5t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::{SubjectStyle, Vendor};
    use protocols::clock::snapshot_epoch;
    use protocols::SeededIds;
    use std::collections::BTreeMap;

    fn user() -> User {
        User {
            id: "u1".into(),
            login: "alice@acme.example".into(),
            email: "alice@acme.example".into(),
            given_name: "Alice".into(),
            family_name: "Liddell".into(),
            display_name: "Alice Liddell".into(),
            groups: vec![],
            roles: vec![],
            attributes: BTreeMap::new(),
            active: true,
        }
    }

    fn facts(v: Vendor) -> IssuerFacts<'static> {
        let p = v.personality();
        IssuerFacts {
            oidc: &p.oidc,
            issuer: "https://idp.example",
            tenant_id: "t1",
            domain: "acme.example",
            group_id: p.ids.group,
        }
    }

    fn scopes(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    fn claims(
        v: Vendor,
        scope: &str,
        login: &NextLogin,
        groups: &[Group],
    ) -> Result<Map<String, Value>, ClaimsError> {
        let u = user();
        let s = scopes(scope);
        let l = LoginFacts {
            user: &u,
            groups,
            client_id: "c1",
            nonce: Some("n-0S6"),
            scopes: &s,
            auth_time: snapshot_epoch(),
            login,
            groups_configured: true,
        };
        id_token_claims(
            &facts(v),
            &l,
            Some(("at", KeyKind::Rsa)),
            snapshot_epoch(),
            &SeededIds::new(1),
        )
    }

    fn group(i: usize) -> Group {
        Group {
            id: format!("g{i}"),
            name: format!("team-{i}"),
        }
    }

    #[test]
    fn pairwise_sub_is_stable_per_client_and_43_chars() {
        let a = subject(SubjectStyle::Pairwise, "u1", "c1");
        assert_eq!(a.len(), 43);
        assert_eq!(a, subject(SubjectStyle::Pairwise, "u1", "c1"));
        assert_ne!(a, subject(SubjectStyle::Pairwise, "u1", "c2"));
        assert_eq!(subject(SubjectStyle::UserId, "u1", "c1"), "u1");
    }

    #[test]
    fn standard_claims_and_lifetime() {
        let c = claims(Vendor::Okta, "openid", &NextLogin::default(), &[]).expect("claims");
        let iat = snapshot_epoch().timestamp();
        assert_eq!(c["iss"], "https://idp.example");
        assert_eq!(c["sub"], "u1");
        assert_eq!(c["aud"], "c1");
        assert_eq!(c["iat"], iat);
        assert_eq!(c["exp"], iat + 3600);
        assert_eq!(c["nonce"], "n-0S6");
        assert_eq!(
            c["at_hash"],
            protocols::jose::left_half_hash("at", protocols::jose::alg_for(KeyKind::Rsa))
        );
        assert_eq!(c["ver"], 1);
        assert_eq!(c["idp"], idp_id("t1"));
        assert!(c["jti"].as_str().is_some_and(|j| j.starts_with("ID.")));
        assert!(!c.contains_key("email"), "email only with the email scope");
        assert!(
            !c.contains_key("preferred_username"),
            "profile only with the profile scope"
        );
    }

    #[test]
    fn profile_claims_follow_scopes() {
        let c = claims(
            Vendor::Okta,
            "openid profile email",
            &NextLogin::default(),
            &[],
        )
        .expect("claims");
        assert_eq!(c["preferred_username"], "alice@acme.example");
        assert_eq!(c["email"], "alice@acme.example");
        let e =
            claims(Vendor::Entra, "openid profile", &NextLogin::default(), &[]).expect("claims");
        assert!(
            !e.contains_key("email"),
            "Entra's email needs the email scope"
        );
        assert_eq!(e["oid"], "u1");
        assert_eq!(e["tid"], "t1");
        assert_eq!(e["sub"].as_str().map(str::len), Some(43));
        let g = claims(Vendor::Google, "openid", &NextLogin::default(), &[]).expect("claims");
        assert_eq!(g["hd"], "acme.example");
        assert_eq!(g["email_verified"], true);
    }

    #[test]
    fn okta_groups_need_the_groups_scope_and_fail_above_100() {
        let gs: Vec<Group> = (0..100).map(group).collect();
        let without = claims(Vendor::Okta, "openid", &NextLogin::default(), &gs).expect("claims");
        assert!(!without.contains_key("groups"));
        let with =
            claims(Vendor::Okta, "openid groups", &NextLogin::default(), &gs).expect("claims");
        assert_eq!(with["groups"].as_array().map(Vec::len), Some(100));
        assert_eq!(with["groups"][0], "team-0", "Okta sends names");
        let one_more = NextLogin {
            extra_groups: Some(1),
            ..NextLogin::default()
        };
        assert_eq!(
            claims(Vendor::Okta, "openid groups", &one_more, &gs),
            Err(ClaimsError::TooManyGroups {
                claim: "groups",
                count: 101,
                max: 100
            })
        );
    }

    #[test]
    fn entra_groups_are_ids_with_overage_above_200() {
        let gs: Vec<Group> = (0..200).map(group).collect();
        let c = claims(Vendor::Entra, "openid", &NextLogin::default(), &gs).expect("claims");
        assert_eq!(c["groups"][0], "g0", "Entra sends object ids");
        assert!(!c.contains_key("_claim_names"));
        let over = NextLogin {
            extra_groups: Some(1),
            ..NextLogin::default()
        };
        let c = claims(Vendor::Entra, "openid", &over, &gs).expect("claims");
        assert!(!c.contains_key("groups"));
        assert_eq!(c["_claim_names"], json!({"groups": "src1"}));
        assert_eq!(
            c["_claim_sources"]["src1"]["endpoint"],
            "https://graph.microsoft.com/v1.0/users/u1/getMemberObjects"
        );
    }

    #[test]
    fn google_sends_no_groups() {
        let gs: Vec<Group> = (0..3).map(group).collect();
        let c = claims(
            Vendor::Google,
            "openid email profile",
            &NextLogin::default(),
            &gs,
        )
        .expect("claims");
        assert!(!c.contains_key("groups"));
    }

    #[test]
    fn overrides_apply_last() {
        let mut login = NextLogin::default();
        login
            .oidc
            .claims
            .insert("iss".into(), json!("https://evil.example"));
        login.oidc.remove_claims.push("nonce".into());
        login.oidc.iat_offset_secs = Some(600);
        login.oidc.exp_offset_secs = Some(-30);
        let c = claims(Vendor::Okta, "openid", &login, &[]).expect("claims");
        let iat = snapshot_epoch().timestamp() + 600;
        assert_eq!(c["iss"], "https://evil.example");
        assert!(!c.contains_key("nonce"));
        assert_eq!(c["iat"], iat);
        assert_eq!(c["auth_time"], iat, "auth_time moves with iat");
        assert_eq!(c["exp"], iat - 30);
    }

    #[test]
    fn userinfo_has_same_sub_and_overrides() {
        let u = user();
        let s = scopes("openid profile");
        let mut login = NextLogin::default();
        login
            .oidc
            .userinfo_claims
            .insert("sub".into(), json!("someone-else"));
        let l = LoginFacts {
            user: &u,
            groups: &[],
            client_id: "c1",
            nonce: None,
            scopes: &s,
            auth_time: snapshot_epoch(),
            login: &NextLogin::default(),
            groups_configured: false,
        };
        let f = facts(Vendor::Entra);
        let ui = userinfo_claims(&f, &l);
        assert_eq!(
            ui["sub"],
            json!(subject(SubjectStyle::Pairwise, "u1", "c1"))
        );
        assert_eq!(ui["name"], "Alice Liddell");
        let l2 = LoginFacts { login: &login, ..l };
        assert_eq!(userinfo_claims(&f, &l2)["sub"], "someone-else");
    }

    #[test]
    fn extra_groups_are_clamped() {
        let g = synthetic_groups(
            usize::MAX,
            IdShape::Prefixed {
                prefix: "g",
                len: 2,
            },
            &SeededIds::new(1),
        );
        assert_eq!(g.len(), MAX_EXTRA_GROUPS);
        assert_eq!(g[0].name, "idpsim-extra-001");
    }
}
