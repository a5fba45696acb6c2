//! The planner: a lifecycle event, a dialect and what the client knows give the HTTP requests
//! the vendor sends, in order. Pure: no I/O, no clock; the one random value (Okta's password)
//! comes from the injected id generator.
//!
//! A plan may depend on answers it has not had yet: a create looks the user up first and
//! POSTs only when the lookup found nothing ([`Guard`]); a group created by one step is
//! PATCHed by the next ([`Target`] names resources by their IdP id and is resolved just
//! before sending, from the [`Knowledge`] the earlier answers filled).

use super::dialect::{
    Activation, GroupRename, GroupUpdate, LookupAttribute, MemberRemoval, ProfileUpdate,
    ScimDialect, UserDelete,
};
use super::event::{PushGroup, PushUser, ScimEvent};
use super::knowledge::{Knowledge, KnownUser, Learn};
use super::step::{Answer, Guard, Method, Step, Target};
use protocols::scim::{PatchOpKind, PatchOperation, PatchRequest, ScimError};
use protocols::IdGen;
use serde_json::{json, Map, Value};

/// Why an event cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("user {0} was never provisioned: the client has no SCIM id for it")]
    UnknownUser(String),
    #[error("group {0} was never pushed: the client has no SCIM id for it")]
    UnknownGroup(String),
    #[error("cannot build a PATCH path: {0}")]
    Path(#[from] ScimError),
}

/// The requests `dialect` sends for `event`, given what the client knows.
pub fn plan(
    d: &ScimDialect,
    known: &Knowledge,
    event: &ScimEvent,
    ids: &dyn IdGen,
) -> Result<Vec<Step>, PlanError> {
    match event {
        ScimEvent::TestConnection => Ok(test_connection(d, ids)),
        ScimEvent::Assign { user } => assign(d, known, user, ids),
        ScimEvent::Update { user } => {
            let k = known_user(known, &user.idp_id)?;
            let mut new = user.clone();
            // A profile push never changes the activation state the server holds.
            new.active = k.active;
            update_steps(d, Some(&k.pushed), &new, Guard::Always, true, false)
        }
        ScimEvent::Suspend { user }
        | ScimEvent::Deactivate { user }
        | ScimEvent::Unassign { user } => activation_steps(d, known_user(known, user)?, false),
        ScimEvent::Reactivate { user } => activation_steps(d, known_user(known, user)?, true),
        ScimEvent::Delete { user } => {
            let k = known_user(known, user)?;
            match d.user_delete {
                UserDelete::Deactivate => activation_steps(d, k, false),
                UserDelete::SoftThenDelete => {
                    let mut steps = if k.active {
                        activation_steps(d, k, false)?
                    } else {
                        Vec::new()
                    };
                    steps.push(
                        Step::new(
                            "delete the user",
                            Method::Delete,
                            Target::User(user.clone()),
                        )
                        .expect(d.expect.delete, Answer::Nothing)
                        .learn(Learn::UserGone { user: user.clone() }),
                    );
                    Ok(steps)
                }
            }
        }
        ScimEvent::PushGroup { group } => push_group(d, known, group),
        ScimEvent::RenameGroup {
            group,
            display_name,
        } => {
            let g = known
                .group(group)
                .ok_or_else(|| PlanError::UnknownGroup(group.clone()))?;
            Ok(vec![rename_step(
                d,
                known,
                group,
                &g.scim_id,
                display_name,
            )?])
        }
        ScimEvent::Members { group, add, remove } => {
            if known.group(group).is_none() {
                return Err(PlanError::UnknownGroup(group.clone()));
            }
            Ok(members_step(d, known, group, add, remove, None)?
                .into_iter()
                .collect())
        }
        ScimEvent::DeleteGroup { group } => {
            if known.group(group).is_none() {
                return Err(PlanError::UnknownGroup(group.clone()));
            }
            Ok(vec![Step::new(
                "delete the group",
                Method::Delete,
                Target::Group(group.clone()),
            )
            .expect(d.expect.delete, Answer::Nothing)
            .learn(Learn::GroupGone {
                group: group.clone(),
            })])
        }
    }
}

