//! A SCIM push dialect: how one vendor's provisioning client talks, as a table of facts.
//!
//! This file holds the vocabulary only. The tables themselves live with their vendor
//! (`personality/okta.rs`, `personality/entra.rs`; Google has none), and `personality/scim.rs`
//! maps each [`DialectId`] to its table. Everything the planner and the answer checks do differently per vendor is
//! read from a [`ScimDialect`]; nothing else branches on the vendor.
//!
//! Facts come from shared/reference/vendors.md. Values it does not give are marked
//! "assumed" on the field that holds them, and each can be overridden per client
//! ([`crate::scim_push::ScimPushClient::with_user_agent`] and friends).

use protocols::scim::OpStyle;
use serde::{Deserialize, Serialize};

/// The dialects idpsim speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DialectId {
    /// An Okta Integration Network (catalogue) app.
    #[serde(rename = "okta-catalogue")]
    OktaCatalogue,
    /// An Okta app made with the App Integration Wizard.
    #[serde(rename = "okta-custom")]
    OktaCustom,
    /// Entra ID without compatibility flags.
    #[serde(rename = "entra")]
    EntraDefault,
    /// Entra ID with `aadOptscim062020` appended to the tenant URL.
    #[serde(rename = "entra-aadoptscim062020")]
    EntraAadOptScim062020,
}

impl DialectId {
    pub const ALL: [DialectId; 4] = [
        DialectId::OktaCatalogue,
        DialectId::OktaCustom,
        DialectId::EntraDefault,
        DialectId::EntraAadOptScim062020,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DialectId::OktaCatalogue => "okta-catalogue",
            DialectId::OktaCustom => "okta-custom",
            DialectId::EntraDefault => "entra",
            DialectId::EntraAadOptScim062020 => "entra-aadoptscim062020",
        }
    }
}

/// A SCIM dialect name none of [`DialectId::ALL`] or their aliases answers to (`given` is
/// lowercased).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown SCIM dialect {given:?} (okta-catalogue, okta-custom, entra, \
     entra-aadoptscim062020)"
)]
pub struct UnknownDialect {
    pub given: String,
}

impl std::str::FromStr for DialectId {
    type Err = UnknownDialect;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        DialectId::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .or(match s.as_str() {
                "okta" | "okta-oin" => Some(DialectId::OktaCatalogue),
                "okta-aiw" => Some(DialectId::OktaCustom),
                "entra-default" | "azure" => Some(DialectId::EntraDefault),
                "entra-aadoptscim" | "aadoptscim062020" => Some(DialectId::EntraAadOptScim062020),
                _ => None,
            })
            .ok_or(UnknownDialect { given: s })
    }
}

impl std::fmt::Display for DialectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How `op` is spelt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OpCase {
    /// "replace" (RFC, Okta, Entra with the flag).
    Lowercase,
    /// "Replace" (Entra's default).
    Capitalised,
}

impl OpCase {
    pub fn style(self) -> OpStyle {
        match self {
            OpCase::Lowercase => OpStyle::Lowercase,
            OpCase::Capitalised => OpStyle::Capitalised,
        }
    }
}

/// How `active` travels in a PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActiveForm {
    Boolean,
    /// The strings "True" and "False" (Entra's default).
    CapitalisedString,
}

/// How a user is deactivated and reactivated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Activation {
    /// PATCH `{"op":"replace","value":{"active":false}}`, no path (Okta catalogue).
    PathlessValue,
    /// PATCH `{"op":"Replace","path":"active","value":...}` (Entra).
    PathReplace,
    /// GET the user, then PUT the whole user with the new `active` (Okta custom).
    GetThenPut,
}

/// How a profile change travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProfileUpdate {
    /// GET the user, then PUT the whole user (Okta, both app kinds).
    GetThenPut,
    /// One PATCH with one Replace per changed attribute, each with its own path (Entra).
    ReplacePerAttribute,
    /// One PATCH with one replace whose value object has dotted keys (Entra with the flag).
    DottedValueObject,
}

/// Which attribute a user lookup filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LookupAttribute {
    UserName,
    /// The IdP's object id, sent as externalId (Entra's matching attribute).
    ExternalId,
}

/// The lookup before a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserLookup {
    pub attribute: LookupAttribute,
    /// `startIndex` and `count` sent with the filter (Okta: 1 and 100).
    pub paging: Option<(u32, u32)>,
    /// A 404 to the lookup means "absent" (Okta); otherwise it is a finding, since the client
    /// expects a ListResponse even with zero results (Entra).
    pub absent_on_404: bool,
}

/// The group lookup before a group create (Entra only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupLookup {
    /// `excludedAttributes=members` on the query.
    pub exclude_members: bool,
}

