//! The syntax errors of the filter and path parsers.

/// Why a filter or a path does not parse: the `detail` of the SCIM `invalidFilter` or
/// `invalidPath` error.
#[derive(Debug, thiserror::Error)]
pub(super) enum SyntaxError {
    #[error("{word:?} has an empty schema URN")]
    EmptySchemaUrn { word: String },
    #[error("{name:?} is not an attribute name")]
    NotAnAttributeName { name: String },
    #[error("{sub:?} is not a sub-attribute name")]
    NotASubAttributeName { sub: String },
    #[error("unterminated string starting at offset {start}")]
    UnterminatedString { start: usize },
    #[error("bad string literal at offset {start}: {source}")]
    BadString {
        start: usize,
        source: serde_json::Error,
    },
    /// `raw` is already truncated for display.
    #[error("bad number {raw:?} at offset {start}")]
    BadNumber { raw: String, start: usize },
    #[error("unexpected character {ch:?} at offset {start}")]
    UnexpectedCharacter { ch: char, start: usize },
    #[error("the input is {len} bytes long; the limit is {limit}")]
    TooLong { len: usize, limit: usize },
    #[error("the input is empty")]
    Empty,
    /// `found` describes the token (or the end) where `wanted` should have been.
    #[error("expected {wanted}, found {found}")]
    Unexpected { wanted: String, found: String },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize },
    /// `path` is the attribute path as printed.
    #[error("{path} has a sub-attribute before '['")]
    SubAttributeBeforeBracket { path: String },
    #[error("a value filter cannot contain another value filter")]
    NestedValueFilter,
}