fn known_user<'a>(known: &'a Knowledge, idp_id: &str) -> Result<&'a KnownUser, PlanError> {
    known
        .user(idp_id)
        .ok_or_else(|| PlanError::UnknownUser(idp_id.to_string()))
}

/// `attr eq "value"`, the value as a JSON string (quotes and backslashes escaped).
pub fn eq_filter(attr: &str, value: &str) -> String {
    format!("{attr} eq {}", Value::String(value.to_string()))
}

fn user_lookup(d: &ScimDialect, user: &PushUser) -> Step {
    let (attr, value) = match d.user_lookup.attribute {
        LookupAttribute::UserName => ("userName", &user.user_name),
        LookupAttribute::ExternalId => ("externalId", &user.idp_id),
    };
    lookup_users(d, attr, value)
}

fn lookup_users(d: &ScimDialect, attr: &str, value: &str) -> Step {
    let mut s =
        Step::new("look the user up", Method::Get, Target::Users).expect(&[200], Answer::List);
    s.query.push(("filter".into(), eq_filter(attr, value)));
    if let Some((start, count)) = d.user_lookup.paging {
        s.query.push(("startIndex".into(), start.to_string()));
        s.query.push(("count".into(), count.to_string()));
    }
    s.absent_on_404 = d.user_lookup.absent_on_404;
    s
}

fn group_lookup(display_name: &str, exclude_members: bool) -> Step {
    let mut s =
        Step::new("look the group up", Method::Get, Target::Groups).expect(&[200], Answer::List);
    s.query
        .push(("filter".into(), eq_filter("displayName", display_name)));
    if exclude_members {
        s.query
            .push(("excludedAttributes".into(), "members".into()));
    }
    s
}

fn test_connection(d: &ScimDialect, ids: &dyn IdGen) -> Vec<Step> {
    let probe = ids.guid();
    let attr = match d.user_lookup.attribute {
        LookupAttribute::UserName => "userName",
        LookupAttribute::ExternalId => "externalId",
    };
    let mut steps = vec![lookup_users(d, attr, &probe)];
    if let Some(g) = d.group_lookup {
        steps.push(group_lookup(&ids.guid(), g.exclude_members));
    }
    for s in &mut steps {
        s.purpose = "test the connection";
    }
    steps
}

/// The full User resource this dialect sends (POST, and PUT without the password).
pub fn user_resource(d: &ScimDialect, u: &PushUser, password: Option<String>) -> Value {
    let c = &d.create_user;
    let mut m = Map::new();
    m.insert("schemas".into(), json!(c.schemas));
    m.insert("userName".into(), json!(u.user_name));
    m.insert("externalId".into(), json!(u.idp_id));
    let mut name = Map::new();
    if c.formatted_name {
        name.insert("formatted".into(), json!(u.formatted_name()));
    }
    name.insert("givenName".into(), json!(u.given_name));
    name.insert("familyName".into(), json!(u.family_name));
    m.insert("name".into(), Value::Object(name));
    m.insert(
        "emails".into(),
        json!([{"primary": true, "value": u.email, "type": "work"}]),
    );
    if c.display_name {
        m.insert("displayName".into(), json!(u.display_name));
    }
    if let Some(locale) = c.locale {
        m.insert("locale".into(), json!(locale));
    }
    if c.empty_groups {
        m.insert("groups".into(), json!([]));
    }
    if c.empty_roles {
        m.insert("roles".into(), json!([]));
    }
    if let Some(p) = password {
        m.insert("password".into(), json!(p));
    }
    m.insert("active".into(), json!(u.active));
    if c.meta {
        m.insert("meta".into(), json!({"resourceType": "User"}));
    }
    Value::Object(m)
}

