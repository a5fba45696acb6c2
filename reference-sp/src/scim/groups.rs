//! Pushed groups [SCIM-6] and their links to resource groups [SCIM-7].
//!
//! A linked resource group's membership is derived, never edited: each active member of any
//! group linked to it holds the highest role among those links. [`sync_rg`] makes the platform
//! match that after every change that could move it (membership, activation, deletion, link
//! or role), so a user removed from one group keeps the role another linked group gives.

use std::collections::{BTreeMap, HashSet};

use protocols::scim::resource::{check_required, normalize_resource, without_read_only};
use protocols::scim::{
    apply_patch, Filter, IndexKey, Meta, PatchRequest, ScimError, UnknownAttributes, GROUP_RESOURCE,
};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Map, Value};

use super::error::{Error, LinkError};
use super::platform::{Platform, PlatformError, ResourceGroupId, Role};
use super::store::{self, GroupKey, GroupRow};
use super::{check_schemas, location, Ctx, Rendered, PATCH_OPTIONS};

#[derive(Debug, Clone)]
struct GroupInput {
    /// Without members (kept in their own table).
    resource: Map<String, Value>,
    display_name: String,
    external_id: Option<String>,
    members: Vec<String>,
}

impl GroupInput {
    fn from_body(body: &Value) -> Result<GroupInput, ScimError> {
        check_schemas(body, &GROUP_RESOURCE)?;
        let map = normalize_resource(body, &GROUP_RESOURCE, UnknownAttributes::Refuse)?;
        GroupInput::from_resource(map)
    }

    fn from_resource(map: Map<String, Value>) -> Result<GroupInput, ScimError> {
        let mut resource = without_read_only(map, &GROUP_RESOURCE);
        check_required(&resource, &GROUP_RESOURCE)?;
        let mut members: Vec<String> = Vec::new();
        if let Some(Value::Array(items)) = resource.remove("members") {
            for m in &items {
                let value = m.get("value").and_then(Value::as_str).ok_or_else(|| {
                    ScimError::invalid_value("every member needs a value (the User's id)")
                })?;
                let kind = m.get("type").and_then(Value::as_str);
                if kind.is_some_and(|k| !k.eq_ignore_ascii_case("User")) {
                    return Err(ScimError::invalid_value(
                        "members must be Users: nested groups are not supported",
                    ));
                }
                if !members.iter().any(|x| x == value) {
                    members.push(value.to_string());
                }
            }
        }
        let display_name = resource
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let external_id = resource
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(GroupInput {
            resource,
            display_name,
            external_id,
            members,
        })
    }
}

/// `already` are the group's current members: they are Users of the org already (deleting a
/// User removes its memberships), so only newcomers are looked up.
fn ensure_valid(
    ctx: &Ctx<'_>,
    me: Option<&str>,
    input: &GroupInput,
    already: &[String],
) -> Result<(), Error> {
    let other = |rows: Vec<GroupRow>| rows.iter().any(|r| Some(r.id.as_str()) != me);
    if other(store::groups(
        ctx.tx,
        ctx.org,
        GroupKey::DisplayName(&input.display_name),
    )?) {
        return Err(ScimError::uniqueness("displayName", &input.display_name).into());
    }
    if let Some(x) = &input.external_id {
        if other(store::groups(ctx.tx, ctx.org, GroupKey::ExternalId(x))?) {
            return Err(ScimError::uniqueness("externalId", x).into());
        }
    }
    let already: HashSet<&str> = already.iter().map(String::as_str).collect();
    for m in input
        .members
        .iter()
        .filter(|m| !already.contains(m.as_str()))
    {
        if !store::user_exists(ctx.tx, ctx.org, m)? {
            let shown: String = m.chars().take(60).collect();
            return Err(ScimError::invalid_value(format!(
                "member {shown:?} is not a User of this organisation"
            ))
            .into());
        }
    }
    Ok(())
}

