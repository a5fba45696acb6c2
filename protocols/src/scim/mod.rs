//! SCIM 2.0 wire code (RFC 7643 resources and schemas, RFC 7644 protocol messages), shared by
//! the SCIM server of the reference SP and the push clients of the mock IdPs.
//!
//! - [`error`]: [`ScimError`], one variant per rule, rendering status, `scimType` and the
//!   Error body.
//! - [`schema`]: schema URNs and the attribute definitions (types, case-exactness, plurality,
//!   mutability) that everything else reads; [`discovery`] renders ServiceProviderConfig,
//!   ResourceTypes and Schemas from them.
//! - [`resource`]: lenient normalisation of incoming resources (case-insensitive names,
//!   Entra's "True"/"False", unknown attributes per policy) and typed User/Group views.
//! - [`filter`] parses the filter and PATCH path grammars under length and depth bounds;
//!   [`eval`] evaluates filters over JSON resources.
//! - [`patch`]: PatchOp parsing and a pure applier that reports which attributes changed.
//! - [`page`]: startIndex/count and ListResponse; [`etag`]: weak versions and If-Match.
//! - [`search`]: the SearchRequest body of `POST /.search`.
//! - `json`: case-insensitive lookup of object members, below resource, eval and patch.
//!
//! Nothing here does I/O or reads a clock: times (meta.created...) are parameters.

pub mod discovery;
pub mod error;
pub mod etag;
pub mod eval;
pub mod filter;
mod json;
pub mod page;
pub mod patch;
pub mod resource;
pub mod schema;
pub mod search;

pub use error::{ScimError, ScimType};
pub use etag::{check_if_match, ETag, IfMatch};
pub use filter::{
    AttrPath, CompValue, CompareOp, Filter, FilterLimits, IndexKey, IndexLookup, PatchPath,
};
pub use page::{ListResponse, PageRequest};
pub use patch::{
    apply_patch, OpStyle, PatchOpKind, PatchOperation, PatchOptions, PatchOutcome, PatchRequest,
    UnmatchedRemove,
};
pub use resource::{
    normalize_resource, EnterpriseUser, Group, Member, Meta, MultiValue, Name, UnknownAttributes,
    User,
};
pub use schema::{
    ResourceSchema, CONTENT_TYPE, ENTERPRISE_USER_SCHEMA, ENTRA_ADSCIM_GROUP_SCHEMA, ERROR_MESSAGE,
    GROUP_RESOURCE, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, SEARCH_REQUEST, USER_RESOURCE,
    USER_SCHEMA,
};
pub use search::{SearchRequest, SortOrder};
