//! Rewrite a double-quoted string `"…"` as an indented string `''…''` and back, keeping its value.
//!
//! The two kinds escape differently (`\"`, `\\`, `\${` against `'''`, `''$`, `''\t`), and an
//! indented string drops its common indentation and a first line of spaces. The new string is
//! built from the old one's value and interpolations, then read back the way Nix reads it; when
//! its value differs (a value whose every line starts with spaces, say), nothing is offered.

use syntax::ast::{self, InterpolPart};
use syntax::helpers::{is_well_formed_string, line_indent};
use syntax::{AstNode, SyntaxKind, TextEdit};

use super::{Assist, AssistCtx};

/// A piece of a string's value: literal text, or an interpolation as written (`${…}`).
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Interpolation(String),
}

pub fn convert_string(ctx: &AssistCtx<'_>, acc: &mut Vec<Assist>) {
    let Some(string) = ctx.covering().ancestors().find_map(ast::Str::cast) else {
        return;
    };
    let Some(pieces) = pieces(&string) else {
        return;
    };
    let indented = string.syntax().first_token().is_some_and(|token| {
        token.kind() == SyntaxKind::TOKEN_STRING_START && token.text() == "''"
    });
    let range = string.syntax().text_range();
    let (id, title, candidates) = if indented {
        (
            "convert-to-quoted-string",
            "Convert to a double-quoted string",
            vec![quoted(&pieces)],
        )
    } else {
        let indent = line_indent(ctx.text, usize::from(range.start()));
        (
            "convert-to-indented-string",
            "Convert to an indented string",
            vec![indented_layout(&pieces, indent), indented_inline(&pieces)],
        )
    };
    let Some(replacement) = candidates
        .into_iter()
        .find(|candidate| reads_as(candidate, &pieces))
    else {
        return;
    };
    acc.push(Assist {
        id,
        title: title.to_owned(),
        edits: vec![TextEdit::replace(range, replacement)],
    });
}

/// The value of a string as Nix reads it, adjacent texts joined.
fn pieces(string: &ast::Str) -> Option<Vec<Piece>> {
    if !is_well_formed_string(string) {
        return None;
    }
    let mut acc: Vec<Piece> = Vec::new();
    for part in string.normalized_parts() {
        match part {
            InterpolPart::Literal(text) => match acc.last_mut() {
                Some(Piece::Text(last)) => last.push_str(&text),
                _ => acc.push(Piece::Text(text)),
            },
            InterpolPart::Interpolation(interpolation) => {
                acc.push(Piece::Interpolation(interpolation.syntax().to_string()));
            }
        }
    }
    acc.retain(|piece| !matches!(piece, Piece::Text(text) if text.is_empty()));
    Some(acc)
}

/// Whether `candidate` parses as one string whose value is `pieces`.
fn reads_as(candidate: &str, pieces: &[Piece]) -> bool {
    let parse = syntax::parse(candidate);
    if !parse.errors().is_empty() {
        return false;
    }
    let Some(ast::Expr::Str(string)) = ast::Root::cast(parse.root()).and_then(|root| root.expr())
    else {
        return false;
    };
    self::pieces(&string).as_deref() == Some(pieces)
}

/// Whether a text piece is followed by an interpolation, which a `$` at its end would open.
fn before_interpolation(pieces: &[Piece], index: usize) -> bool {
    matches!(pieces.get(index + 1), Some(Piece::Interpolation(_)))
}

fn quoted(pieces: &[Piece]) -> String {
    let mut out = String::from("\"");
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Interpolation(source) => out.push_str(source),
            Piece::Text(text) => {
                let mut chars = text.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        '$' if chars.peek() == Some(&'{')
                            || (chars.peek().is_none() && before_interpolation(pieces, index)) =>
                        {
                            out.push_str("\\$");
                        }
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push('"');
    out
}

/// Escapes one text piece for an indented string, calling `newline` at each line break.
fn push_indented_text(
    out: &mut String,
    pieces: &[Piece],
    index: usize,
    text: &str,
    mut newline: impl FnMut(&mut String),
    mut line_start: impl FnMut(&mut String),
) {
    let is_last = index + 1 == pieces.len();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\n' {
            line_start(out);
        }
        match c {
            '\n' => newline(out),
            // `''` ends the string, so a quote before another one or before the end is escaped.
            '\'' if chars.peek() == Some(&'\'') || (chars.peek().is_none() && is_last) => {
                out.push_str("''\\'");
            }
            '$' if chars.peek() == Some(&'{')
                || (chars.peek().is_none() && before_interpolation(pieces, index)) =>
            {
                out.push_str("''$");
            }
            '\t' => out.push_str("''\\t"),
            '\r' => out.push_str("''\\r"),
            c => out.push(c),
        }
    }
}

/// One line per line of the value, indented two spaces past the line the string starts on.
fn indented_layout(pieces: &[Piece], indent: &str) -> String {
    let multiline = pieces
        .iter()
        .any(|piece| matches!(piece, Piece::Text(text) if text.contains('\n')));
    if !multiline {
        return indented_inline(pieces);
    }
    let inner = format!("{indent}  ");
    let mut out = String::from("''\n");
    let mut at_line_start = true;
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Interpolation(source) => {
                if at_line_start {
                    out.push_str(&inner);
                    at_line_start = false;
                }
                out.push_str(source);
            }
            Piece::Text(text) => {
                let starts = std::cell::Cell::new(at_line_start);
                push_indented_text(
                    &mut out,
                    pieces,
                    index,
                    text,
                    |out| {
                        out.push('\n');
                        starts.set(true);
                    },
                    |out| {
                        if starts.get() {
                            out.push_str(&inner);
                            starts.set(false);
                        }
                    },
                );
                at_line_start = starts.get();
            }
        }
    }
    if at_line_start {
        out.push_str(indent);
    }
    out.push_str("''");
    out
}

