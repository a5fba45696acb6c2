//! The string ids of the mocks: [`TenantId`] here, [`EntityId`] and [`ClientId`] shared with the
//! reference SP from `protocols::id_types`.

pub use protocols::id_types::{ClientId, EntityId};

protocols::string_id! {
    /// A tenant's id within its vendor (`acme`, an Entra directory GUID, ...): the `{id}` of its
    /// URLs and of the control API's `/tenants/{vendor}/{id}`.
    TenantId
}