/// POST /Groups.
pub(crate) fn create(ctx: &Ctx<'_>, body: &Value) -> Result<GroupRow, Error> {
    let input = GroupInput::from_body(body)?;
    ensure_valid(ctx, None, &input, &[])?;
    let row = GroupRow {
        id: ctx.ids.guid(),
        display_name: input.display_name,
        external_id: input.external_id,
        resource: input.resource,
        version: 1,
        created: ctx.now,
        modified: ctx.now,
        link: None,
    };
    store::upsert_group(ctx.tx, ctx.org, &row)?;
    store::set_members(ctx.tx, ctx.org, &row.id, &[], &input.members)?;
    Ok(row)
}

/// PUT /Groups/{id}.
pub(crate) fn replace(ctx: &Ctx<'_>, current: GroupRow, body: &Value) -> Result<GroupRow, Error> {
    let input = GroupInput::from_body(body)?;
    update(ctx, current, input)
}

/// PATCH /Groups/{id}: Okta's remove-by-filter plus add, Entra's remove with a value array.
pub(crate) fn patch(
    ctx: &Ctx<'_>,
    current: GroupRow,
    request: &PatchRequest,
) -> Result<GroupRow, Error> {
    let rendered = render(ctx.tx, ctx.base_url, ctx.org, &current)?;
    let outcome = apply_patch(&rendered.json, request, &GROUP_RESOURCE, &PATCH_OPTIONS)?;
    let Value::Object(map) = outcome.resource else {
        return Err(ScimError::invalid_syntax("PATCH did not yield a resource").into());
    };
    update(ctx, current, GroupInput::from_resource(map)?)
}

fn update(ctx: &Ctx<'_>, current: GroupRow, input: GroupInput) -> Result<GroupRow, Error> {
    let members = store::members(ctx.tx, ctx.org, &current.id)?;
    if input.resource == current.resource && input.members == members {
        return Ok(current);
    }
    ensure_valid(ctx, Some(&current.id), &input, &members)?;
    let row = GroupRow {
        display_name: input.display_name,
        external_id: input.external_id,
        resource: input.resource,
        version: current.version + 1,
        modified: ctx.now,
        ..current
    };
    store::upsert_group(ctx.tx, ctx.org, &row)?;
    store::set_members(ctx.tx, ctx.org, &row.id, &members, &input.members)?;
    if let Some((rg, _)) = &row.link {
        sync_rg(ctx.platform, ctx.tx, ctx.org, rg)?;
    }
    Ok(row)
}

/// DELETE /Groups/{id} (Okta's unlink): a linked group's members lose the role it gave.
pub(crate) fn delete(ctx: &Ctx<'_>, current: GroupRow) -> Result<(), Error> {
    store::delete_group(ctx.tx, ctx.org, &current.id)?;
    if let Some((rg, _)) = &current.link {
        sync_rg(ctx.platform, ctx.tx, ctx.org, rg)?;
    }
    Ok(())
}

/// Makes `rg`'s platform membership what the links say. Only ever called for a resource
/// group that is, or just stopped being, SCIM-managed, whose members all come from links.
pub(crate) fn sync_rg(
    platform: &dyn Platform,
    tx: &Transaction<'_>,
    org: &str,
    rg: &ResourceGroupId,
) -> Result<(), PlatformError> {
    let Some(current) = platform.rg_members(tx, org, rg)? else {
        return Ok(());
    };
    let desired: BTreeMap<_, _> = store::desired_rg_roles(tx, org, rg)?.into_iter().collect();
    for (account, role) in &current {
        match desired.get(account) {
            None => platform.set_rg_member(tx, org, rg, account, None)?,
            Some(want) if want != role => {
                platform.set_rg_member(tx, org, rg, account, Some(*want))?
            }
            Some(_) => {}
        }
    }
    for (account, role) in &desired {
        if !current.iter().any(|(a, _)| a == account) {
            platform.set_rg_member(tx, org, rg, account, Some(*role))?;
        }
    }
    Ok(())
}

