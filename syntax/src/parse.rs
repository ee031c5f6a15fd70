use rnix::{ParseError, SyntaxKind, SyntaxNode, TextRange, TextSize};
use rowan::GreenNode;

/// A parsed file: always a tree, plus the syntax errors found on the way.
#[derive(Clone, Debug)]
pub struct Parse {
    pub(crate) green: GreenNode,
    pub(crate) errors: Vec<SyntaxError>,
    /// Whether nesting past a limit left the rest of the text unread, in an error node.
    pub(crate) truncated: bool,
    /// Whether the parser ran out of text while still expecting some; the messages it gives then
    /// depend on the whole file, so such a tree is never re-parsed in part.
    pub(crate) reached_end: bool,
}

/// A syntax error with the range it covers and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

impl Parse {
    pub fn root(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn green(&self) -> &GreenNode {
        &self.green
    }

    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// Whether the text is nested past the parser's limit (rnix's depth limit, or
    /// [`MAX_NESTING`] brackets), so that the rest of it after that depth is one error node: the
    /// tree then holds less of the file than Nix would read.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

/// Parses Nix source text. Never fails: errors are returned beside a lossless tree that holds every
/// byte of `text`.
pub fn parse(text: &str) -> Parse {
    if let Some(too_deep) = too_deeply_nested(text) {
        return too_deep;
    }
    let parsed = rnix::Root::parse(text);
    let end = TextSize::of(text);
    let mut errors = Vec::new();
    let mut seen_error = false;
    let mut truncated = false;
    let mut reached_end = false;
    for error in parsed.errors() {
        truncated |= matches!(error, ParseError::RecursionLimitExceeded);
        let at_eof = at_end(error);
        reached_end |= at_eof;
        // rnix's recovery after an error often swallows the rest of the file, and then reports
        // the end of the file, once per enclosing construct; those reports say nothing new.
        if at_eof && seen_error {
            continue;
        }
        seen_error = true;
        let mut described = describe(error, text, end);
        if at_eof {
            if let Some(unclosed) = unclosed_bracket(text) {
                described.message.push_str(&unclosed);
            }
        }
        errors.push(described);
    }
    Parse {
        green: parsed.syntax().green().to_owned(),
        errors,
        truncated,
        reached_end,
    }
}

fn at_end(error: &ParseError) -> bool {
    matches!(
        error,
        ParseError::UnexpectedEOF | ParseError::UnexpectedEOFWanted(_)
    )
}

/// The errors of a fragment parsed alone, as [`parse`] would describe them, when none of them
/// depends on what lies outside the fragment: `None` if the parser ran out of text or nesting.
pub(crate) fn fragment_errors(errors: &[ParseError], text: &str) -> Option<Vec<SyntaxError>> {
    let end = TextSize::of(text);
    errors
        .iter()
        .map(|error| {
            let whole_file = at_end(error) || matches!(error, ParseError::RecursionLimitExceeded);
            (!whole_file).then(|| describe(error, text, end))
        })
        .collect()
}

/// Nesting beyond which a file is kept as one error node instead of being parsed. rnix limits the
/// depth of expressions but not of lists, sets and strings, which recurse without a bound.
pub const MAX_NESTING: usize = 1_000;

fn too_deeply_nested(text: &str) -> Option<Parse> {
    // Counting every opening bracket, even in strings and comments, is a cheap upper bound.
    let openings = text
        .bytes()
        .filter(|byte| matches!(byte, b'[' | b'{' | b'('))
        .count();
    if openings <= MAX_NESTING {
        return None;
    }
    let tokens: Vec<(SyntaxKind, &str)> = rnix::tokenize(text).collect();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for (kind, _) in &tokens {
        match kind {
            SyntaxKind::TOKEN_L_BRACK
            | SyntaxKind::TOKEN_L_BRACE
            | SyntaxKind::TOKEN_L_PAREN
            | SyntaxKind::TOKEN_INTERPOL_START => depth += 1,
            SyntaxKind::TOKEN_R_BRACK
            | SyntaxKind::TOKEN_R_BRACE
            | SyntaxKind::TOKEN_R_PAREN
            | SyntaxKind::TOKEN_INTERPOL_END => depth = depth.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    if deepest <= MAX_NESTING {
        return None;
    }
    let mut builder = rowan::GreenNodeBuilder::new();
    builder.start_node(rowan::SyntaxKind(SyntaxKind::NODE_ROOT as u16));
    builder.start_node(rowan::SyntaxKind(SyntaxKind::NODE_ERROR as u16));
    for (kind, token_text) in tokens {
        builder.token(rowan::SyntaxKind(kind as u16), token_text);
    }
    builder.finish_node();
    builder.finish_node();
    let error = SyntaxError {
        range: TextRange::empty(TextSize::from(0)),
        message: format!(
            "brackets nested {deepest} levels deep, more than the {MAX_NESTING} that nixwise parses"
        ),
    };
    Some(Parse {
        green: builder.finish(),
        errors: vec![error],
        truncated: true,
        reached_end: false,
    })
}

fn describe(error: &ParseError, text: &str, end: TextSize) -> SyntaxError {
    let at_end = TextRange::empty(end);
    match error {
        ParseError::Unexpected(range) => SyntaxError {
            range: *range,
            message: format!("unexpected {}", quote(text, *range)),
        },
        ParseError::UnexpectedExtra(range) => SyntaxError {
            range: *range,
            message: format!(
                "unexpected {} after the end of the expression",
                quote(text, *range)
            ),
        },
        ParseError::UnexpectedWanted(_, range, wanted) => SyntaxError {
            range: *range,
            message: format!("expected {}, found {}", one_of(wanted), quote(text, *range)),
        },
        ParseError::UnexpectedDoubleBind(range) => SyntaxError {
            range: *range,
            message: "a pattern can be bound with `@` only once".to_owned(),
        },
        ParseError::UnexpectedEOF => SyntaxError {
            range: at_end,
            message: "unexpected end of file".to_owned(),
        },
        ParseError::UnexpectedEOFWanted(wanted) => SyntaxError {
            range: at_end,
            message: format!("unexpected end of file, expected {}", one_of(wanted)),
        },
        ParseError::DuplicatedArgs(range, name) => SyntaxError {
            range: *range,
            message: format!("duplicate formal argument `{name}`"),
        },
        ParseError::RecursionLimitExceeded => SyntaxError {
            range: TextRange::empty(TextSize::from(0)),
            message: "expression nested too deeply to be parsed".to_owned(),
        },
        // `ParseError` is non-exhaustive; a new variant still becomes a readable diagnostic.
        #[allow(unreachable_patterns)]
        other => SyntaxError {
            range: at_end,
            message: other.to_string(),
        },
    }
}

/// Says which bracket is still open at the end of the file, and on which line it was opened.
fn unclosed_bracket(text: &str) -> Option<String> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut offset = 0usize;
    for (kind, token_text) in rnix::tokenize(text) {
        match kind {
            SyntaxKind::TOKEN_L_BRACE
            | SyntaxKind::TOKEN_L_BRACK
            | SyntaxKind::TOKEN_L_PAREN
            | SyntaxKind::TOKEN_INTERPOL_START => open.push((token_text, offset)),
            SyntaxKind::TOKEN_R_BRACE
            | SyntaxKind::TOKEN_R_BRACK
            | SyntaxKind::TOKEN_R_PAREN
            | SyntaxKind::TOKEN_INTERPOL_END => {
                open.pop();
            }
            _ => {}
        }
        offset += token_text.len();
    }
    let (bracket, at) = open.pop()?;
    let line = text[..at].bytes().filter(|&byte| byte == b'\n').count() + 1;
    Some(format!(": `{bracket}` on line {line} is not closed"))
}

fn quote(text: &str, range: TextRange) -> String {
    let Some(snippet) = text.get(std::ops::Range::<usize>::from(range)) else {
        return "input".to_owned();
    };
    // Name the first token only: rnix's ranges can cover everything it skipped.
    let first = rnix::tokenize(snippet.trim_start())
        .find(|(kind, _)| *kind != SyntaxKind::TOKEN_WHITESPACE)
        .map(|(_, token)| token);
    let snippet = first.unwrap_or(snippet).trim();
    if snippet.is_empty() {
        return "whitespace".to_owned();
    }
    let mut shown: String = snippet.chars().take(30).collect();
    if shown.len() < snippet.len() {
        shown.push('…');
    }
    if shown.contains('\n') {
        shown = shown.lines().next().unwrap_or_default().to_owned() + "…";
    }
    format!("`{shown}`")
}

fn one_of(kinds: &[SyntaxKind]) -> String {
    if kinds.contains(&SyntaxKind::TOKEN_IDENT) && kinds.contains(&SyntaxKind::TOKEN_L_PAREN) {
        return "an expression".to_owned();
    }
    if kinds.contains(&SyntaxKind::TOKEN_IDENT) && kinds.contains(&SyntaxKind::TOKEN_OR) {
        return "an attribute name".to_owned();
    }
    let mut names: Vec<&str> = kinds.iter().map(|&kind| kind_name(kind)).collect();
    names.dedup();
    match names.as_slice() {
        [] => "more input".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// How a token kind is named in messages.
pub fn kind_name(kind: SyntaxKind) -> &'static str {
    use SyntaxKind::*;
    match kind {
        TOKEN_ADD => "`+`",
        TOKEN_AND_AND => "`&&`",
        TOKEN_ASSIGN => "`=`",
        TOKEN_ASSERT => "`assert`",
        TOKEN_AT => "`@`",
        TOKEN_COLON => "`:`",
        TOKEN_COMMA => "`,`",
        TOKEN_CONCAT => "`++`",
        TOKEN_DIV => "`/`",
        TOKEN_DOT => "`.`",
        TOKEN_ELLIPSIS => "`...`",
        TOKEN_ELSE => "`else`",
        TOKEN_EQUAL => "`==`",
        TOKEN_IDENT => "an identifier",
        TOKEN_IF => "`if`",
        TOKEN_IMPLICATION => "`->`",
        TOKEN_IN => "`in`",
        TOKEN_INHERIT => "`inherit`",
        TOKEN_INTERPOL_END => "`}`",
        TOKEN_INTERPOL_START => "`${`",
        TOKEN_INVERT => "`!`",
        TOKEN_L_BRACE => "`{`",
        TOKEN_L_BRACK => "`[`",
        TOKEN_L_PAREN => "`(`",
        TOKEN_LESS => "`<`",
        TOKEN_LESS_OR_EQ => "`<=`",
        TOKEN_LET => "`let`",
        TOKEN_MORE => "`>`",
        TOKEN_MORE_OR_EQ => "`>=`",
        TOKEN_MUL => "`*`",
        TOKEN_NOT_EQUAL => "`!=`",
        TOKEN_OR => "`or`",
        TOKEN_OR_OR => "`||`",
        TOKEN_PIPE_LEFT => "`<|`",
        TOKEN_PIPE_RIGHT => "`|>`",
        TOKEN_QUESTION => "`?`",
        TOKEN_R_BRACE => "`}`",
        TOKEN_R_BRACK => "`]`",
        TOKEN_R_PAREN => "`)`",
        TOKEN_REC => "`rec`",
        TOKEN_SEMICOLON => "`;`",
        TOKEN_STRING_END | TOKEN_STRING_START => "a quote",
        TOKEN_SUB => "`-`",
        TOKEN_THEN => "`then`",
        TOKEN_UPDATE => "`//`",
        TOKEN_WITH => "`with`",
        TOKEN_INTEGER | TOKEN_FLOAT => "a number",
        TOKEN_PATH_ABS | TOKEN_PATH_HOME | TOKEN_PATH_REL | TOKEN_PATH_SEARCH => "a path",
        TOKEN_URI => "a URI",
        TOKEN_STRING_CONTENT => "string content",
        NODE_ATTRPATH => "an attribute path",
        NODE_PATTERN | NODE_PAT_ENTRY => "a pattern",
        _ => "an expression",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_has_no_errors_and_round_trips() {
        let text = "{ a = 1; /* c */ b = [ a ]; }\n";
        let parse = parse(text);
        assert!(parse.errors().is_empty());
        assert_eq!(parse.root().to_string(), text);
    }

    #[test]
    fn broken_text_keeps_every_byte_and_explains_the_error() {
        let text = "{ a = 1; b = ; }";
        let parse = parse(text);
        assert_eq!(parse.root().to_string(), text);
        assert!(!parse.errors().is_empty());
        let message = &parse.errors()[0].message;
        assert!(
            !message.contains(".."),
            "message shows raw offsets: {message}"
        );
    }

    #[test]
    fn end_of_file_error_points_at_the_end() {
        let text = "let a = 1;";
        let parse = parse(text);
        let last = parse.errors().last().expect("an error");
        assert!(last.message.contains("end of file"), "{}", last.message);
        assert_eq!(last.range, TextRange::empty(TextSize::of(text)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let errors = std::thread::Builder::new()
            .stack_size(crate::WORKER_STACK_SIZE)
            .spawn(|| {
                let text = "(".repeat(500) + &"[".repeat(100_000) + &"]".repeat(100_000);
                let parse = parse(&text);
                assert_eq!(parse.root().to_string(), text);
                parse.errors().to_vec()
            })
            .expect("spawn a worker")
            .join()
            .expect("no stack overflow");
        assert!(errors
            .iter()
            .any(|error| error.message.contains("nested 100500 levels")));
    }

    #[test]
    fn nesting_of_expressions_is_limited_by_the_parser() {
        let errors = std::thread::Builder::new()
            .stack_size(crate::WORKER_STACK_SIZE)
            .spawn(|| {
                let text = "(".repeat(900) + "1" + &")".repeat(900);
                parse(&text).errors().to_vec()
            })
            .expect("spawn a worker")
            .join()
            .expect("no stack overflow");
        assert!(errors
            .iter()
            .any(|error| error.message.contains("nested too deeply")));
    }

    #[test]
    fn empty_text_parses() {
        let parse = parse("");
        assert_eq!(parse.root().to_string(), "");
    }
}
