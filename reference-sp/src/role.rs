//! The platform's vocabulary, below everything that uses it (the domain rules, the store, the
//! SCIM server): organisation roles, ordered by privilege [ROLE-1] (read < contributor < write <
//! admin), organisation SSO modes, and membership sources.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Read,
    Contributor,
    Write,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Read, Role::Contributor, Role::Write, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Contributor => "contributor",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }

    /// Case-insensitive, as IdPs spell role values however their admins typed them.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is none of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {given:?}; roles are read, contributor, write, admin")]
pub struct UnknownRole {
    pub given: String,
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole {
                given: s.to_string(),
            })
    }
}

/// Organisation SSO mode [MODE-1], [MODE-2].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgMode {
    /// SSO guards the organisation's resources only; accounts are the users' own.
    Basic,
    /// The IdP owns the accounts and guards the whole platform.
    Managed,
}

impl OrgMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgMode::Basic => "basic",
            OrgMode::Managed => "managed",
        }
    }
}

/// A mode name that is neither `basic` nor `managed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mode {given:?}; modes are basic, managed")]
pub struct UnknownOrgMode {
    pub given: String,
}

impl FromStr for OrgMode {
    type Err = UnknownOrgMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "basic" => Ok(OrgMode::Basic),
            "managed" => Ok(OrgMode::Managed),
            other => Err(UnknownOrgMode {
                given: other.to_string(),
            }),
        }
    }
}

/// How a membership came about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Sso,
    Invite,
    Scim,
    Direct,
    Other(String),
}

impl Source {
    pub fn as_str(&self) -> &str {
        match self {
            Source::Sso => "sso",
            Source::Invite => "invite",
            Source::Scim => "scim",
            Source::Direct => "direct",
            Source::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "sso" => Source::Sso,
            "invite" => Source::Invite,
            "scim" => Source::Scim,
            "direct" => Source::Direct,
            other => Source::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_privilege() {
        assert!(Role::Read < Role::Contributor);
        assert!(Role::Contributor < Role::Write);
        assert!(Role::Write < Role::Admin);
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("owner".parse::<Role>().is_err());
    }
}
