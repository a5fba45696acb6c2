//! The filter grammar of RFC 7644 §3.4.2.2 and the PATCH path grammar of §3.5.2, parsed into a
//! small AST. Evaluation lives in [`super::eval`].
//!
//! Hostile input is bounded before it can hurt: the input length is checked first, and the only
//! recursion (parentheses, `not(...)`, `[...]`) counts its depth, so 10,000 opening parentheses
//! are an `invalidFilter` error rather than a stack overflow. `and`/`or` chains are flat vectors,
//! so the tree depth (and the recursion of evaluation, display and drop) is the nesting depth.

use std::fmt;

use serde_json::Number;

use super::error::ScimError;
use syntax::SyntaxError;

mod syntax;

/// Limits on untrusted filter and path strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterLimits {
    /// Longest accepted input, in bytes.
    pub max_len: usize,
    /// Deepest accepted nesting of `(`, `not(` and `[`.
    pub max_depth: usize,
}

impl Default for FilterLimits {
    fn default() -> Self {
        FilterLimits {
            max_len: 4096,
            max_depth: 32,
        }
    }
}

/// `[schema URN ":"] name ["." subAttr]`. Names keep the case the client sent; every lookup
/// compares them case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub uri: Option<String>,
    pub name: String,
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// A bare attribute name, e.g. `AttrPath::simple("userName")`.
    pub fn simple(name: impl Into<String>) -> Self {
        AttrPath {
            uri: None,
            name: name.into(),
            sub_attr: None,
        }
    }

    /// Parses `name`, `name.sub`, or `urn:...:name[.sub]` (the URN ends at the last colon).
    pub fn parse(s: &str) -> Result<AttrPath, ScimError> {
        parse_attr_path(s).map_err(|d| ScimError::invalid_path(s, d.to_string()))
    }
}

fn is_attr_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_attr_path(word: &str) -> Result<AttrPath, SyntaxError> {
    let (uri, rest) = match word.rfind(':') {
        Some(i) if i > 0 => (Some(&word[..i]), &word[i + 1..]),
        Some(_) => {
            return Err(SyntaxError::EmptySchemaUrn {
                word: word.to_string(),
            })
        }
        None => (None, word),
    };
    let (name, sub) = match rest.split_once('.') {
        Some((n, s)) => (n, Some(s)),
        None => (rest, None),
    };
    if !is_attr_name(name) {
        return Err(SyntaxError::NotAnAttributeName {
            name: name.to_string(),
        });
    }
    if let Some(s) = sub {
        if !is_attr_name(s) {
            return Err(SyntaxError::NotASubAttributeName { sub: s.to_string() });
        }
    }
    Ok(AttrPath {
        uri: uri.map(str::to_string),
        name: name.to_string(),
        sub_attr: sub.map(str::to_string),
    })
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.uri {
            write!(f, "{u}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(s) = &self.sub_attr {
            write!(f, ".{s}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<CompareOp> {
        const OPS: [(&str, CompareOp); 9] = [
            ("eq", CompareOp::Eq),
            ("ne", CompareOp::Ne),
            ("co", CompareOp::Co),
            ("sw", CompareOp::Sw),
            ("ew", CompareOp::Ew),
            ("gt", CompareOp::Gt),
            ("lt", CompareOp::Lt),
            ("ge", CompareOp::Ge),
            ("le", CompareOp::Le),
        ];
        OPS.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(word))
            .map(|(_, op)| *op)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// gt, ge, lt, le: not allowed on booleans and binaries (RFC 7644 §3.4.2.2).
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }
}

/// A comparison literal.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    String(String),
    Number(Number),
    Bool(bool),
    Null,
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::String(s) => {
                // Serialising a str to JSON cannot fail.
                f.write_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?)
            }
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

/// A parsed filter. `And`/`Or` hold two or more operands.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    Present(AttrPath),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some value of the multi-valued `attr` matches `filter`, whose attribute
    /// names are relative to that value.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

impl Filter {
    /// Parses with the default [`FilterLimits`].
    pub fn parse(input: &str) -> Result<Filter, ScimError> {
        Filter::parse_with(input, FilterLimits::default())
    }