fn patch_body(d: &ScimDialect, ops: Vec<PatchOperation>) -> Value {
    PatchRequest { operations: ops }.to_json(d.op_case.style())
}

fn op(
    kind: PatchOpKind,
    path: Option<&str>,
    value: Option<Value>,
) -> Result<PatchOperation, PlanError> {
    Ok(PatchOperation::new(kind, path, value)?)
}

fn assign(
    d: &ScimDialect,
    known: &Knowledge,
    user: &PushUser,
    ids: &dyn IdGen,
) -> Result<Vec<Step>, PlanError> {
    if let Some(k) = known.user(&user.idp_id) {
        // Assigned again: bring the server's copy up to date and active.
        let mut steps = if k.active {
            Vec::new()
        } else {
            activation_steps(d, k, true)?
        };
        let mut new = user.clone();
        new.active = true;
        steps.extend(update_steps(
            d,
            Some(&k.pushed),
            &new,
            Guard::Always,
            true,
            false,
        )?);
        return Ok(steps);
    }
    let password = d.create_user.password.then(|| ids.token(18));
    let mut new = user.clone();
    new.active = true;
    let mut steps = vec![user_lookup(d, &new).learn(Learn::UserLookup { user: new.clone() })];
    // Found: the vendor links the user and pushes its profile, active.
    steps.extend(update_steps(d, None, &new, Guard::IfFound, false, true)?);
    steps.push(
        Step::new("create the user", Method::Post, Target::Users)
            .body(user_resource(d, &new, password))
            .expect(d.expect.create, Answer::Resource)
            .guard(Guard::IfAbsent)
            .learn(Learn::UserCreated { user: new }),
    );
    Ok(steps)
}

