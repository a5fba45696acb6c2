//! The per-organisation SCIM 2.0 server (RFC 7643/7644) of the reference SP.
//!
//! Design:
//! - [`router`] answers `/{org}/Users`, `/{org}/Groups`, `/{org}/ServiceProviderConfig`,
//!   `/{org}/ResourceTypes` and `/{org}/Schemas`; the integrator nests it at
//!   `/scim/v2/organizations`. Handlers only translate HTTP ([`http`]); the wire rules come from
//!   `protocols::scim` (filters, PATCH, pagination, ETags, errors).
//! - The module owns its tables ([`store::migrate`]) and reaches the rest of the platform only
//!   through [`Platform`], whose methods take the open transaction. Each request runs in one
//!   transaction under the connection mutex, so writes are serialised (no lost update
//!   [SCIMSEC-CONC-1]) and a refused request, SCIM rows and platform rows alike, changes
//!   nothing.
//! - [`users`] and [`groups`] hold the Basic/Managed semantics of hub-sso.md [SCIM-*];
//!   [`link_group`] ties a pushed group to a resource group [SCIM-7].
//!
//! Choices where the spec leaves room:
//! - Basic mode, POST /Users with no platform account for any of the user's emails (nor for
//!   an email-shaped userName): 400 `invalidValue`, saying the account must exist first
//!   [SCIM-B1]. Two SCIM users for one account: 409 `uniqueness` on `emails`.
//! - Basic mode, a change to userName, name.givenName, name.familyName or the work email: 400
//!   `mutability`, nothing stored [SCIM-B2] (`Flaw::BasicProfileUpdates` applies it instead).
//! - Managed mode, a userName breaking the username rules or taken by an account outside
//!   this org's SCIM users: 400 `invalidValue` [SCIM-8]; a duplicate among the org's SCIM users:
//!   409 `uniqueness`.
//! - Group displayName is unique per organisation (case-insensitively), like userName.
//! - Group members must be Users of the same organisation (400 `invalidValue` otherwise);
//!   removing a member that is not there is a no-op; PATCH on a Group answers 204.
//! - A User's `roles` values that name a platform role (read, contributor, write, admin, any
//!   case) set the role of the invitation or membership SCIM creates; the highest wins.
//! - Deprovisioning ends sessions through [`Platform::end_sessions`], which (on the real
//!   platform, `crate::scim_adapter`, the admin API's own path) honours
//!   `Flaw::KeepSessionsOnDeprovision`.
//! - Bodies over 1 MiB: 413; a Content-Type other than application/scim+json or
//!   application/json: 415; discovery endpoints need the token too.
//! - `POST /Users/.search` and `/Groups/.search` answer as the same GET ([`query`]); search
//!   at the root is 501.
//! - A Group member's `display` is never stored: it is the member's displayName (else
//!   userName) when rendered, so /Schemas says readOnly and values sent are ignored. The
//!   enterprise manager's readOnly `displayName` is ignored likewise.

pub mod error;
pub mod groups;
pub mod http;
pub mod platform;
pub mod query;
pub mod store;
pub mod username;
pub mod users;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use protocols::scim::{
    PatchOptions, ResourceSchema, ScimError, UnknownAttributes, UnmatchedRemove,
};
use protocols::{IdGen, SharedClock, SharedIdGen};
use rusqlite::{Connection, Transaction};
use serde_json::Value;

use crate::flaws::Flaws;

pub use error::{Error, LinkError};
pub use http::router;
pub use platform::{AccountId, OrgMode, Platform, PlatformError, Profile, ResourceGroupId, Role};
pub use store::{migrate, mint_token, revoke_tokens, ScimToken};

/// Everything the SCIM router needs.
#[derive(Clone)]
pub struct ScimState {
    pub conn: Arc<Mutex<Connection>>,
    pub platform: Arc<dyn Platform>,
    pub clock: SharedClock,
    pub ids: SharedIdGen,
    pub flaws: Flaws,
    /// Where the router is nested, e.g. `https://sp.example/scim/v2/organizations`: resource
    /// locations are `{base_url}/{org}/Users/{id}`.
    pub base_url: String,
}

/// Unknown attributes are refused [SCIMSEC-BAD-1]; removing a value that is already gone is
/// not an error (idempotent retries from Okta and Entra).
/// Users and groups are patched alike.
pub(crate) const PATCH_OPTIONS: PatchOptions = PatchOptions {
    unknown: UnknownAttributes::Refuse,
    unmatched_remove: UnmatchedRemove::Ignore,
};

