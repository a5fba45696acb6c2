//! Typed step parameters: `{vendor}`, `{protocol}`, `{mode}`, `{role}`, `{unit}`, `{req}`.

use cucumber::Parameter;
use std::str::FromStr;

/// A step parameter that is none of its kind's values (the regexes keep these out; the text is
/// for a regex and a parser that disagree).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownParam {
    #[error("unknown {kind} {given:?}")]
    Unknown { kind: &'static str, given: String },
    #[error("not a requirement reference: {given:?}")]
    NotARequirement { given: String },
}

impl UnknownParam {
    fn unknown(kind: &'static str, given: &str) -> Self {
        Self::Unknown {
            kind,
            given: given.to_string(),
        }
    }
}

/// The IdP a scenario's organisation trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "vendor", regex = "Okta|Entra|Google")]
pub enum Vendor {
    Okta,
    Entra,
    Google,
}

impl FromStr for Vendor {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Okta" => Ok(Vendor::Okta),
            "Entra" => Ok(Vendor::Entra),
            "Google" => Ok(Vendor::Google),
            other => Err(UnknownParam::unknown("vendor", other)),
        }
    }
}

impl Vendor {
    pub fn mock(self) -> mock_idps::Vendor {
        match self {
            Vendor::Okta => mock_idps::Vendor::Okta,
            Vendor::Entra => mock_idps::Vendor::Entra,
            Vendor::Google => mock_idps::Vendor::Google,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Vendor::Okta => "Okta",
            Vendor::Entra => "Entra",
            Vendor::Google => "Google",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "protocol", regex = "SAML|OIDC")]
pub enum Protocol {
    Saml,
    Oidc,
}

impl FromStr for Protocol {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "SAML" => Ok(Protocol::Saml),
            "OIDC" => Ok(Protocol::Oidc),
            other => Err(UnknownParam::unknown("protocol", other)),
        }
    }
}

impl Protocol {
    /// The admin API's name for it.
    pub fn api(self) -> &'static str {
        match self {
            Protocol::Saml => "saml",
            Protocol::Oidc => "oidc",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "mode", regex = "Basic|Managed")]
pub enum Mode {
    Basic,
    Managed,
}

impl FromStr for Mode {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Basic" => Ok(Mode::Basic),
            "Managed" => Ok(Mode::Managed),
            other => Err(UnknownParam::unknown("mode", other)),
        }
    }
}

impl Mode {
    pub fn api(self) -> &'static str {
        match self {
            Mode::Basic => "basic",
            Mode::Managed => "managed",
        }
    }
}

/// An organisation role, least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Parameter)]
#[param(name = "role", regex = "read|contributor|write|admin")]
pub enum Role {
    Read,
    Contributor,
    Write,
    Admin,
}

impl FromStr for Role {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Role::Read),
            "contributor" => Ok(Role::Contributor),
            "write" => Ok(Role::Write),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownParam::unknown("role", other)),
        }
    }
}

impl Role {
    pub fn api(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Contributor => "contributor",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }
}

/// A span of virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "unit", regex = "days?|hours?|minutes?|seconds?")]
pub enum Unit {
    Day,
    Hour,
    Minute,
    Second,
}

impl FromStr for Unit {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim_end_matches('s') {
            "day" => Ok(Unit::Day),
            "hour" => Ok(Unit::Hour),
            "minute" => Ok(Unit::Minute),
            "second" => Ok(Unit::Second),
            other => Err(UnknownParam::unknown("unit", other)),
        }
    }
}

impl Unit {
    pub fn seconds(self, n: i64) -> i64 {
        n * match self {
            Unit::Day => 86_400,
            Unit::Hour => 3_600,
            Unit::Minute => 60,
            Unit::Second => 1,
        }
    }
}

/// The requirement a Then names, e.g. `[ROLE-3]` or `[SESS-2, MODE-1]`.
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(
    name = "req",
    regex = r"\[[A-Z]+(?:-[0-9A-Z]+)+(?:, [A-Z]+(?:-[0-9A-Z]+)+)*\]"
)]
pub struct Req(pub Vec<String>);

impl FromStr for Req {
    type Err = UnknownParam;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let inner = s
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .ok_or_else(|| UnknownParam::NotARequirement {
                given: s.to_string(),
            })?;
        Ok(Req(inner.split(", ").map(str::to_string).collect()))
    }
}

impl std::fmt::Display for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}]", self.0.join(", "))
    }
}