/// The profile attributes a PATCH-based dialect writes, with their paths.
fn profile_attributes(d: &ScimDialect, u: &PushUser) -> Vec<(&'static str, Value)> {
    let mut v = vec![
        ("userName", json!(u.user_name)),
        (r#"emails[type eq "work"].value"#, json!(u.email)),
        ("name.givenName", json!(u.given_name)),
        ("name.familyName", json!(u.family_name)),
    ];
    if d.create_user.formatted_name {
        v.push(("name.formatted", json!(u.formatted_name())));
    }
    if d.create_user.display_name || d.display_name_op {
        v.push(("displayName", json!(u.display_name)));
    }
    v
}

/// A profile push. `old`: what the server was last given (None: everything is sent).
/// `fetch_first`: GET before PUT (Okta, unless a lookup just fetched it). `with_active`:
/// PATCH dialects also send `active` (a user found by the create lookup is activated too).
fn update_steps(
    d: &ScimDialect,
    old: Option<&PushUser>,
    new: &PushUser,
    guard: Guard,
    fetch_first: bool,
    with_active: bool,
) -> Result<Vec<Step>, PlanError> {
    let target = Target::User(new.idp_id.clone());
    let learn = Learn::UserPushed { user: new.clone() };
    match d.profile_update {
        ProfileUpdate::GetThenPut => {
            let mut steps = Vec::new();
            if fetch_first {
                steps.push(
                    Step::new("fetch the user before PUT", Method::Get, target.clone())
                        .expect(&[200], Answer::Resource)
                        .guard(guard),
                );
            }
            let mut put = Step::new("replace the user", Method::Put, target)
                .body(user_resource(d, new, None))
                .expect(d.expect.put, Answer::Resource)
                .guard(guard)
                .learn(learn);
            put.body_id = true;
            steps.push(put);
            Ok(steps)
        }
        ProfileUpdate::ReplacePerAttribute | ProfileUpdate::DottedValueObject => {
            let before = old.map(|o| profile_attributes(d, o)).unwrap_or_default();
            let mut changed: Vec<(&'static str, Value)> = profile_attributes(d, new)
                .into_iter()
                .filter(|(path, v)| !before.iter().any(|(p, b)| p == path && b == v))
                .collect();
            if with_active {
                changed.push(("active", d.active_value(new.active)));
            }
            if changed.is_empty() {
                return Ok(Vec::new());
            }
            let ops = if d.profile_update == ProfileUpdate::ReplacePerAttribute {
                changed
                    .into_iter()
                    .map(|(path, v)| op(PatchOpKind::Replace, Some(path), Some(v)))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                // aadOptscim062020 (S7): one pathless replace with dotted keys, but a path with
                // a filter (`emails[type eq "work"].value`) stays its own op with that path.
                let (filtered, dotted): (Vec<_>, Vec<_>) = changed
                    .into_iter()
                    .partition(|(path, _)| path.contains('['));
                let mut ops = Vec::new();
                if !dotted.is_empty() {
                    let value: Map<String, Value> = dotted
                        .into_iter()
                        .map(|(path, v)| (path.to_string(), v))
                        .collect();
                    ops.push(op(PatchOpKind::Replace, None, Some(Value::Object(value)))?);
                }
                for (path, v) in filtered {
                    ops.push(op(PatchOpKind::Replace, Some(path), Some(v))?);
                }
                ops
            };
            Ok(vec![Step::new("update the user", Method::Patch, target)
                .body(patch_body(d, ops))
                .expect(d.expect.user_patch, Answer::ResourceOrEmpty)
                .guard(guard)
                .learn(learn)])
        }
    }
}

fn activation_steps(d: &ScimDialect, k: &KnownUser, active: bool) -> Result<Vec<Step>, PlanError> {
    let user = k.pushed.idp_id.clone();
    let target = Target::User(user.clone());
    let purpose = if active {
        "reactivate the user"
    } else {
        "deactivate the user"
    };
    let learn = Learn::UserActive {
        user: user.clone(),
        active,
    };
    let patch = |ops: Vec<PatchOperation>| {
        vec![Step::new(purpose, Method::Patch, target.clone())
            .body(patch_body(d, ops))
            .expect(d.expect.user_patch, Answer::ResourceOrEmpty)
            .learn(learn.clone())]
    };
    Ok(match d.activation {
        Activation::PathlessValue => patch(vec![op(
            PatchOpKind::Replace,
            None,
            Some(json!({ "active": d.active_value(active) })),
        )?]),
        Activation::PathReplace => patch(vec![op(
            PatchOpKind::Replace,
            Some("active"),
            Some(d.active_value(active)),
        )?]),
        Activation::GetThenPut => {
            let mut u = k.pushed.clone();
            u.active = active;
            let mut put = Step::new(purpose, Method::Put, target.clone())
                .body(user_resource(d, &u, None))
                .expect(d.expect.put, Answer::Resource)
                .learn(learn);
            put.body_id = true;
            vec![
                Step::new("fetch the user before PUT", Method::Get, target)
                    .expect(&[200], Answer::Resource),
                put,
            ]
        }
    })
}

fn push_group(
    d: &ScimDialect,
    known: &Knowledge,
    group: &PushGroup,
) -> Result<Vec<Step>, PlanError> {
    let gid = group.idp_id.clone();
    if let Some(g) = known.group(&gid) {
        let mut steps = Vec::new();
        if g.display_name != group.display_name {
            steps.push(rename_step(
                d,
                known,
                &gid,
                &g.scim_id,
                &group.display_name,
            )?);
        }
        let add: Vec<String> = group
            .members
            .iter()
            .filter(|m| !g.members.contains(*m))
            .cloned()
            .collect();
        let remove: Vec<String> = g
            .members
            .iter()
            .filter(|m| !group.members.contains(*m))
            .cloned()
            .collect();
        let renamed = (g.display_name != group.display_name).then_some(group.display_name.as_str());
        steps.extend(members_step(d, known, &gid, &add, &remove, renamed)?);
        return Ok(steps);
    }
    let mut steps = Vec::new();
    let mut create_guard = Guard::Always;
    if let Some(l) = d.group_lookup {
        steps.push(group_lookup(&group.display_name, l.exclude_members).learn(
            Learn::GroupLookup {
                group: gid.clone(),
                display_name: group.display_name.clone(),
            },
        ));
        create_guard = Guard::IfAbsent;
    }
    let mut body = Map::new();
    body.insert("schemas".into(), json!(d.create_group.schemas));
    if d.create_group.external_id {
        body.insert("externalId".into(), json!(gid));
    }
    body.insert("displayName".into(), json!(group.display_name));
    if d.create_group.empty_members {
        body.insert("members".into(), json!([]));
    }
    if d.create_group.meta {
        body.insert("meta".into(), json!({"resourceType": "Group"}));
    }
    steps.push(
        Step::new("create the group", Method::Post, Target::Groups)
            .body(Value::Object(body))
            .expect(d.expect.create, Answer::Resource)
            .guard(create_guard)
            .learn(Learn::GroupCreated {
                group: gid.clone(),
                display_name: group.display_name.clone(),
            }),
    );
    steps.extend(members_step(
        d,
        known,
        &gid,
        &group.members,
        &[],
        Some(&group.display_name),
    )?);
    Ok(steps)
}

/// The rename op of a PATCH dialect.
fn rename_op(d: &ScimDialect, scim_id: &str, name: &str) -> Result<PatchOperation, PlanError> {
    match d.group_rename {
        GroupRename::ValueWithId => op(
            PatchOpKind::Replace,
            None,
            Some(json!({"id": scim_id, "displayName": name})),
        ),
        GroupRename::PathReplace => {
            op(PatchOpKind::Replace, Some("displayName"), Some(json!(name)))
        }
        GroupRename::ValueObject => op(
            PatchOpKind::Replace,
            None,
            Some(json!({"displayName": name})),
        ),
    }
}

/// A PUT of the whole group (Okta AIW apps, S11): its name and every member the client
/// provisioned; the server's id goes in at send time.
fn put_group(
    d: &ScimDialect,
    known: &Knowledge,
    group: &str,
    name: &str,
    members: &std::collections::BTreeSet<String>,
    purpose: &'static str,
) -> Step {
    // In userName order: the ids are assigned as users are pushed, so their order is not
    // stable from run to run.
    let mut users: Vec<&KnownUser> = members.iter().filter_map(|m| known.user(m)).collect();
    users.sort_by(|a, b| a.pushed.user_name.cmp(&b.pushed.user_name));
    let values: Vec<Value> = users.into_iter().map(|k| member_value(d, k)).collect();
    let mut step = Step::new(purpose, Method::Put, Target::Group(group.to_string()))
        .body(json!({
            "schemas": d.create_group.schemas,
            "displayName": name,
            "members": values,
        }))
        .expect(d.expect.put, Answer::Resource);
    step.body_id = true;
    step
}

/// One member as this dialect writes it.
fn member_value(d: &ScimDialect, k: &KnownUser) -> Value {
    let mut v = Map::new();
    v.insert("value".into(), json!(k.scim_id));
    if d.member_add_display {
        v.insert("display".into(), json!(k.pushed.user_name));
    }
    if d.member_ref_null {
        // S6: Entra sends "$ref": null on every member value.
        v.insert("$ref".into(), Value::Null);
    }
    Value::Object(v)
}

fn rename_step(
    d: &ScimDialect,
    known: &Knowledge,
    group: &str,
    scim_id: &str,
    name: &str,
) -> Result<Step, PlanError> {
    let learn = Learn::GroupRenamed {
        group: group.to_string(),
        display_name: name.to_string(),
    };
    if d.group_update == GroupUpdate::Put {
        let members = known
            .group(group)
            .map(|g| g.members.clone())
            .unwrap_or_default();
        return Ok(put_group(d, known, group, name, &members, "rename the group").learn(learn));
    }
    let o = rename_op(d, scim_id, name)?;
    Ok(Step::new(
        "rename the group",
        Method::Patch,
        Target::Group(group.to_string()),
    )
    .body(patch_body(d, vec![o]))
    .expect(d.expect.group_patch, Answer::Nothing)
    .learn(learn))
}

/// One membership PATCH: removals first, then one add. Users the client never provisioned
/// are left out (the vendor pushes only users assigned to the app); nothing left, no request.
/// `pending_name`: the group's name when it is not yet what the client knows (created or
/// renamed earlier in the same plan).
fn members_step(
    d: &ScimDialect,
    known: &Knowledge,
    group: &str,
    add: &[String],
    remove: &[String],
    pending_name: Option<&str>,
) -> Result<Option<Step>, PlanError> {
    let pick = |ids: &[String]| -> Vec<(String, &KnownUser)> {
        let mut out: Vec<(String, &KnownUser)> = Vec::new();
        for id in ids {
            if let Some(k) = known.user(id) {
                if !out.iter().any(|(x, _)| x == id) {
                    out.push((id.clone(), k));
                }
            }
        }
        out
    };
    let add = pick(add);
    let remove = pick(remove);
    if add.is_empty() && remove.is_empty() {
        return Ok(None);
    }
    let learn = Learn::GroupMembers {
        group: group.to_string(),
        add: add.iter().map(|(id, _)| id.clone()).collect(),
        remove: remove.iter().map(|(id, _)| id.clone()).collect(),
    };
    let current = known.group(group);
    if d.group_update == GroupUpdate::Put {
        // S11: AIW apps PUT the group with its whole new member list.
        let mut members = current.map(|g| g.members.clone()).unwrap_or_default();
        for (id, _) in &remove {
            members.remove(id);
        }
        members.extend(add.iter().map(|(id, _)| id.clone()));
        let name = match (current, pending_name) {
            (_, Some(n)) => n.to_string(),
            (Some(g), None) => g.display_name.clone(),
            (None, None) => return Err(PlanError::UnknownGroup(group.to_string())),
        };
        return Ok(Some(
            put_group(
                d,
                known,
                group,
                &name,
                &members,
                "change the group's members",
            )
            .learn(learn),
        ));
    }
    let mut ops = Vec::new();
    if d.rename_with_members {
        // S11: Okta's membership PATCH repeats the rename op. A group created by this same plan
        // has no server id yet, so its first membership PATCH goes without it.
        if let Some(g) = current {
            ops.push(rename_op(
                d,
                &g.scim_id,
                pending_name.unwrap_or(&g.display_name),
            )?);
        }
    }
    if !remove.is_empty() {
        match d.member_removal {
            MemberRemoval::FilterPath => {
                for (_, k) in &remove {
                    let path = format!("members[{}]", eq_filter("value", &k.scim_id));
                    ops.push(op(PatchOpKind::Remove, Some(&path), None)?);
                }
            }
            MemberRemoval::ValueArray => {
                let values: Vec<Value> = remove
                    .iter()
                    .map(|(_, k)| {
                        let mut v = json!({"value": k.scim_id});
                        if d.member_ref_null {
                            v["$ref"] = Value::Null;
                        }
                        v
                    })
                    .collect();
                ops.push(op(
                    PatchOpKind::Remove,
                    Some("members"),
                    Some(Value::Array(values)),
                )?);
            }
        }
    }
    if !add.is_empty() {
        let values: Vec<Value> = add.iter().map(|(_, k)| member_value(d, k)).collect();
        ops.push(op(
            PatchOpKind::Add,
            Some("members"),
            Some(Value::Array(values)),
        )?);
    }
    Ok(Some(
        Step::new(
            "change the group's members",
            Method::Patch,
            Target::Group(group.to_string()),
        )
        .body(patch_body(d, ops))
        .expect(d.expect.group_patch, Answer::Nothing)
        .learn(learn),
    ))
}