    pub fn parse_with(input: &str, limits: FilterLimits) -> Result<Filter, ScimError> {
        let invalid = |e: SyntaxError| ScimError::invalid_filter(e.to_string());
        let mut p = Parser::new(input, limits).map_err(invalid)?;
        let f = p.filter().map_err(invalid)?;
        p.expect_end().map_err(invalid)?;
        Ok(f)
    }

    /// `attr eq "value"`.
    pub fn eq(path: AttrPath, value: impl Into<String>) -> Filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(value.into()),
        }
    }

    /// The operands when every one is an `eq` on a plain (sub-)attribute: what a missing value
    /// can be synthesised from (`emails[type eq "work"]` -> `{"type": "work"}`).
    pub fn equalities(&self) -> Option<Vec<(&AttrPath, &CompValue)>> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } if *value != CompValue::Null => Some(vec![(path, value)]),
            Filter::And(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(i.equalities()?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parenthesise exactly what the parser would otherwise flatten or regroup, so that
        // display then parse gives the same tree.
        fn operand(f: &mut fmt::Formatter<'_>, x: &Filter, parent_is_and: bool) -> fmt::Result {
            let wrap = match x {
                Filter::Or(_) => true,
                Filter::And(_) => parent_is_and,
                _ => false,
            };
            if wrap {
                write!(f, "({x})")
            } else {
                write!(f, "{x}")
            }
        }
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(p) => write!(f, "{p} pr"),
            Filter::And(items) | Filter::Or(items) => {
                let is_and = matches!(self, Filter::And(_));
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if is_and { " and " } else { " or " })?;
                    }
                    operand(f, x, is_and)?;
                }
                Ok(())
            }
            Filter::Not(x) => write!(f, "not ({x})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

/// A PATCH `path`: `attrPath` or `valuePath ["." subAttr]` (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute; its `sub_attr` is set only for the `name.givenName` form.
    pub attr: AttrPath,
    /// The `[...]` value filter.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`, as in `emails[type eq "work"].value`.
    pub sub_attr: Option<String>,
}

impl PatchPath {
    /// Parses a path; every failure is `invalidPath`.
    pub fn parse(input: &str) -> Result<PatchPath, ScimError> {
        PatchPath::parse_with(input, FilterLimits::default())
    }

    pub fn parse_with(input: &str, limits: FilterLimits) -> Result<PatchPath, ScimError> {
        let err = |d: SyntaxError| ScimError::invalid_path(truncate(input), d.to_string());
        let mut p = Parser::new(input, limits).map_err(err)?;
        let path = p.patch_path().map_err(err)?;
        p.expect_end().map_err(err)?;
        Ok(path)
    }

    /// The sub-attribute the path ends in, whichever form it takes.
    pub fn sub_attribute(&self) -> Option<&str> {
        self.sub_attr.as_deref().or(self.attr.sub_attr.as_deref())
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(x) = &self.filter {
            write!(f, "[{x}]")?;
        }
        if let Some(s) = &self.sub_attr {
            write!(f, ".{s}")?;
        }
        Ok(())
    }
}

