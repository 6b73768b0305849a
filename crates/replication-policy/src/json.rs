//! A small strict JSON parser (RFC 8259) that keeps the byte span of every value and key.
//!
//! `serde_json::Value` has no spans, but a policy error must point at the offending key or value, so
//! the policy grammar is read from this tree instead. The parser accepts exactly what `serde_json`
//! accepts for a `Value` (a differential test in `tests/it` holds it to that), never panics, and
//! limits nesting so hostile input cannot exhaust the stack.
//!
//! It is public so that readers of other AWS JSON documents (replication configurations, bucket
//! encryption, `kms describe-key`, in `replication-dsl`) locate their errors the same way.

use std::borrow::Cow;

/// Deepest array/object nesting accepted: the most `serde_json` accepts (its recursion limit of
/// 128 counts the level that fails), checked by `depth_limit_matches_serde_json`.
const MAX_DEPTH: usize = 127;

/// Byte range `start..end` of a value or key in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

/// A JSON value with the span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Value<'a> {
    /// Where the value was written.
    pub span: Span,
    /// What it is.
    pub kind: Kind<'a>,
}

/// The shape of a JSON value; strings borrow from the source unless they contained escapes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number's text exactly as written, already checked against the JSON grammar.
    Number(&'a str),
    /// A string, decoded.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// Members in source order; duplicates are kept so the policy layer can reject them.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// The key, decoded.
    pub key: Cow<'a, str>,
    /// Where the key (with its quotes) was written.
    pub key_span: Span,
    /// The value.
    pub value: Value<'a>,
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the offending character.
    pub offset: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl<'a> Value<'a> {
    /// A short name of the value's type for messages ("a string", "an array", ...).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "`null`",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// Parses a whole JSON document; trailing non-whitespace is an error.
pub fn parse(text: &str) -> Result<Value<'_>, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.skip_ws();
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here(format!(
            "unexpected {} after the end of the JSON document; remove it or wrap both in an array",
            parser.describe_here()
        )));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error_at(&self, offset: usize, message: String) -> JsonError {
        JsonError { offset, message }
    }

    fn error_here(&self, message: String) -> JsonError {
        self.error_at(self.pos, message)
    }

    /// Names the character at the cursor for a message: `` `x` `` or "end of input".
    fn describe_here(&self) -> String {
        describe_char(
            self.text
                .get(self.pos..)
                .and_then(|rest| rest.chars().next()),
        )
    }

    fn value(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.pos;
        let kind = match self.peek() {
            None => {
                return Err(self.error_here(
                    "expected a JSON value, found end of input; the document is incomplete".into(),
                ));
            }
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(b'\'') => {
                return Err(self.error_here(
                    "expected a JSON value, found `'`; JSON strings use double quotes `\"`".into(),
                ));
            }
            Some(b'T' | b'F' | b'N') => {
                return Err(self.error_here(format!(
                    "expected a JSON value, found {}; JSON literals are lowercase: `true`, `false`, `null`",
                    self.describe_here()
                )));
            }
            Some(_) => {
                return Err(self.error_here(format!(
                    "expected a JSON value, found {}",
                    self.describe_here()
                )));
            }
        };
        Ok(Value {
            span: Span {
                start,
                end: self.pos,
            },
            kind,
        })
    }

    fn literal(&mut self, word: &'static str, kind: Kind<'a>) -> Result<Kind<'a>, JsonError> {
        for (i, expected) in word.bytes().enumerate() {
            if self.bytes.get(self.pos + i) != Some(&expected) {
                return Err(self.error_at(
                    self.pos,
                    format!("expected `{word}`; check the spelling of this literal"),
                ));
            }
        }
        self.pos += word.len();
        Ok(kind)
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(format!(
                "nesting deeper than {MAX_DEPTH} levels; a policy never needs that, flatten the document"
            )));
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Kind<'a>, JsonError> {
        self.enter()?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        return Err(self
                            .error_at(comma, "trailing comma before `]`; remove the `,`".into()));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Kind::Array(items));
                }
                None => {
                    return Err(self.error_here(
                        "unexpected end of input inside an array; add the closing `]`".into(),
                    ));
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "expected `,` or `]` after an array element, found {}",
                        self.describe_here()
                    )));
                }
            }
        }
    }

    fn object(&mut self) -> Result<Kind<'a>, JsonError> {
        self.enter()?;
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            let key = match self.peek() {
                Some(b'"') => self.string()?,
                None => {
                    return Err(self.error_here(
                        "unexpected end of input inside an object; add the closing `}`".into(),
                    ));
                }
                Some(b'\'') => {
                    return Err(self.error_here(
                        "expected a key in double quotes, found `'`; JSON strings use double quotes `\"`"
                            .into(),
                    ));
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "expected a key in double quotes, found {}",
                        self.describe_here()
                    )));
                }
            };
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => {
                    return Err(self.error_here(format!(
                        "unexpected end of input after key `{}`; add `:` and a value",
                        truncate(&key)
                    )));
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "expected `:` after key `{}`, found {}",
                        truncate(&key),
                        self.describe_here()
                    )));
                }
            }
            self.skip_ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        return Err(self
                            .error_at(comma, "trailing comma before `}`; remove the `,`".into()));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Kind::Object(members));
                }
                None => {
                    return Err(self.error_here(
                        "unexpected end of input inside an object; add the closing `}`".into(),
                    ));
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "expected `,` or `}}` after an object member, found {}",
                        self.describe_here()
                    )));
                }
            }
        }
    }

    /// Reads a string starting at the opening quote; borrows when there is no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        let mut owned: Option<String> = None;
        let mut chunk_start = self.pos;
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error_at(open, "unterminated string; add the closing `\"`".into()));
            };
            match byte {
                b'"' => {
                    let text = &self.text[chunk_start..self.pos];
                    self.pos += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(&self.text[content_start..self.pos - 1]),
                        Some(mut buf) => {
                            buf.push_str(text);
                            Cow::Owned(buf)
                        }
                    });
                }
                b'\\' => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(&self.text[chunk_start..self.pos]);
                    buf.push(self.escape()?);
                    chunk_start = self.pos;
                }
                0x00..=0x1f => {
                    return Err(self.error_here(format!(
                        "control character U+{byte:04X} inside a string; escape it (for example `\\n` or `\\u{byte:04x}`)"
                    )));
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Decodes one escape sequence at the cursor (which is on the backslash).
    fn escape(&mut self) -> Result<char, JsonError> {
        let backslash = self.pos;
        self.pos += 1;
        let Some(byte) = self.peek() else {
            return Err(self.error_at(
                backslash,
                "unterminated escape at end of input; complete the string".into(),
            ));
        };
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4(backslash)?;
                if (0xDC00..0xE000).contains(&first) {
                    return Err(self.error_at(
                        backslash,
                        format!("unpaired surrogate `\\u{first:04X}` in string; write the character itself or a valid surrogate pair"),
                    ));
                }
                if (0xD800..0xDC00).contains(&first) {
                    if self.bytes.get(self.pos) != Some(&b'\\')
                        || self.bytes.get(self.pos + 1) != Some(&b'u')
                    {
                        return Err(self.error_at(
                            backslash,
                            format!("unpaired surrogate `\\u{first:04X}` in string; follow it with a low surrogate `\\uDC00`..`\\uDFFF`"),
                        ));
                    }
                    let second_at = self.pos;
                    self.pos += 2;
                    let second = self.hex4(second_at)?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error_at(
                            second_at,
                            format!("`\\u{second:04X}` cannot follow the high surrogate `\\u{first:04X}`; use a low surrogate `\\uDC00`..`\\uDFFF`"),
                        ));
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                } else {
                    char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER)
                }
            }
            _ => {
                let shown = describe_char(
                    self.text
                        .get(self.pos - 1..)
                        .and_then(|rest| rest.chars().next()),
                );
                return Err(self.error_at(
                    backslash,
                    format!("invalid escape `\\` followed by {shown}; valid escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`"),
                ));
            }
        })
    }

    /// Reads four hex digits after `\u`; `escape_at` is where the escape began.
    fn hex4(&mut self, escape_at: usize) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error_at(
                    escape_at,
                    "invalid unicode escape; `\\u` needs exactly four hex digits".into(),
                ));
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error_at(
                        start,
                        "invalid number: leading zeros are not allowed in JSON; remove them or quote the value".into(),
                    ));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => {
                return Err(self.error_at(
                    start,
                    "invalid number: `-` must be followed by a digit".into(),
                ));
            }
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_at(
                    start,
                    "invalid number: `.` must be followed by a digit".into(),
                ));
            }
            self.digits();
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_at(
                    start,
                    "invalid number: the exponent needs at least one digit".into(),
                ));
            }
            self.digits();
            is_float = true;
        }
        let text = &self.text[start..self.pos];
        // serde_json rejects numbers that overflow an f64; integers that overflow u64/i64 become
        // floats there, so only infinity is an error.
        let overflows = (is_float
            || (text.parse::<u64>().is_err() && text.parse::<i64>().is_err()))
            && text.parse::<f64>().map_or(true, |n| n.is_infinite());
        if overflows {
            return Err(self.error_at(
                start,
                format!(
                    "number `{}` is out of range; quote it as a string",
                    truncate(text)
                ),
            ));
        }
        Ok(text)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

