//! The one place where nixwise types cross into LSP types and back. Positions are UTF-16 on the
//! wire and byte offsets inside.

use lints::{Applicability, Severity, Tag};
use serde::{Deserialize, Serialize};
use syntax::{LineIndex, TextRange, TextSize};
use tower_lsp_server::ls_types as lsp;

/// The `source` of every diagnostic nixwise publishes.
pub const SOURCE: &str = "nixwise";

/// The LSP position of a byte offset.
pub fn position(index: &LineIndex, offset: TextSize) -> lsp::Position {
    let line_col = index.line_col(offset);
    lsp::Position {
        line: line_col.line,
        character: index.to_utf16(line_col),
    }
}

/// The LSP range of a byte range.
pub fn range(index: &LineIndex, range: TextRange) -> lsp::Range {
    lsp::Range {
        start: position(index, range.start()),
        end: position(index, range.end()),
    }
}

/// The byte offset of an LSP position, clamped to the text: a column past the end of its line
/// is the end of the line, a line past the end of the text is the end of the text.
pub fn offset(index: &LineIndex, text: &str, position: lsp::Position) -> TextSize {
    index.offset_utf16(position.line, position.character, text)
}

/// The byte range of an LSP range, clamped to the text; a reversed range is put in order.
pub fn text_range(index: &LineIndex, text: &str, range: lsp::Range) -> TextRange {
    let start = offset(index, text, range.start);
    let end = offset(index, text, range.end);
    TextRange::new(start.min(end), start.max(end))
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
    }
}

pub fn tag(tag: Tag) -> lsp::DiagnosticTag {
    match tag {
        Tag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
        Tag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
    }
}

pub fn text_edit(index: &LineIndex, edit: &syntax::TextEdit) -> lsp::TextEdit {
    lsp::TextEdit {
        range: range(index, edit.range),
        new_text: edit.new_text.clone(),
    }
}

/// A location in a document.
pub fn location(uri: &lsp::Uri, index: &LineIndex, target: TextRange) -> lsp::Location {
    lsp::Location {
        uri: uri.clone(),
        range: range(index, target),
    }
}

/// The start of a file, for a definition that is a whole file.
pub fn file_start(uri: lsp::Uri) -> lsp::Location {
    lsp::Location {
        uri,
        range: lsp::Range::default(),
    }
}

pub fn highlight(
    index: &LineIndex,
    reference: &ide::references::Reference,
) -> lsp::DocumentHighlight {
    use ide::references::ReferenceKind;
    lsp::DocumentHighlight {
        range: range(index, reference.range),
        kind: Some(match reference.kind {
            ReferenceKind::Write => lsp::DocumentHighlightKind::WRITE,
            ReferenceKind::Read => lsp::DocumentHighlightKind::READ,
        }),
    }
}

/// Edits of one document as a workspace edit.
pub fn workspace_edit(
    uri: &lsp::Uri,
    index: &LineIndex,
    edits: &[syntax::TextEdit],
) -> lsp::WorkspaceEdit {
    let edits = edits.iter().map(|edit| text_edit(index, edit)).collect();
    lsp::WorkspaceEdit {
        changes: Some(std::collections::HashMap::from([(uri.clone(), edits)])),
        ..lsp::WorkspaceEdit::default()
    }
}

/// Markdown hover over `target`.
pub fn hover(index: &LineIndex, markdown: String, target: Option<TextRange>) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: target.map(|target| range(index, target)),
    }
}

/// What a published diagnostic carries in its `data`, so that a code action can offer its fixes
/// without linting again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The document version the fixes were computed for; fixes for another version are refused.
    pub version: i32,
    pub fixes: Vec<FixData>,
    /// For a finding about the flake's lock: the `nix` command that addresses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<LockCommand>,
}

/// `nix flake lock`, or `nix flake update <input>` when `input` is given.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LockCommand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    /// Whether the fix keeps the value of the expression.
    pub safe: bool,
    pub edits: Vec<lsp::TextEdit>,
}

