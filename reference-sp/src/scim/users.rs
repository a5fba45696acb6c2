//! User provisioning: what POST, PUT, PATCH and DELETE on /Users do to the platform, per mode
//! (hub-sso.md [SCIM-B*], [SCIM-M*], [SCIM-3], [SCIM-8]).
//!
//! PUT and PATCH end in the same [`update`]: PATCH applies the operations to the current
//! resource (protocols' pure applier) and hands the result over as if it had been PUT. An
//! update that changes nothing keeps the version and touches no platform state.

use std::collections::BTreeMap;

use protocols::scim::resource::{check_required, normalize_resource, without_read_only};
use protocols::scim::{
    apply_patch, Meta, PatchRequest, ScimError, UnknownAttributes, User, USER_RESOURCE,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::Error;
use super::platform::{AccountId, OrgMode, Profile, Role};
use super::store::{self, UserKey, UserRow};
use super::{check_schemas, groups, location, username, Ctx, Rendered, PATCH_OPTIONS};
use crate::flaws::Flaw;

/// The parts of a User the server acts on.
#[derive(Debug, Clone)]
struct UserInput {
    resource: Map<String, Value>,
    user_name: String,
    external_id: Option<String>,
    active: bool,
    profile: Profile,
    role: Option<Role>,
}

fn is_work(e: &protocols::scim::MultiValue) -> bool {
    e.kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("work"))
}

fn profile(u: &User) -> Profile {
    let mut emails: Vec<String> = Vec::new();
    let work = u.emails.iter().find(|e| is_work(e));
    let primary = u.emails.iter().find(|e| e.primary == Some(true));
    for e in work.into_iter().chain(primary).chain(u.emails.iter()) {
        if !e.value.is_empty() && !emails.iter().any(|x| x.eq_ignore_ascii_case(&e.value)) {
            emails.push(e.value.clone());
        }
    }
    let name = u.name.clone().unwrap_or_default();
    Profile {
        username: u.user_name.clone(),
        given_name: name.given_name,
        family_name: name.family_name,
        display_name: u.display_name.clone().or(name.formatted),
        emails,
    }
}

impl UserInput {
    /// From a POST or PUT body: schemas checked, names canonical, unknown attributes refused,
    /// readOnly attributes (id, meta, groups) ignored, the password never kept.
    fn from_body(body: &Value) -> Result<UserInput, ScimError> {
        check_schemas(body, &USER_RESOURCE)?;
        let map = normalize_resource(body, &USER_RESOURCE, UnknownAttributes::Refuse)?;
        UserInput::from_resource(map)
    }

    fn from_resource(map: Map<String, Value>) -> Result<UserInput, ScimError> {
        let mut resource = without_read_only(map, &USER_RESOURCE);
        resource.remove("password");
        check_required(&resource, &USER_RESOURCE)?;
        // Read from the map in place (`&Map` is a deserializer), not from a copy of it.
        let user =
            User::deserialize(&resource).map_err(|e| ScimError::invalid_value(e.to_string()))?;
        let role = user
            .roles
            .iter()
            .filter_map(|r| Role::parse(&r.value))
            .max();
        Ok(UserInput {
            profile: profile(&user),
            user_name: user.user_name,
            external_id: user.external_id,
            active: user.active.unwrap_or(true),
            role,
            resource,
        })
    }
}

/// The read-only profile attribute a Basic-mode update would change [SCIM-B2].
fn read_only_change(old: &Profile, new: &Profile) -> Option<&'static str> {
    if old.username != new.username {
        Some("userName")
    } else if old.given_name != new.given_name {
        Some("name.givenName")
    } else if old.family_name != new.family_name {
        Some("name.familyName")
    } else if old.emails.first() != new.emails.first() {
        Some("emails[type eq \"work\"].value")
    } else {
        None
    }
}

