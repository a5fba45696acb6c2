//! The reference SP's own string ids, made with [`protocols::string_id!`] (the ids it shares
//! with the mocks come from `protocols::id_types`).

protocols::string_id! {
    /// An organisation's slug: the `{org}` of `/organizations/{org}/...` and of the SCIM and
    /// admin URLs. Stored in the `orgs.slug` column (converted at the store boundary).
    OrgSlug
}