/// Error details quote at most this much of the offending input.
fn truncate(s: &str) -> String {
    const MAX: usize = 120;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Dot,
    Str(String),
    Num(Number),
    Word(&'a str),
}

fn describe(t: Option<&(usize, Tok<'_>)>) -> String {
    match t {
        None => "the end of the input".into(),
        Some((pos, t)) => {
            let what = match t {
                Tok::LParen => "'('".into(),
                Tok::RParen => "')'".into(),
                Tok::LBracket => "'['".into(),
                Tok::RBracket => "']'".into(),
                Tok::Dot => "'.'".into(),
                Tok::Str(s) => format!("the string {}", truncate(&format!("{s:?}"))),
                Tok::Num(n) => format!("the number {n}"),
                Tok::Word(w) => format!("{:?}", truncate(w)),
            };
            format!("{what} at offset {pos}")
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '$')
}

fn lex(input: &str) -> Result<Vec<(usize, Tok<'_>)>, SyntaxError> {
    let bytes = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'.' => Tok::Dot,
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return Err(SyntaxError::UnterminatedString { start }),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                // `i` is on the closing quote, an ASCII byte, so both ends are char boundaries.
                let raw = &input[start..=i];
                let s: String = serde_json::from_str(raw)
                    .map_err(|source| SyntaxError::BadString { start, source })?;
                i += 1;
                out.push((start, Tok::Str(s)));
                continue;
            }
            b'-' | b'0'..=b'9' => {
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let raw = &input[start..i];
                let n: Number = serde_json::from_str(raw).map_err(|_| SyntaxError::BadNumber {
                    raw: truncate(raw),
                    start,
                })?;
                // serde_json (without float_roundtrip) may be an ulp off; std rounds exactly,
                // so a literal reads back as the value it displays.
                let n = match (
                    n.is_f64(),
                    raw.parse::<f64>().ok().and_then(Number::from_f64),
                ) {
                    (true, Some(exact)) => exact,
                    _ => n,
                };
                out.push((start, Tok::Num(n)));
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'$' => {
                while i < bytes.len() && is_word_char(bytes[i] as char) {
                    i += 1;
                }
                out.push((start, Tok::Word(&input[start..i])));
                continue;
            }
            _ => {
                let ch = input[start..].chars().next().unwrap_or('?');
                return Err(SyntaxError::UnexpectedCharacter { ch, start });
            }
        };
        i += 1;
        out.push((start, tok));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser<'a> {
    toks: Vec<(usize, Tok<'a>)>,
    pos: usize,
    depth: usize,
    limits: FilterLimits,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, limits: FilterLimits) -> Result<Self, SyntaxError> {
        if input.len() > limits.max_len {
            return Err(SyntaxError::TooLong {
                len: input.len(),
                limit: limits.max_len,
            });
        }
        let toks = lex(input)?;
        if toks.is_empty() {
            return Err(SyntaxError::Empty);
        }
        Ok(Parser {
            toks,
            pos: 0,
            depth: 0,
            limits,
        })
    }

    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn peek_word(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn unexpected(&self, wanted: &str) -> SyntaxError {
        SyntaxError::Unexpected {
            wanted: wanted.to_string(),
            found: describe(self.toks.get(self.pos)),
        }
    }

    fn expect(&mut self, tok: Tok<'static>, wanted: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(wanted))
        }
    }

    fn expect_end(&self) -> Result<(), SyntaxError> {
        if self.pos == self.toks.len() {
            Ok(())
        } else {
            Err(self.unexpected("an operator or the end of the input"))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(SyntaxError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        Ok(())
    }

    /// filter := and ("or" and)*
    fn filter(&mut self) -> Result<Filter, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.peek_word("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Filter::Or(items)
        })
    }

    /// and := unary ("and" unary)*
    fn and(&mut self) -> Result<Filter, SyntaxError> {
        let mut items = vec![self.unary()?];
        while self.peek_word("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Filter::And(items)
        })
    }

    fn parenthesised(&mut self) -> Result<Filter, SyntaxError> {
        self.enter()?;
        self.expect(Tok::LParen, "'('")?;
        let inner = self.filter()?;
        self.expect(Tok::RParen, "')'")?;
        self.depth -= 1;
        Ok(inner)
    }

    /// unary := "not" "(" filter ")" | "(" filter ")" | attrPath "[" filter "]"
    ///        | attrPath "pr" | attrPath compareOp compValue
    fn unary(&mut self) -> Result<Filter, SyntaxError> {
        if self.peek() == Some(&Tok::LParen) {
            return self.parenthesised();
        }
        if self.peek_word("not") && matches!(self.toks.get(self.pos + 1), Some((_, Tok::LParen))) {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.parenthesised()?)));
        }
        let path = self.attr_path()?;
        if self.peek() == Some(&Tok::LBracket) {
            if path.sub_attr.is_some() {
                return Err(SyntaxError::SubAttributeBeforeBracket {
                    path: path.to_string(),
                });
            }
            let filter = self.bracket()?;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(filter),
            });
        }
        let op_word = match self.peek() {
            Some(Tok::Word(w)) => *w,
            _ => {
                return Err(self.unexpected(&format!(
                    "eq, ne, co, sw, ew, gt, lt, ge, le or pr after {path}"
                )))
            }
        };
        let op = if op_word.eq_ignore_ascii_case("pr") {
            None
        } else {
            match CompareOp::parse(op_word) {
                Some(op) => Some(op),
                None => {
                    return Err(self.unexpected(&format!(
                        "eq, ne, co, sw, ew, gt, lt, ge, le or pr after {path}"
                    )))
                }
            }
        };
        self.pos += 1;
        let Some(op) = op else {
            return Ok(Filter::Present(path));
        };
        let value = match self.peek() {
            Some(Tok::Str(s)) => CompValue::String(s.clone()),
            Some(Tok::Num(n)) => CompValue::Number(n.clone()),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => CompValue::Null,
            _ => {
                return Err(self.unexpected(&format!(
                    "a string, number, true, false or null after {path} {}",
                    op.as_str()
                )));
            }
        };
        self.pos += 1;
        Ok(Filter::Compare { path, op, value })
    }

    /// "[" filter "]", where the filter may not hold another value path.
    fn bracket(&mut self) -> Result<Filter, SyntaxError> {
        self.enter()?;
        self.expect(Tok::LBracket, "'['")?;
        let inner = self.filter()?;
        if contains_value_path(&inner) {
            return Err(SyntaxError::NestedValueFilter);
        }
        self.expect(Tok::RBracket, "']'")?;
        self.depth -= 1;
        Ok(inner)
    }

    fn attr_path(&mut self) -> Result<AttrPath, SyntaxError> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = *w;
                let p = parse_attr_path(w)?;
                self.pos += 1;
                Ok(p)
            }
            _ => Err(self.unexpected("an attribute name")),
        }
    }

    /// attrPath / valuePath ["." subAttr]
    fn patch_path(&mut self) -> Result<PatchPath, SyntaxError> {
        let attr = self.attr_path()?;
        if self.peek() != Some(&Tok::LBracket) {
            return Ok(PatchPath {
                attr,
                filter: None,
                sub_attr: None,
            });
        }
        if attr.sub_attr.is_some() {
            return Err(SyntaxError::SubAttributeBeforeBracket {
                path: attr.to_string(),
            });
        }
        let filter = self.bracket()?;
        let mut sub_attr = None;
        if self.peek() == Some(&Tok::Dot) {
            self.pos += 1;
            match self.peek() {
                Some(Tok::Word(w)) if is_attr_name(w) => sub_attr = Some(w.to_string()),
                _ => return Err(self.unexpected("a sub-attribute name after ']'")),
            }
            self.pos += 1;
        }
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub_attr,
        })
    }
}

