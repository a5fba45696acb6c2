//! Mock identity providers.