fn ensure_unique(ctx: &Ctx<'_>, me: Option<&str>, input: &UserInput) -> Result<(), Error> {
    let other = |rows: Vec<UserRow>| rows.iter().any(|r| Some(r.id.as_str()) != me);
    if other(store::users(
        ctx.tx,
        ctx.org,
        UserKey::UserName(&input.user_name),
    )?) {
        return Err(ScimError::uniqueness("userName", &input.user_name).into());
    }
    if let Some(x) = &input.external_id {
        if other(store::users(ctx.tx, ctx.org, UserKey::ExternalId(x))?) {
            return Err(ScimError::uniqueness("externalId", x).into());
        }
    }
    Ok(())
}

/// Deprovisioning ends sessions; whether `Flaw::KeepSessionsOnDeprovision` keeps them is the
/// platform's decision, the same for the admin API and SCIM.
fn end_sessions(ctx: &Ctx<'_>, account: &AccountId) -> Result<(), Error> {
    ctx.platform.end_sessions(ctx.tx, ctx.org, account)?;
    Ok(())
}

/// active=false / true [SCIM-B4], [SCIM-M4].
fn set_active(
    ctx: &Ctx<'_>,
    account: &AccountId,
    active: bool,
    role: Option<Role>,
) -> Result<(), Error> {
    match (ctx.mode, active) {
        (OrgMode::Basic, _) => {
            ctx.platform
                .set_member_active(ctx.tx, ctx.org, account, active)?;
            if !active {
                end_sessions(ctx, account)?;
            }
        }
        (OrgMode::Managed, false) => {
            ctx.platform
                .remove_member_everywhere(ctx.tx, ctx.org, account)?;
            end_sessions(ctx, account)?;
        }
        (OrgMode::Managed, true) => ctx.platform.add_member(ctx.tx, ctx.org, account, role)?,
    }
    Ok(())
}

/// Basic mode: the existing account one of the user's emails (or an email-shaped userName)
/// belongs to [SCIM-B1].
fn find_account(ctx: &Ctx<'_>, input: &UserInput) -> Result<AccountId, Error> {
    let mut candidates = input.profile.emails.clone();
    if input.user_name.contains('@') {
        candidates.push(input.user_name.clone());
    }
    for email in &candidates {
        if let Some(a) = ctx.platform.find_account_by_email(ctx.tx, email)? {
            return Ok(a);
        }
    }
    let shown = candidates.first().map_or("(none given)", String::as_str);
    Err(ScimError::invalid_value(format!(
        "no platform account has the email {shown:?}: in Basic mode SCIM invites existing \
         accounts only, so the user must sign up first"
    ))
    .into())
}

/// POST /Users.
pub(crate) fn create(ctx: &Ctx<'_>, body: &Value) -> Result<UserRow, Error> {
    let input = UserInput::from_body(body)?;
    ensure_unique(ctx, None, &input)?;
    let account = match ctx.mode {
        OrgMode::Basic => {
            let account = find_account(ctx, &input)?;
            if !store::users(ctx.tx, ctx.org, UserKey::Account(&account))?.is_empty() {
                let email = input.profile.emails.first().cloned().unwrap_or_default();
                return Err(ScimError::uniqueness("emails", email).into());
            }
            ctx.platform.invite(ctx.tx, ctx.org, &account, input.role)?;
            if !input.active {
                ctx.platform
                    .set_member_active(ctx.tx, ctx.org, &account, false)?;
            }
            account
        }
        OrgMode::Managed => {
            username::check_scim(&input.user_name)?;
            let account = ctx
                .platform
                .create_managed_account(ctx.tx, ctx.org, &input.profile)?;
            if input.active {
                ctx.platform
                    .add_member(ctx.tx, ctx.org, &account, input.role)?;
            }
            account
        }
    };
    let row = UserRow {
        id: ctx.ids.guid(),
        user_name: input.user_name,
        external_id: input.external_id,
        active: input.active,
        resource: input.resource,
        version: 1,
        created: ctx.now,
        modified: ctx.now,
        account,
    };
    store::upsert_user(ctx.tx, ctx.org, &row)?;
    Ok(row)
}