fn contains_value_path(f: &Filter) -> bool {
    match f {
        Filter::ValuePath { .. } => true,
        Filter::And(v) | Filter::Or(v) => v.iter().any(contains_value_path),
        Filter::Not(x) => contains_value_path(x),
        Filter::Compare { .. } | Filter::Present(_) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The forms push clients send, answerable from an index

/// The attributes a server typically indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKey {
    Id,
    UserName,
    ExternalId,
    DisplayName,
}

impl IndexKey {
    /// Whether values compare case-sensitively (RFC 7643: id and externalId are caseExact,
    /// userName and displayName are not), i.e. whether the index must be case-folded.
    pub fn case_exact(self) -> bool {
        matches!(self, IndexKey::Id | IndexKey::ExternalId)
    }
}

/// `key eq "value"` found in a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLookup {
    pub key: IndexKey,
    pub value: String,
    /// True when the filter is exactly this equality; false when it is one operand of an `and`,
    /// so the candidates still have to be checked against the whole filter.
    pub complete: bool,
}

impl Filter {
    /// Recognises `userName eq "x"`, `externalId eq "x"`, `displayName eq "x"` and `id eq "x"`
    /// (any case, optionally prefixed with a core schema URN), alone or as an operand of `and`.
    pub fn index_lookup(&self) -> Option<IndexLookup> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: CompValue::String(v),
            } => {
                if path.sub_attr.is_some() {
                    return None;
                }
                if let Some(u) = &path.uri {
                    let core = [super::schema::USER_SCHEMA, super::schema::GROUP_SCHEMA];
                    if !core.iter().any(|c| c.eq_ignore_ascii_case(u)) {
                        return None;
                    }
                }
                let keys = [
                    ("id", IndexKey::Id),
                    ("userName", IndexKey::UserName),
                    ("externalId", IndexKey::ExternalId),
                    ("displayName", IndexKey::DisplayName),
                ];
                let key = keys
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&path.name))?
                    .1;
                Some(IndexLookup {
                    key,
                    value: v.clone(),
                    complete: true,
                })
            }
            Filter::And(items) => items.iter().find_map(|i| {
                i.index_lookup().map(|l| IndexLookup {
                    complete: false,
                    ..l
                })
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
