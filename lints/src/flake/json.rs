//! A JSON parser that keeps the byte range of every value and key, so that a diagnostic about
//! flake.lock points at the right place. Hostile input gives errors, never a panic or a stack
//! overflow: nesting is limited and the parser never recurses deeper than that limit.

use syntax::{TextRange, TextSize};

/// Nesting deeper than this is an error; flake.lock files nest four levels.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub range: TextRange,
    pub value: JsonValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    /// Kept as text so that large integers such as `lastModified` lose nothing.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_range: TextRange,
    pub value: Json,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub range: TextRange,
    pub message: String,
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.member(key).map(|member| &member.value)
    }

    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            JsonValue::Object(members) => members.iter().find(|member| member.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            JsonValue::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            JsonValue::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            JsonValue::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            JsonValue::Object(members) => Some(members),
            _ => None,
        }
    }

    /// What kind of value this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }
}

/// Parses a whole JSON document.
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_space();
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn range(&self, start: usize) -> TextRange {
        TextRange::new(size(start), size(self.pos))
    }

    fn error_here(&self, message: &str) -> JsonError {
        let end = (self.pos + 1).min(self.bytes.len()).max(self.pos);
        let end = (end..=self.bytes.len())
            .find(|&end| self.text.is_char_boundary(end))
            .unwrap_or(self.pos);
        JsonError {
            range: TextRange::new(size(self.pos), size(end)),
            message: message.to_owned(),
        }
    }

    fn skip_space(&mut self) {
        while self.pos < self.bytes.len()
            && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error_here("JSON nested too deeply"));
        }
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            None => return Err(self.error_here("unexpected end of the file, expected a value")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonValue::String(self.string()?),
            Some(b't') => self.keyword("true", JsonValue::Bool(true))?,
            Some(b'f') => self.keyword("false", JsonValue::Bool(false))?,
            Some(b'n') => self.keyword("null", JsonValue::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error_here("expected a JSON value")),
        };
        Ok(Json {
            range: self.range(start),
            value,
        })
    }

    fn keyword(&mut self, word: &str, value: JsonValue) -> Result<JsonValue, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error_here("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<JsonValue, JsonError> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while self.pos < self.bytes.len()
            && matches!(
                self.bytes[self.pos],
                b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'
            )
        {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if self.pos == digits_start || text.parse::<f64>().is_err() {
            self.pos = start;
            return Err(self.error_here("malformed number"));
        }
        Ok(JsonValue::Number(text.to_owned()))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(&byte) = self.bytes.get(self.pos) else {
                self.pos = start;
                return Err(self.error_here("unterminated string"));
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let escape = self.bytes.get(self.pos + 1).copied();
                    self.pos += 2;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => {
                            self.pos -= 2;
                            return Err(self.error_here("invalid escape in string"));
                        }
                    }
                }
                0..=0x1f => return Err(self.error_here("control character in string")),
                _ => {
                    // Copy a run of plain characters at once; the text is valid UTF-8.
                    let run_start = self.pos;
                    while self.pos < self.bytes.len()
                        && !matches!(self.bytes[self.pos], b'"' | b'\\' | 0..=0x1f)
                    {
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run_start..self.pos]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()));
        let Some(digits) = digits else {
            return Err(self.error_here("invalid \\u escape"));
        };
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error_here("invalid \\u escape"))
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code =
            if (0xD800..0xDC00).contains(&first) && self.bytes[self.pos..].starts_with(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..0xE000).contains(&second) {
                    return Err(self.error_here("invalid surrogate pair"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                first
            };
        Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(self.error_here("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_space();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error_here("expected a string key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_range = self.range(key_start);
            self.skip_space();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error_here("expected `:`"));
            }
            self.pos += 1;
            self.skip_space();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_range,
                value,
            });
            self.skip_space();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonValue::Object(members));
                }
                _ => return Err(self.error_here("expected `,` or `}`")),
            }
        }
    }
}

fn size(offset: usize) -> TextSize {
    TextSize::from(u32::try_from(offset).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_ranges() {
        let text = r#"{ "a": [1, "x\n", true, null], "b": { "c": -2.5e3 } }"#;
        let json = parse(text).expect("valid");
        let a = json.member("a").expect("a");
        assert_eq!(&text[a.key_range], "\"a\"");
        assert_eq!(&text[a.value.range], r#"[1, "x\n", true, null]"#);
        let items = a.value.as_array().expect("array");
        assert_eq!(items[1].as_str(), Some("x\n"));
        assert_eq!(
            json.get("b")
                .and_then(|b| b.get("c"))
                .map(|c| &text[c.range]),
            Some("-2.5e3")
        );
    }

    #[test]
    fn large_integers_are_exact() {
        let json = parse(r#"{"lastModified": 1735000000123}"#).expect("valid");
        assert_eq!(
            json.get("lastModified").and_then(Json::as_i64),
            Some(1_735_000_000_123)
        );
    }

    #[test]
    fn unicode_escapes_and_surrogates() {
        let json = parse(r#""\u00e9\ud83d\ude00""#).expect("valid");
        assert_eq!(json.as_str(), Some("é😀"));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let text = "{\"a\": 1,, }";
        let error = parse(text).expect_err("invalid");
        assert_eq!(u32::from(error.range.start()), 8);
        assert!(parse("").is_err());
        assert!(parse("[1, 2").is_err());
        assert!(parse("\"abc").is_err());
        assert!(parse("{\"a\" 1}").is_err());
        assert!(parse("[1] x").is_err());
        assert!(parse("01x").is_err());
        assert!(parse("\"\\u12\"").is_err());
        assert!(parse("\"é").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let error = parse(&text).expect_err("too deep");
        assert!(error.message.contains("too deeply"));
    }
}