/// PUT /Users/{id}: the body replaces the resource.
pub(crate) fn replace(ctx: &Ctx<'_>, current: UserRow, body: &Value) -> Result<UserRow, Error> {
    let input = UserInput::from_body(body)?;
    update(ctx, current, input)
}

/// PATCH /Users/{id}.
pub(crate) fn patch(
    ctx: &Ctx<'_>,
    current: UserRow,
    request: &PatchRequest,
) -> Result<UserRow, Error> {
    let rendered = render(ctx.tx, ctx.base_url, ctx.org, &current)?;
    let outcome = apply_patch(&rendered.json, request, &USER_RESOURCE, &PATCH_OPTIONS)?;
    let Value::Object(map) = outcome.resource else {
        return Err(ScimError::invalid_syntax("PATCH did not yield a resource").into());
    };
    update(ctx, current, UserInput::from_resource(map)?)
}

fn update(ctx: &Ctx<'_>, current: UserRow, input: UserInput) -> Result<UserRow, Error> {
    if input.resource == current.resource {
        return Ok(current);
    }
    let old = UserInput::from_resource(current.resource.clone())?;
    ensure_unique(ctx, Some(&current.id), &input)?;
    match ctx.mode {
        OrgMode::Basic => {
            if let Some(attr) = read_only_change(&old.profile, &input.profile) {
                if !ctx.flaws.danger(Flaw::BasicProfileUpdates) {
                    return Err(ScimError::read_only(attr).into());
                }
                ctx.platform
                    .update_profile(ctx.tx, &current.account, &input.profile)?;
            }
        }
        OrgMode::Managed => {
            if old.profile != input.profile {
                if old.user_name != input.user_name {
                    username::check_scim(&input.user_name)?;
                }
                ctx.platform
                    .update_profile(ctx.tx, &current.account, &input.profile)?;
            }
        }
    }
    let active_changed = old.active != input.active;
    if active_changed {
        set_active(ctx, &current.account, input.active, input.role)?;
    }
    let row = UserRow {
        user_name: input.user_name,
        external_id: input.external_id,
        active: input.active,
        resource: input.resource,
        version: current.version + 1,
        modified: ctx.now,
        ..current
    };
    store::upsert_user(ctx.tx, ctx.org, &row)?;
    if active_changed {
        // Inactive users hold no role in linked resource groups; reactivation restores it.
        for rg in store::linked_rgs_of_user(ctx.tx, ctx.org, &row.id)? {
            groups::sync_rg(ctx.platform, ctx.tx, ctx.org, &rg)?;
        }
    }
    Ok(row)
}

/// DELETE /Users/{id} [SCIM-B5], [SCIM-M5].
pub(crate) fn delete(ctx: &Ctx<'_>, current: UserRow) -> Result<(), Error> {
    let rgs = store::linked_rgs_of_user(ctx.tx, ctx.org, &current.id)?;
    store::delete_user(ctx.tx, ctx.org, &current.id)?;
    match ctx.mode {
        OrgMode::Basic => {
            ctx.platform
                .remove_member_everywhere(ctx.tx, ctx.org, &current.account)?;
            end_sessions(ctx, &current.account)?;
        }
        OrgMode::Managed => {
            end_sessions(ctx, &current.account)?;
            ctx.platform.delete_account(ctx.tx, &current.account)?;
        }
    }
    for rg in rgs {
        groups::sync_rg(ctx.platform, ctx.tx, ctx.org, &rg)?;
    }
    Ok(())
}

fn group_refs(base_url: &str, org: &str, groups: &[(String, String)]) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|(id, name)| {
                json!({"value": id, "display": name,
                       "$ref": location(base_url, org, "Groups", id), "type": "direct"})
            })
            .collect(),
    )
}