/// What the POST /Users body carries besides userName, name, emails, externalId and active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CreateUser {
    /// `meta: {"resourceType": "User"}` in the POST body (Entra, S6).
    pub meta: bool,
    pub schemas: &'static [&'static str],
    pub display_name: bool,
    /// Okta sends the user's locale (`en-US`).
    pub locale: Option<&'static str>,
    /// Entra sends `name.formatted`.
    pub formatted_name: bool,
    /// Okta sends a random password.
    pub password: bool,
    /// Okta sends `groups: []`.
    pub empty_groups: bool,
    /// Entra sends `roles: []`.
    pub empty_roles: bool,
}

/// What deleting a user in the IdP sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UserDelete {
    /// Never DELETE: the user becomes active=false (Okta).
    Deactivate,
    /// Soft delete (active=false) first when still active, then DELETE (Entra).
    SoftThenDelete,
}

/// The POST /Groups body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CreateGroup {
    /// The `schemas` of the POST body (Entra adds its ADSCIM Group schema, S6).
    pub schemas: &'static [&'static str],
    /// `meta: {"resourceType": "Group"}` in the POST body (Entra, S6).
    pub meta: bool,
    /// Send the IdP's group id as externalId (Entra).
    pub external_id: bool,
    /// Send `members: []` (Okta); members are PATCHed in afterwards either way.
    pub empty_members: bool,
}

/// How a member leaves a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MemberRemoval {
    /// `{"op":"remove","path":"members[value eq \"id\"]"}`, one op per member (Okta, flag).
    FilterPath,
    /// `{"op":"Remove","path":"members","value":[{"value":"id"}]}` (Entra's default).
    ValueArray,
}

/// How a group is renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GroupRename {
    /// `{"op":"replace","value":{"id":..., "displayName":...}}` (Okta).
    ValueWithId,
    /// `{"op":"Replace","path":"displayName","value":...}` (Entra's default).
    PathReplace,
    /// `{"op":"replace","value":{"displayName":...}}` (Entra with the flag).
    ValueObject,
}

/// The statuses the client takes as success.
/// How a group's name and members are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GroupUpdate {
    /// PATCH ops (rename and membership separately or together).
    Patch,
    /// PUT of the whole group: `schemas`, `id`, `displayName` and every member (Okta custom
    /// (AIW) apps, S11).
    Put,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expectations {
    pub create: &'static [u16],
    pub user_patch: &'static [u16],
    pub group_patch: &'static [u16],
    pub put: &'static [u16],
    pub delete: &'static [u16],
}

/// One vendor's SCIM client, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScimDialect {
    /// `displayName` is a profile attribute of PATCH updates, so a change of it is pushed
    /// (Entra, S6), even when the create does not send it.
    pub display_name_op: bool,
    /// Member values carry `"$ref": null` (Entra, S6).
    pub member_ref_null: bool,
    /// How group renames and membership changes are sent (Okta AIW apps PUT, S11).
    pub group_update: GroupUpdate,
    /// Every membership PATCH starts with the rename op (`replace {id, displayName}`), as Okta
    /// sends it (S11).
    pub rename_with_members: bool,
    pub id: DialectId,
    pub name: &'static str,
    pub user_agent: &'static str,
    pub accept: &'static str,
    /// Content-Type of request bodies.
    pub content_type: &'static str,
    /// Media types accepted on answers with a body; another one is a finding.
    pub response_media_types: &'static [&'static str],
    pub op_case: OpCase,
    pub active: ActiveForm,
    pub activation: Activation,
    pub profile_update: ProfileUpdate,
    pub user_lookup: UserLookup,
    pub create_user: CreateUser,
    pub user_delete: UserDelete,
    /// Groups are looked up by displayName before a create (Entra); None: POST straight away.
    pub group_lookup: Option<GroupLookup>,
    pub create_group: CreateGroup,
    /// Member adds carry `display` (Okta).
    pub member_add_display: bool,
    pub member_removal: MemberRemoval,
    pub group_rename: GroupRename,
    pub expect: Expectations,
    /// Socket timeout per request.
    pub timeout_secs: u64,
    /// The query flag on the tenant URL that selects this dialect (`aadOptscim062020`).
    pub flag_query: Option<&'static str>,
}

impl ScimDialect {
    /// `active` as this dialect writes it in a PATCH.
    pub fn active_value(&self, active: bool) -> serde_json::Value {
        match self.active {
            ActiveForm::Boolean => serde_json::Value::Bool(active),
            ActiveForm::CapitalisedString => {
                serde_json::Value::String(if active { "True" } else { "False" }.into())
            }
        }
    }
}