pub(crate) fn link(
    platform: &dyn Platform,
    tx: &Transaction<'_>,
    org: &str,
    group_id: &str,
    rg: &ResourceGroupId,
    role: Role,
) -> Result<(), LinkError> {
    let mut group = store::group(tx, org, group_id)?.ok_or_else(|| LinkError::GroupNotFound {
        group: group_id.to_string(),
    })?;
    let members = platform
        .rg_members(tx, org, rg)?
        .ok_or_else(|| LinkError::ResourceGroupNotFound { rg: rg.0.clone() })?;
    let already_here = group.link.as_ref().is_some_and(|(r, _)| r == rg);
    if !already_here && !members.is_empty() && !super::is_scim_managed(tx, org, rg)? {
        return Err(LinkError::ResourceGroupNotEmpty { rg: rg.0.clone() });
    }
    let previous = group.link.replace((rg.clone(), role));
    store::upsert_group(tx, org, &group)?;
    sync_rg(platform, tx, org, rg)?;
    if let Some((old, _)) = previous.filter(|(old, _)| old != rg) {
        sync_rg(platform, tx, org, &old)?;
    }
    Ok(())
}

pub(crate) fn unlink(
    platform: &dyn Platform,
    tx: &Transaction<'_>,
    org: &str,
    group_id: &str,
) -> Result<(), LinkError> {
    let mut group = store::group(tx, org, group_id)?.ok_or_else(|| LinkError::GroupNotFound {
        group: group_id.to_string(),
    })?;
    if let Some((rg, _)) = group.link.take() {
        store::upsert_group(tx, org, &group)?;
        sync_rg(platform, tx, org, &rg)?;
    }
    Ok(())
}

fn render_with(
    base_url: &str,
    org: &str,
    row: &GroupRow,
    members: &[(String, String)],
) -> Rendered {
    let mut m = row.resource.clone();
    let loc = location(base_url, org, "Groups", &row.id);
    m.insert("id".into(), Value::String(row.id.clone()));
    m.insert(
        "members".into(),
        Value::Array(
            members
                .iter()
                .map(|(id, display)| {
                    json!({"value": id, "display": display,
                           "$ref": location(base_url, org, "Users", id), "type": "User"})
                })
                .collect(),
        ),
    );
    let meta = Meta::new("Group", row.created, row.modified, loc.clone(), row.version);
    m.insert(
        "meta".into(),
        serde_json::to_value(meta).unwrap_or(Value::Null),
    );
    protocols::scim::resource::complete_schemas(&mut m, &GROUP_RESOURCE);
    Rendered {
        json: Value::Object(m),
        version: row.version,
        location: loc,
    }
}

/// The Group as answered, members included: the group's own rows only, never the whole
/// org's users.
pub(crate) fn render(
    conn: &Connection,
    base_url: &str,
    org: &str,
    row: &GroupRow,
) -> Result<Rendered, Error> {
    let members = store::member_displays(conn, org, &row.id)?;
    Ok(render_with(base_url, org, row, &members))
}

/// Every Group of the org that `filter` admits, rendered, in creation order.
pub(crate) fn list(
    conn: &Connection,
    base_url: &str,
    org: &str,
    filter: Option<&Filter>,
) -> Result<Vec<Value>, Error> {
    let lookup = filter.and_then(|f| f.index_lookup());
    let key = match &lookup {
        Some(l) => match l.key {
            IndexKey::Id => GroupKey::Id(&l.value),
            IndexKey::DisplayName => GroupKey::DisplayName(&l.value),
            IndexKey::ExternalId => GroupKey::ExternalId(&l.value),
            IndexKey::UserName => GroupKey::All,
        },
        None => GroupKey::All,
    };
    let indexed = !matches!(key, GroupKey::All);
    let rows = store::groups(conn, org, key)?;
    let rendered: Vec<Value> = if indexed {
        // A lookup (Okta's and Entra's displayName eq, an id or externalId): a row or none,
        // rendered from its own members.
        rows.iter()
            .map(|r| render(conn, base_url, org, r).map(|x| x.json))
            .collect::<Result<_, _>>()?
    } else {
        let mut by_group: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (gid, uid, display) in store::all_member_displays(conn, org)? {
            by_group.entry(gid).or_default().push((uid, display));
        }
        rows.iter()
            .map(|r| {
                let members = by_group.remove(&r.id).unwrap_or_default();
                render_with(base_url, org, r, &members).json
            })
            .collect()
    };
    Ok(rendered
        .into_iter()
        .filter(|v| filter.is_none_or(|f| f.matches(v, &GROUP_RESOURCE)))
        .collect())
}
