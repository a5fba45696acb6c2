//! Form and query parameters, parsed with bounds so that bad input is an error, never a panic or
//! an unbounded allocation.

/// Largest query string or form body parsed.
pub const MAX_INPUT: usize = 64 * 1024;
/// Most parameters in one request.
pub const MAX_PARAMS: usize = 64;
/// Largest single value (a `state` carrying a signed blob still fits).
pub const MAX_VALUE: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("request is larger than {MAX_INPUT} bytes")]
    TooLarge,
    #[error("more than {MAX_PARAMS} parameters")]
    TooMany,
    #[error("parameter {name:?} is longer than {MAX_VALUE} bytes")]
    ValueTooLong { name: String },
    #[error("parameters are not valid UTF-8 after percent-decoding")]
    NotUtf8,
}

/// A parameter that must appear at most once appeared more often (RFC 6749 3.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {0} is repeated")]
pub struct Repeated(pub &'static str);

/// Decoded `application/x-www-form-urlencoded` pairs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &[u8]) -> Result<Self, InputError> {
        if raw.len() > MAX_INPUT {
            return Err(InputError::TooLarge);
        }
        let mut pairs = Vec::new();
        for (k, v) in url::form_urlencoded::parse(raw) {
            if pairs.len() == MAX_PARAMS {
                return Err(InputError::TooMany);
            }
            // The parser decodes lossily; a replacement character means the bytes were not UTF-8.
            if k.contains('\u{FFFD}') || v.contains('\u{FFFD}') {
                return Err(InputError::NotUtf8);
            }
            if v.len() > MAX_VALUE || k.len() > MAX_VALUE {
                return Err(InputError::ValueTooLong {
                    name: super::clip(&k),
                });
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Self(pairs))
    }

    /// The single value of `name`; an empty value counts as absent (RFC 6749 3.1).
    pub fn one(&self, name: &'static str) -> Result<Option<&str>, Repeated> {
        let mut found = None;
        for (k, v) in &self.0 {
            if k == name {
                if found.is_some() {
                    return Err(Repeated(name));
                }
                found = Some(v.as_str());
            }
        }
        Ok(found.filter(|v| !v.is_empty()))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_empty() {
        let p = Params::parse(b"a=1&a=2&b=&c=x%20y").expect("parse");
        assert_eq!(p.one("a"), Err(Repeated("a")));
        assert_eq!(p.one("b"), Ok(None));
        assert_eq!(p.one("c"), Ok(Some("x y")));
        assert_eq!(p.one("d"), Ok(None));
    }

    #[test]
    fn bounds() {
        assert_eq!(Params::parse(b"a=%ff"), Err(InputError::NotUtf8));
        let long = format!("state={}", "x".repeat(MAX_VALUE + 1));
        assert!(matches!(
            Params::parse(long.as_bytes()),
            Err(InputError::ValueTooLong { .. })
        ));
        let many = (0..=MAX_PARAMS)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(Params::parse(many.as_bytes()), Err(InputError::TooMany));
        assert_eq!(
            Params::parse(&vec![b'a'; MAX_INPUT + 1]),
            Err(InputError::TooLarge)
        );
    }
}
