//! Weak ETags for `meta.version` (RFC 7644 §3.14) and the If-Match / If-None-Match check.
//!
//! Versions are weak tags over a counter, `W/"3"`. Preconditions use the weak comparison
//! (RFC 9110 §8.8.3.2: same opaque tag, either side may be weak): SCIM versions are weak by
//! definition and clients echo them back as given, so a strong comparison would never match.

use std::fmt;

use super::error::ScimError;

/// `W/"n"`: the weak ETag of version `n`.
pub fn weak(version: u64) -> String {
    ETag::weak_version(version).to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag {
    pub weak: bool,
    /// The opaque tag, without quotes.
    pub tag: String,
}

/// Longest If-Match header accepted.
const MAX_HEADER: usize = 4096;

fn is_etagc(c: char) -> bool {
    c != '"' && (c == '!' || ('#'..='~').contains(&c) || !c.is_ascii())
}

impl ETag {
    pub fn weak_version(version: u64) -> ETag {
        ETag {
            weak: true,
            tag: version.to_string(),
        }
    }

    /// Parses one entity tag: `W/"x"`, `"x"`, or (leniently) a bare token `x`.
    pub fn parse(s: &str) -> Result<ETag, ScimError> {
        let bad = || ScimError::invalid_value(format!("{s:?} is not an entity tag"));
        let s = s.trim();
        if s.len() > MAX_HEADER {
            return Err(ScimError::invalid_value("entity tag too long"));
        }
        let (weak, rest) = match s.strip_prefix("W/") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let tag = match rest.strip_prefix('"') {
            Some(r) => r.strip_suffix('"').ok_or_else(bad)?,
            None if !rest.is_empty() && !weak => rest,
            None => return Err(bad()),
        };
        if !tag.chars().all(is_etagc) {
            return Err(bad());
        }
        Ok(ETag {
            weak,
            tag: tag.to_string(),
        })
    }

    /// The counter, when the tag is one of ours.
    pub fn version(&self) -> Option<u64> {
        self.tag.parse().ok()
    }

    /// RFC 9110 weak comparison: the opaque tags are equal.
    pub fn weak_eq(&self, other: &ETag) -> bool {
        self.tag == other.tag
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            f.write_str("W/")?;
        }
        write!(f, "\"{}\"", self.tag)
    }
}

/// An If-Match (or If-None-Match) header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current version.
    Any,
    Tags(Vec<ETag>),
}

impl IfMatch {
    /// Parses `*` or a comma-separated list of entity tags.
    pub fn parse(header: &str) -> Result<IfMatch, ScimError> {
        if header.len() > MAX_HEADER {
            return Err(ScimError::invalid_value(format!(
                "If-Match is longer than {MAX_HEADER} bytes"
            )));
        }
        let h = header.trim();
        if h == "*" {
            return Ok(IfMatch::Any);
        }
        let tags = h
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(ETag::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if tags.is_empty() {
            return Err(ScimError::invalid_value("If-Match names no entity tag"));
        }
        Ok(IfMatch::Tags(tags))
    }

    /// Whether the header admits the resource at `current` (weak comparison).
    pub fn matches(&self, current: &ETag) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => tags.iter().any(|t| t.weak_eq(current)),
        }
    }
}

/// The If-Match precondition of a PUT, PATCH or DELETE: no header passes; otherwise the header
/// must parse and admit `current`, or the request fails with 412.
pub fn check_if_match(header: Option<&str>, current: &ETag) -> Result<(), ScimError> {
    let Some(h) = header else {
        return Ok(());
    };
    if IfMatch::parse(h)?.matches(current) {
        Ok(())
    } else {
        Err(ScimError::precondition_failed(h, current.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;

    #[test]
    fn format_and_parse() {
        assert_eq!(weak(7), "W/\"7\"");
        let t = ETag::parse("W/\"7\"").expect("etag");
        assert_eq!(t, ETag::weak_version(7));
        assert_eq!(t.version(), Some(7));
        assert!(!ETag::parse("\"abc\"").expect("strong").weak);
        assert_eq!(ETag::parse("abc").expect("bare").tag, "abc");
        for bad in ["W/7", "\"a", "W/\"a\"b\"", "", "W/"] {
            let e = ETag::parse(bad).expect_err(bad);
            assert_eq!(e.scim_type(), Some(ScimType::InvalidValue));
        }
    }

    #[test]
    fn if_match_uses_weak_comparison() {
        let cur = ETag::weak_version(3);
        assert!(IfMatch::parse("W/\"3\"").expect("h").matches(&cur));
        assert!(IfMatch::parse("\"3\"").expect("h").matches(&cur));
        assert!(IfMatch::parse("W/\"1\", W/\"3\"").expect("h").matches(&cur));
        assert!(IfMatch::parse("*").expect("h").matches(&cur));
        assert!(!IfMatch::parse("W/\"2\"").expect("h").matches(&cur));
        assert!(check_if_match(None, &cur).is_ok());
        let e = check_if_match(Some("W/\"2\""), &cur).expect_err("stale");
        assert_eq!(e.status(), 412);
        assert!(check_if_match(Some(" , "), &cur).is_err());
        assert!(check_if_match(Some(&"x".repeat(5000)), &cur).is_err());
    }
}
