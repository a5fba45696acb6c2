//! What a SCIM operation can fail with, and how each failure shows on the wire.

use protocols::scim::ScimError;

use super::platform::PlatformError;

/// A failed SCIM operation. Only [`Error::Scim`] is the client's fault; storage failures are
/// 500s whose details stay in the log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scim(#[from] ScimError),
    #[error("storage: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("platform: {0}")]
    Platform(#[from] PlatformError),
}

fn internal() -> ScimError {
    ScimError::Other {
        status: 500,
        scim_type: None,
        detail: "internal error; the request changed nothing".into(),
    }
}

impl Error {
    /// The SCIM error the client sees.
    pub fn to_scim(&self) -> ScimError {
        match self {
            Error::Scim(e) => e.clone(),
            Error::Store(e) => {
                tracing::error!(error = %e, "SCIM storage failure");
                internal()
            }
            Error::Platform(p) => match p {
                // A taken platform username is a bad value for this client, not a duplicate
                // of one of its own resources (those are 409 before the platform is asked).
                PlatformError::UsernameTaken { .. } => ScimError::invalid_value(p.to_string()),
                PlatformError::Refused { detail } => ScimError::invalid_value(detail.clone()),
                PlatformError::NotFound { .. } => ScimError::Other {
                    status: 409,
                    scim_type: None,
                    detail: format!("the platform no longer has it: {p}"),
                },
                PlatformError::Store(e) => {
                    tracing::error!(error = %e, "platform storage failure during SCIM");
                    internal()
                }
            },
        }
    }
}

/// Why [`super::link_group`] or [`super::unlink_group`] refused.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no pushed SCIM group {group:?} in this organisation")]
    GroupNotFound { group: String },
    #[error("no resource group {rg:?} in this organisation")]
    ResourceGroupNotFound { rg: String },
    /// Only an empty resource group (or one already managed by SCIM links) can be linked.
    #[error("resource group {rg:?} already has members that SCIM does not manage")]
    ResourceGroupNotEmpty { rg: String },
    #[error("storage: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("platform: {0}")]
    Platform(#[from] PlatformError),
}
