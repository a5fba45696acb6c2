//! Platform usernames [SCIM-8]: letters, digits and '-', no "--", no leading or trailing '-',
//! not all digits, 2 to 42 characters; unique case-insensitively (the store enforces that).

pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 42;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("username {0:?} must be {MIN_LEN} to {MAX_LEN} characters long")]
    Length(String),
    #[error("username {0:?} may contain only letters, digits and '-'")]
    Character(String),
    #[error("username {0:?} must not contain \"--\"")]
    DoubleHyphen(String),
    #[error("username {0:?} must not start or end with '-'")]
    EdgeHyphen(String),
    #[error("username {0:?} must not be all digits")]
    AllDigits(String),
}

/// Check `name` against the platform's username rules.
pub fn validate(name: &str) -> Result<(), UsernameError> {
    let err = |f: fn(String) -> UsernameError| Err(f(name.to_string()));
    let len = name.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return err(UsernameError::Length);
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return err(UsernameError::Character);
    }
    if name.contains("--") {
        return err(UsernameError::DoubleHyphen);
    }
    if name.starts_with('-') || name.ends_with('-') {
        return err(UsernameError::EdgeHyphen);
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return err(UsernameError::AllDigits);
    }
    Ok(())
}

/// Top-level path segments of the platform's own pages: never a namespace.
pub const RESERVED: &[&str] = &[
    "organizations",
    "login",
    "logout",
    "whoami",
    "invitations",
    "scim",
    "api",
    "settings",
    "new",
];

/// Whether `name` is a reserved path segment, case-insensitively.
pub fn is_reserved(name: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// A valid username derived from an IdP login or email (the local part of an address), for
/// just-in-time accounts [MAN-2]. Not yet checked for uniqueness: see [`with_suffix`].
pub fn derive(login: &str) -> String {
    let local = login.split('@').next().unwrap_or(login);
    let mut out = String::new();
    for c in local.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    // Leave room for a collision suffix such as "-12".
    out.truncate(MAX_LEN - 4);
    while out.ends_with('-') {
        out.pop();
    }
    if out.chars().all(|c| c.is_ascii_digit()) {
        out = if out.is_empty() {
            "user".into()
        } else {
            format!("user-{out}")
        };
    }
    if out.len() < MIN_LEN {
        out = format!("user-{out}");
    }
    out
}

/// The `n`th candidate for `base`: the base itself, then `base-2`, `base-3`, ...
pub fn with_suffix(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(validate("alice"), Ok(()));
        assert_eq!(validate("a-b-c9"), Ok(()));
        assert!(matches!(validate("a"), Err(UsernameError::Length(_))));
        assert!(matches!(
            validate(&"a".repeat(43)),
            Err(UsernameError::Length(_))
        ));
        assert!(validate(&"a".repeat(42)).is_ok());
        assert!(matches!(
            validate("a--b"),
            Err(UsernameError::DoubleHyphen(_))
        ));
        assert!(matches!(validate("-ab"), Err(UsernameError::EdgeHyphen(_))));
        assert!(matches!(validate("ab-"), Err(UsernameError::EdgeHyphen(_))));
        assert!(matches!(validate("1234"), Err(UsernameError::AllDigits(_))));
        assert!(matches!(validate("a_b"), Err(UsernameError::Character(_))));
        assert!(matches!(validate("a.b"), Err(UsernameError::Character(_))));
        assert!(matches!(validate("ñame"), Err(UsernameError::Character(_))));
    }

    #[test]
    fn derived_names_are_valid() {
        for (login, want) in [
            ("alice.archer@acme.example", "alice-archer"),
            ("Bob__Smith+tag@x", "bob-smith-tag"),
            ("12345@x", "user-12345"),
            ("x@y", "user-x"),
            ("@", "user"),
            ("--a--", "user-a"),
            ("00uabc", "00uabc"),
        ] {
            let d = derive(login);
            assert_eq!(d, want, "{login}");
            assert_eq!(validate(&d), Ok(()), "{login} -> {d}");
            assert_eq!(validate(&with_suffix(&d, 17)), Ok(()));
        }
        let long = derive(&"a".repeat(100));
        assert!(validate(&with_suffix(&long, 999)).is_ok());
    }
}
