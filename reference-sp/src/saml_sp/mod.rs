//! SAML SP (being written).