fn render_with(base_url: &str, org: &str, row: &UserRow, groups: &[(String, String)]) -> Rendered {
    render_from(base_url, org, row, row.resource.clone(), groups)
}

/// [`render_with`] on a resource map the caller hands over (a copy of `row.resource`, or the
/// row's own when the row is no longer needed).
fn render_from(
    base_url: &str,
    org: &str,
    row: &UserRow,
    mut m: Map<String, Value>,
    groups: &[(String, String)],
) -> Rendered {
    let loc = location(base_url, org, "Users", &row.id);
    m.insert("id".into(), Value::String(row.id.clone()));
    if !groups.is_empty() {
        m.insert("groups".into(), group_refs(base_url, org, groups));
    }
    let meta = Meta::new("User", row.created, row.modified, loc.clone(), row.version);
    m.insert(
        "meta".into(),
        serde_json::to_value(meta).unwrap_or(Value::Null),
    );
    protocols::scim::resource::complete_schemas(&mut m, &USER_RESOURCE);
    Rendered {
        json: Value::Object(m),
        version: row.version,
        location: loc,
    }
}

/// The User as answered, with its (read-only) groups.
pub(crate) fn render(
    conn: &rusqlite::Connection,
    base_url: &str,
    org: &str,
    row: &UserRow,
) -> Result<Rendered, Error> {
    let groups = store::groups_of(conn, org, &row.id)?;
    Ok(render_with(base_url, org, row, &groups))
}

/// [`render`] for a row the caller is done with (a create's answer): its resource map becomes
/// the answer's instead of being copied.
pub(crate) fn render_owned(
    conn: &rusqlite::Connection,
    base_url: &str,
    org: &str,
    mut row: UserRow,
) -> Result<Rendered, Error> {
    let groups = store::groups_of(conn, org, &row.id)?;
    let resource = std::mem::take(&mut row.resource);
    Ok(render_from(base_url, org, &row, resource, &groups))
}

/// Every User of the org that `filter` admits (all without one), rendered, in creation order.
pub(crate) fn list(
    conn: &rusqlite::Connection,
    base_url: &str,
    org: &str,
    filter: Option<&protocols::scim::Filter>,
) -> Result<Vec<Value>, Error> {
    use protocols::scim::IndexKey;
    let lookup = filter.and_then(|f| f.index_lookup());
    let key = match &lookup {
        Some(l) => match l.key {
            IndexKey::Id => UserKey::Id(&l.value),
            IndexKey::UserName => UserKey::UserName(&l.value),
            IndexKey::ExternalId => UserKey::ExternalId(&l.value),
            IndexKey::DisplayName => UserKey::All,
        },
        None => UserKey::All,
    };
    if !matches!(key, UserKey::All) {
        // A lookup (the push clients' userName eq before every create): only its own groups.
        return store::users(conn, org, key)?
            .iter()
            .map(|r| render(conn, base_url, org, r).map(|x| x.json))
            .filter(|v| {
                v.as_ref().map_or(true, |v| {
                    filter.is_none_or(|f| f.matches(v, &USER_RESOURCE))
                })
            })
            .collect();
    }
    let rows = store::users(conn, org, key)?;
    let names: BTreeMap<String, String> = store::groups(conn, org, store::GroupKey::All)?
        .into_iter()
        .map(|g| (g.id, g.display_name))
        .collect();
    let mut by_user: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (gid, uid) in store::all_members(conn, org)? {
        let name = names.get(&gid).cloned().unwrap_or_default();
        by_user.entry(uid).or_default().push((gid, name));
    }
    Ok(rows
        .iter()
        .map(|r| {
            let groups = by_user.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            render_with(base_url, org, r, groups).json
        })
        .filter(|v| filter.is_none_or(|f| f.matches(v, &USER_RESOURCE)))
        .collect())
}