/// Describes one character for a message.
fn describe_char(ch: Option<char>) -> String {
    match ch {
        None => "end of input".to_string(),
        Some(c) if c.is_control() || c.is_whitespace() => format!("`{}`", c.escape_default()),
        Some('`') => "a backtick".to_string(),
        Some(c) => format!("`{c}`"),
    }
}

/// Shortens long text shown inside a message so errors stay one line.
pub(crate) fn truncate(text: &str) -> Cow<'_, str> {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}...", &text[..cut])),
    }
}

/// Converts a byte offset to a 1-based line and 1-based column counted in characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> JsonError {
        match parse(text) {
            Ok(v) => panic!("expected an error for {text:?}, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_nested_values_with_spans() {
        let text = r#" {"a": [1, -2.5e3, true, null], "b\u00e9": "x\ny"} "#;
        let v = parse(text).expect("valid");
        assert_eq!(
            v.span,
            Span {
                start: 1,
                end: text.len() - 1
            }
        );
        let Kind::Object(members) = &v.kind else {
            panic!("object expected")
        };
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].key, "a");
        assert_eq!(
            &text[members[0].key_span.start..members[0].key_span.end],
            "\"a\""
        );
        let Kind::Array(items) = &members[0].value.kind else {
            panic!("array expected")
        };
        assert_eq!(items[1].kind, Kind::Number("-2.5e3"));
        assert_eq!(&text[items[2].span.start..items[2].span.end], "true");
        assert_eq!(members[1].key, "bé");
        assert_eq!(members[1].value.kind, Kind::String(Cow::Borrowed("x\ny")));
    }

    #[test]
    fn decodes_surrogate_pairs_and_borrows_plain_strings() {
        let v = parse(r#""\ud83d\ude00 ok""#).expect("valid");
        assert_eq!(v.kind, Kind::String(Cow::Owned("\u{1F600} ok".into())));
        let v = parse(r#""plain""#).expect("valid");
        assert!(matches!(v.kind, Kind::String(Cow::Borrowed("plain"))));
    }

    #[test]
    fn reports_offsets_of_syntax_errors() {
        assert_eq!(err("").offset, 0);
        assert_eq!(err("{\"a\": 1,}").offset, 7);
        assert!(err("{\"a\": 1,}").message.contains("trailing comma"));
        assert_eq!(err("[1 2]").offset, 3);
        assert_eq!(err("{\"a\" 1}").offset, 5);
        assert_eq!(err("\"abc").offset, 0);
        assert_eq!(err("{'a': 1}").offset, 1);
        assert_eq!(err("[True]").offset, 1);
        assert_eq!(err("01").offset, 0);
        assert_eq!(err("1e400").offset, 0);
        assert_eq!(err("\"\\x\"").offset, 1);
        assert_eq!(err("\"\\ud800\"").offset, 1);
        assert_eq!(err("\"a\u{1}\"").offset, 2);
        assert_eq!(err("{} x").offset, 3);
        assert_eq!(err("nul").offset, 0);
    }

    #[test]
    fn limits_nesting_depth_without_overflowing_the_stack() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.starts_with("nesting deeper"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\n\u{e9}cd";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 5), (2, 2));
        assert_eq!(line_column(text, 4), (2, 1)); // inside a char: rounds down
        assert_eq!(line_column(text, 99), (2, 4));
    }

    /// A small deterministic generator (xorshift64*) so the mutation tests need no dependency.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Rng {
            Rng(seed.max(1))
        }

        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Fragments that exercise every corner of the grammar when spliced into a document.
    pub(crate) const TOKENS: [&str; 44] = [
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        "\\",
        " ",
        "\n",
        "\t",
        "\r",
        "0",
        "-",
        ".",
        "e",
        "E",
        "+",
        "1e400",
        "-0",
        "01",
        "1.",
        ".5",
        "1e",
        "true",
        "fals",
        "null",
        "nul",
        "\"\\u\"",
        "\\ud800",
        "\\udc00",
        "\\ud83d\\ude00",
        "\\u00e9",
        "\\x",
        "é",
        "\u{1}",
        "\u{7f}",
        "'",
        "/",
        "\"*\"",
        "\"Effect\"",
        "\"Allow\"",
        "123456789012345678901234567890",
        "\u{2028}",
    ];

    /// Applies one to three random edits (truncate, replace, insert, delete, duplicate).
    pub(crate) fn mutate(seed: &str, rng: &mut Rng) -> String {
        let mut text = seed.to_string();
        for _ in 0..1 + rng.below(3) {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect();
            let at = boundaries[rng.below(boundaries.len())];
            let to = boundaries[rng.below(boundaries.len())].max(at);
            let token = TOKENS[rng.below(TOKENS.len())];
            match rng.below(5) {
                0 => text.truncate(at),
                1 => text.replace_range(
                    at..boundaries.iter().copied().find(|&b| b > at).unwrap_or(at),
                    token,
                ),
                2 => text.insert_str(at, token),
                3 => {
                    let end = boundaries
                        .iter()
                        .copied()
                        .find(|&b| b >= to.min(at + 8))
                        .unwrap_or(at);
                    text.replace_range(at..end, "");
                }
                _ => {
                    let end = boundaries
                        .iter()
                        .copied()
                        .find(|&b| b >= to.min(at + 16))
                        .unwrap_or(at);
                    let slice = text[at..end].to_string();
                    text.insert_str(at, &slice);
                }
            }
        }
        text
    }

    const SEEDS: [&str; 4] = [
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/*"}]}"#,
        r#"[1, -0.5e-3, 0, 1E+2, true, false, null, "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00", {}, [], {"k": [{"x": 1}]}]"#,
        "  {\n\t\"a\" : \"é\u{1F600}\" ,\"b\":[ ] }  ",
        r#""just a string""#,
    ];

    fn to_serde(v: &Value<'_>) -> serde_json::Value {
        match &v.kind {
            Kind::Null => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
            Kind::String(s) => serde_json::Value::String(s.to_string()),
            Kind::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
            Kind::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.to_string(), to_serde(&m.value));
                }
                serde_json::Value::Object(map)
            }
        }
    }

    /// The reader accepts exactly what serde_json accepts, and reads the same values; errors
    /// stay inside the text and are lowercase.
    #[test]
    fn agrees_with_serde_json_on_mutated_documents() {
        let mut rng = Rng::new(0x5EED_0001);
        let mut n_ok = 0;
        for round in 0..20_000 {
            let text = mutate(SEEDS[round % SEEDS.len()], &mut rng);
            let ours = parse(&text);
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            match (&ours, &theirs) {
                (Ok(v), Ok(expected)) => {
                    n_ok += 1;
                    assert_eq!(&to_serde(v), expected, "different value for {text:?}");
                }
                (Err(e), Err(_)) => {
                    assert!(e.offset <= text.len(), "offset past end for {text:?}");
                    assert!(
                        !e.message.starts_with(char::is_uppercase),
                        "message not lowercase: {}",
                        e.message
                    );
                }
                _ => panic!("disagreement on {text:?}: ours {ours:?}, serde_json {theirs:?}"),
            }
        }
        assert!(
            n_ok > 1_000,
            "too few valid mutants ({n_ok}) to be a useful comparison"
        );
    }

    #[test]
    fn depth_limit_matches_serde_json() {
        for depth in [126, 127, 128, 129] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(
                parse(&text).is_ok(),
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "depth {depth}"
            );
        }
    }

    #[test]
    fn agrees_with_serde_json_on_edge_cases() {
        let cases = [
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "-9223372036854775809",
            "-0",
            "0.0e0",
            "1.",
            ".5",
            "-",
            "+1",
            "01",
            "1e",
            "1e+",
            "\"\\udc00\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800\\udbff\"",
            "\"\\ud83d\\ude00\"",
            "\"\\u00\"",
            "\"\\uZZZZ\"",
            "\"\u{2028}\"",
            "\"\u{7f}\"",
            "\"\u{1f}\"",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{1:2}",
            "\u{feff}{}",
            "{}\u{0}",
            " \t\r\n{} ",
            "",
            "nul",
            "truex",
            "[true false]",
            "{\"a\":1 \"b\":2}",
            "\"\\/\"",
            "\"\\'\"",
            "{\"a\":1,\"a\":2}",
        ];
        for text in cases {
            let ours = parse(text);
            let theirs = serde_json::from_str::<serde_json::Value>(text);
            assert_eq!(
                ours.is_ok(),
                theirs.is_ok(),
                "{text:?}: ours {ours:?}, serde_json {theirs:?}"
            );
            if let (Ok(v), Ok(expected)) = (&ours, &theirs) {
                assert_eq!(&to_serde(v), expected, "{text:?}");
            }
        }
    }
}
