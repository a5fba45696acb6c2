//! The platform's username rules, checked before a managed account is created or renamed
//! [SCIM-8]: letters, digits and '-', no "--", no leading or trailing '-', not all digits, 2 to
//! 42 characters. A bad name is a SCIM `invalidValue`, never a 500. Uniqueness is the
//! platform's to check (`PlatformError::UsernameTaken`).

use protocols::scim::ScimError;

pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 42;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("must be {MIN_LEN} to {MAX_LEN} characters long")]
    Length,
    #[error("may contain only letters, digits and '-'")]
    Character,
    #[error("must not contain \"--\"")]
    DoubleHyphen,
    #[error("must not start or end with '-'")]
    EdgeHyphen,
    #[error("must not be all digits")]
    AllDigits,
}

pub fn check(name: &str) -> Result<(), UsernameError> {
    if !(MIN_LEN..=MAX_LEN).contains(&name.chars().count()) {
        return Err(UsernameError::Length);
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(UsernameError::Character);
    }
    if name.contains("--") {
        return Err(UsernameError::DoubleHyphen);
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(UsernameError::EdgeHyphen);
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return Err(UsernameError::AllDigits);
    }
    Ok(())
}

/// [`check`] as the SCIM error a client sees.
pub fn check_scim(name: &str) -> Result<(), ScimError> {
    check(name).map_err(|e| {
        let shown: String = name.chars().take(60).collect();
        ScimError::invalid_value(format!(
            "userName {shown:?} is not a valid platform username: it {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_8_username_rules() {
        for ok in [
            "ab",
            "alice",
            "alice-liddell",
            "a1",
            "1a",
            "A-b-C",
            &"x".repeat(42),
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        let cases: [(&str, UsernameError); 9] = [
            ("a", UsernameError::Length),
            ("", UsernameError::Length),
            (&"x".repeat(43), UsernameError::Length),
            ("alice@example.com", UsernameError::Character),
            ("al ice", UsernameError::Character),
            ("élise", UsernameError::Character),
            ("al--ice", UsernameError::DoubleHyphen),
            ("-alice", UsernameError::EdgeHyphen),
            ("12345", UsernameError::AllDigits),
        ];
        for (bad, why) in cases {
            assert_eq!(check(bad), Err(why), "{bad}");
        }
        assert_eq!(check("alice-"), Err(UsernameError::EdgeHyphen));
        let e = check_scim("al--ice").expect_err("bad");
        assert_eq!(e.status(), 400);
        assert_eq!(e.scim_type().map(|t| t.as_str()), Some("invalidValue"));
    }
}