/// One request's view: the open transaction, the organisation and its mode.
pub(crate) struct Ctx<'a> {
    pub tx: &'a Transaction<'a>,
    pub platform: &'a dyn Platform,
    pub org: &'a str,
    pub mode: OrgMode,
    pub now: DateTime<Utc>,
    pub ids: &'a dyn IdGen,
    pub flaws: &'a Flaws,
    pub base_url: &'a str,
}

/// `{base_url}/{org}`: the org's SCIM base, as discovery documents and locations name it.
pub(crate) fn org_base(base_url: &str, org: &str) -> String {
    format!("{}/{org}", base_url.trim_end_matches('/'))
}

/// `{base_url}/{org}/{collection}/{id}`.
pub(crate) fn location(base_url: &str, org: &str, collection: &str, id: &str) -> String {
    format!("{}/{collection}/{id}", org_base(base_url, org))
}

/// A resource as answered: its JSON, version and location.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub json: Value,
    pub version: u64,
    pub location: String,
}

/// A POST or PUT body must list the resource's core schema and nothing foreign
/// [SCIMSEC-BAD-1], except Entra's ADSCIM Group schema on a Group: Entra sends it on every
/// POST /Groups (vendor-audit S6), so an SP that refuses it cannot provision from Entra.
pub(crate) fn check_schemas(body: &Value, schema: &ResourceSchema) -> Result<(), ScimError> {
    let listed = body
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("schemas")))
        .map(|(_, v)| v);
    let Some(Value::Array(urns)) = listed else {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must be an array listing {}",
            schema.core.id
        )));
    };
    let mut has_core = false;
    for urn in urns {
        let Some(u) = urn.as_str() else {
            return Err(ScimError::invalid_syntax("schemas must hold URN strings"));
        };
        if u.eq_ignore_ascii_case(schema.core.id) {
            has_core = true;
        } else if schema.core.id == protocols::scim::GROUP_SCHEMA
            && u.eq_ignore_ascii_case(protocols::scim::ENTRA_ADSCIM_GROUP_SCHEMA)
        {
            // Tolerated, not stored: it defines nothing the SP keeps.
        } else if schema.extension(u).is_none() {
            let shown: String = u.chars().take(100).collect();
            return Err(ScimError::invalid_syntax(format!(
                "schema {shown:?} is not a schema of {}",
                schema.name
            )));
        }
    }
    if !has_core {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must list {}",
            schema.core.id
        )));
    }
    Ok(())
}

/// Links pushed group `group_id` to resource group `rg` with `role` [SCIM-7]: the group's
/// active members are backfilled into `rg`, and later membership changes follow. Calling it
/// again with another role changes every member's role; with another resource group it
/// moves the link. Only a resource group without members, or one whose members all come from
/// SCIM links, can be linked.
pub fn link_group(
    platform: &dyn Platform,
    tx: &Transaction<'_>,
    org: &str,
    group_id: &str,
    rg: &ResourceGroupId,
    role: Role,
) -> Result<(), LinkError> {
    groups::link(platform, tx, org, group_id, rg, role)
}

/// Removes the link of `group_id`; the members it gave to the resource group lose that role
/// (keeping the highest role from any other linked group).
pub fn unlink_group(
    platform: &dyn Platform,
    tx: &Transaction<'_>,
    org: &str,
    group_id: &str,
) -> Result<(), LinkError> {
    groups::unlink(platform, tx, org, group_id)
}

/// Whether SCIM manages `rg`'s membership (some pushed group is linked to it): the platform
/// then refuses manual membership changes with 403 [SCIM-7].
pub fn is_scim_managed(
    conn: &Connection,
    org: &str,
    rg: &ResourceGroupId,
) -> rusqlite::Result<bool> {
    Ok(!store::groups(conn, org, store::GroupKey::LinkedTo(rg))?.is_empty())
}

/// A pushed group as the admin API lists it, to pick one to link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedGroup {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: usize,
    pub link: Option<(ResourceGroupId, Role)>,
}

/// The organisation's pushed groups, in the order they were created.
pub fn pushed_groups(conn: &Connection, org: &str) -> rusqlite::Result<Vec<PushedGroup>> {
    store::groups(conn, org, store::GroupKey::All)?
        .into_iter()
        .map(|g| {
            Ok(PushedGroup {
                members: store::members(conn, org, &g.id)?.len(),
                id: g.id,
                display_name: g.display_name,
                external_id: g.external_id,
                link: g.link,
            })
        })
        .collect()
}