/// The value's lines as they are, right after the opening quotes.
fn indented_inline(pieces: &[Piece]) -> String {
    let mut out = String::from("''");
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Interpolation(source) => out.push_str(source),
            Piece::Text(text) => {
                push_indented_text(&mut out, pieces, index, text, |out| out.push('\n'), |_| {});
            }
        }
    }
    out.push_str("''");
    out
}

#[cfg(test)]
mod tests {
    use crate::assists::tests::{apply, check, check_not_offered};

    const TO_INDENTED: &str = "convert-to-indented-string";
    const TO_QUOTED: &str = "convert-to-quoted-string";

    #[test]
    fn quoted_to_indented() {
        check(TO_INDENTED, r#""a$0b""#, "''ab''");
        check(
            TO_INDENTED,
            r#""say \"hi\" \\ ok""#.replace("ok", "ok$0").as_str(),
            r#"''say "hi" \ ok''"#,
        );
        check(TO_INDENTED, r#"$0"a ${x} \${y} $""#, "''a ${x} ''${y} $''");
        check(TO_INDENTED, r#"$0"a$${x}""#, "''a$''${x}''");
        check(TO_INDENTED, r#"$0"it's''""#, "''it's''\\'''\\'''");
        check(TO_INDENTED, r#"$0"tab\there""#, "''tab''\\there''");
        check(
            TO_INDENTED,
            "{\n  x = \"a\\n  b\\n$0\";\n}",
            "{\n  x = ''\n    a\n      b\n  '';\n}",
        );
        check(TO_INDENTED, r#"$0"a\nb""#, "''\n  a\n  b''");
        check(TO_INDENTED, r#"$0"\n\na""#, "''\n\n\n  a''");
        check(TO_INDENTED, r#"$0"${x}\n  y""#, "''\n  ${x}\n    y''");
    }

    #[test]
    fn leading_spaces_on_every_line_are_refused() {
        // Every line starting with spaces would lose them to the indentation stripping.
        check_not_offered(TO_INDENTED, r#"$0"  a""#);
        check_not_offered(TO_INDENTED, r#"$0"  a\n  b""#);
        check_not_offered(TO_INDENTED, r#""abc$0"#);
    }

    #[test]
    fn indented_to_quoted() {
        check(TO_QUOTED, "''a$0b''", r#""ab""#);
        check(
            TO_QUOTED,
            "x: ''\n    first\n      second $0\n    ${x}\n''",
            r#"x: "first\n  second \n${x}\n""#,
        );
        check(
            TO_QUOTED,
            "''$0a '''x''' ''${b} ''$${c}''",
            r#""a ''x'' \${b} \$${c}""#,
        );
        check(TO_QUOTED, "''$0\"q\" \\ ''\\t''", r#""\"q\" \\ \t""#);
        check(TO_QUOTED, "''$0''", r#""""#);
    }

    /// Strings whose value is easy to get wrong, as Nix reads them.
    const TRICKY: &[&str] = &[
        r#""plain""#,
        r#""say \"hi\" \\ \n\t\r""#,
        r#""a ${x} \${y} $""#,
        r#""a$${x}""#,
        r#""dollar $""#,
        r#""dollar at end $${x}""#,
        r#""it's'' '""#,
        r#""line\n  indented\n\nafter blank\n""#,
        r#""${x}\n  y""#,
        r#""\n\nfirst blank""#,
        r#""a\n  b\n""#,
        "''\n  first\n    second\n  ${x}\n''",
        "''  leading ''\\t tab''",
        "''a '''x''' ''${b} ''$${c} $''",
        "''\n    deep\n  shallow\n    ''",
        "''\"q\" \\ ''\\n done''",
        "''trailing quote''\\'''",
        "''\n\n  two blank lines first\n''",
    ];

    /// Evaluates `before == after` with Nix itself for each tricky string, when Nix is installed.
    #[test]
    fn nix_reads_the_same_value() {
        let nix = std::process::Command::new("nix-instantiate")
            .arg("--version")
            .output();
        if !nix.is_ok_and(|output| output.status.success()) {
            eprintln!("skipped: nix-instantiate is not on PATH");
            return;
        }
        let mut converted = 0;
        for before in TRICKY {
            let indented = before.starts_with("''");
            let id = if indented { TO_QUOTED } else { TO_INDENTED };
            let Some(after) = apply(id, &format!("$0{before}")) else {
                continue;
            };
            converted += 1;
            let expr = format!(
                "let x = \"X\"; y = \"Y\"; b = \"B\"; c = \"C\"; in [ ({before}) ({after}) ]"
            );
            let output = std::process::Command::new("nix-instantiate")
                .args(["--store", "dummy://", "--eval", "--strict", "-E", &expr])
                .output()
                .expect("nix-instantiate runs");
            assert!(
                output.status.success(),
                "{expr}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let printed = String::from_utf8_lossy(&output.stdout);
            let values = printed
                .trim()
                .strip_prefix("[ ")
                .and_then(|rest| rest.strip_suffix(" ]"))
                .expect("a list of two strings");
            let (left, right) = values.split_at(values.len() / 2);
            assert_eq!(left.trim(), right.trim(), "{before} -> {after}");
        }
        assert_eq!(converted, TRICKY.len(), "every tricky string converts");
    }
}