impl DiagnosticData {
    /// Reads the data of a diagnostic the client sends back; anything else gives `None`.
    pub fn from_diagnostic(diagnostic: &lsp::Diagnostic) -> Option<DiagnosticData> {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            return None;
        }
        serde_json::from_value(diagnostic.data.clone()?).ok()
    }
}

/// An LSP diagnostic for a nixwise finding in the document `uri` at `version`.
pub fn diagnostic(
    uri: &lsp::Uri,
    index: &LineIndex,
    version: i32,
    diagnostic: &lints::Diagnostic,
) -> lsp::Diagnostic {
    diagnostic_with_command(uri, index, version, diagnostic, None)
}

/// [`diagnostic`] for a finding that a `nix` command can address.
pub fn diagnostic_with_command(
    uri: &lsp::Uri,
    index: &LineIndex,
    version: i32,
    diagnostic: &lints::Diagnostic,
    command: Option<LockCommand>,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .map(|related| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: range(index, related.range),
            },
            message: related.message.clone(),
        })
        .collect();
    let tags: Vec<lsp::DiagnosticTag> = diagnostic.tags.iter().map(|&one| tag(one)).collect();
    let fixes: Vec<FixData> = diagnostic
        .fixes
        .iter()
        .filter(|fix| fix.applicability != Applicability::DisplayOnly)
        .map(|fix| FixData {
            title: fix.title.clone(),
            safe: fix.applicability == Applicability::Safe,
            edits: fix
                .edits
                .iter()
                .map(|edit| text_edit(index, edit))
                .collect(),
        })
        .collect();
    let data = (!fixes.is_empty() || command.is_some())
        .then(|| {
            serde_json::to_value(DiagnosticData {
                version,
                fixes,
                command,
            })
            .ok()
        })
        .flatten();
    lsp::Diagnostic {
        range: range(index, diagnostic.range),
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(diagnostic.name.to_owned())),
        code_description: None,
        source: Some(SOURCE.to_owned()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_utf16_and_clamped() {
        let text = "é𝔸 = 1;\nab";
        let index = LineIndex::new(text);
        // `=` is at byte 7: 2 bytes of `é`, 4 of `𝔸`, 1 space; UTF-16 column 4.
        let at = position(&index, TextSize::from(7));
        assert_eq!(
            at,
            lsp::Position {
                line: 0,
                character: 4
            }
        );
        assert_eq!(offset(&index, text, at), TextSize::from(7));
        assert_eq!(
            offset(
                &index,
                text,
                lsp::Position {
                    line: 0,
                    character: 99
                }
            ),
            TextSize::from(11)
        );
        assert_eq!(
            offset(
                &index,
                text,
                lsp::Position {
                    line: 9,
                    character: 0
                }
            ),
            TextSize::of(text)
        );
        let reversed = lsp::Range {
            start: lsp::Position::new(1, 2),
            end: lsp::Position::new(0, 0),
        };
        assert_eq!(
            text_range(&index, text, reversed),
            TextRange::new(0.into(), TextSize::of(text))
        );
    }

    #[test]
    fn diagnostics_carry_their_fixes_for_their_version() {
        let text = "{ a = (y < z) == true; }";
        let report = lints::check(text, None, &lints::Config::default());
        let index = LineIndex::new(text);
        let uri: lsp::Uri = "file:///a.nix".parse().expect("a valid URI");
        let found = report
            .diagnostics
            .iter()
            .find(|found| found.name == "bool-comparison");
        let converted = diagnostic(&uri, &index, 7, found.expect("a finding"));
        assert_eq!(
            converted.code,
            Some(lsp::NumberOrString::String("bool-comparison".into()))
        );
        assert_eq!(converted.severity, Some(lsp::DiagnosticSeverity::WARNING));
        let data = DiagnosticData::from_diagnostic(&converted).expect("fix data");
        assert_eq!(data.version, 7);
        assert!(data.fixes.iter().all(|fix| fix.safe));
    }
}
