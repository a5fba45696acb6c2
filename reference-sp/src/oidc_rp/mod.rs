//! OIDC RP (being written).
