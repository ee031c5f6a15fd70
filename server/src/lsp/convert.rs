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
/// without linting again. The fixes themselves stay in the server, kept with the published
/// findings (`Documents::published_fixes`): writing every fix of every finding into each publish
/// made the message of a large file several times larger, on every edit, for the few fixes a
/// user ever asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The document version the fixes were computed for; fixes for another version are refused.
    pub version: i32,
    /// Where the finding is among those published for `version`, when it has fixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<usize>,
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

impl DiagnosticData {
    /// Reads the data of a diagnostic the client sends back; anything else gives `None`.
    pub fn from_diagnostic(diagnostic: &lsp::Diagnostic) -> Option<DiagnosticData> {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            return None;
        }
        serde_json::from_value(diagnostic.data.clone()?).ok()
    }
}

/// The fixes of a finding that a code action may offer.
pub fn offered_fixes(diagnostic: &lints::Diagnostic) -> Vec<lints::Fix> {
    diagnostic
        .fixes
        .iter()
        .filter(|fix| fix.applicability != Applicability::DisplayOnly)
        .cloned()
        .collect()
}

/// An LSP diagnostic for a nixwise finding in the document `uri` at `version`, published as the
/// `position`-th finding of that version (`None`: not kept, so its fixes are not offered).
pub fn diagnostic(
    uri: &lsp::Uri,
    index: &LineIndex,
    version: i32,
    diagnostic: &lints::Diagnostic,
    position: Option<usize>,
) -> lsp::Diagnostic {
    diagnostic_with_command(uri, index, version, diagnostic, position, None)
}

/// [`diagnostic`] for a finding that a `nix` command can address.
pub fn diagnostic_with_command(
    uri: &lsp::Uri,
    index: &LineIndex,
    version: i32,
    diagnostic: &lints::Diagnostic,
    position: Option<usize>,
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
    let has_fixes = diagnostic
        .fixes
        .iter()
        .any(|fix| fix.applicability != Applicability::DisplayOnly);
    let finding = position.filter(|_| has_fixes);
    let data = (finding.is_some() || command.is_some())
        .then(|| {
            serde_json::to_value(DiagnosticData {
                version,
                finding,
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

/// An LSP completion item for one of `ide::completion`; `sortText` keeps the ranking of the
/// answer (names in scope first) whatever the client sorts by.
pub fn completion_item(
    index: &LineIndex,
    item: &ide::completion::CompletionItem,
) -> lsp::CompletionItem {
    use ide::completion::CompletionKind;
    let kind = match item.kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Variable(_) => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Builtin => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Attribute => lsp::CompletionItemKind::FIELD,
        CompletionKind::FlakeInput => lsp::CompletionItemKind::MODULE,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        sort_text: Some(format!("{}{}", item.rank, item.label)),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: range(index, item.replace),
            new_text: item.label.clone(),
        })),
        ..lsp::CompletionItem::default()
    }
}

pub fn symbol_kind(kind: ide::document_symbols::SymbolKind) -> lsp::SymbolKind {
    use ide::document_symbols::SymbolKind;
    match kind {
        SymbolKind::Function => lsp::SymbolKind::FUNCTION,
        SymbolKind::Object => lsp::SymbolKind::OBJECT,
        SymbolKind::Array => lsp::SymbolKind::ARRAY,
        SymbolKind::String => lsp::SymbolKind::STRING,
        SymbolKind::Number => lsp::SymbolKind::NUMBER,
        SymbolKind::Boolean => lsp::SymbolKind::BOOLEAN,
        SymbolKind::Null => lsp::SymbolKind::NULL,
        SymbolKind::File => lsp::SymbolKind::FILE,
        SymbolKind::Variable | SymbolKind::Parameter => lsp::SymbolKind::VARIABLE,
        SymbolKind::Property => lsp::SymbolKind::PROPERTY,
    }
}

/// The outline of a document as LSP's nested symbols.
pub fn document_symbols(
    index: &LineIndex,
    symbols: &[ide::document_symbols::DocumentSymbol],
) -> Vec<lsp::DocumentSymbol> {
    symbols
        .iter()
        .map(|symbol| {
            #[allow(deprecated)] // `deprecated` is a required field of the struct.
            lsp::DocumentSymbol {
                name: symbol.name.clone(),
                detail: symbol.detail.clone(),
                kind: symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                range: range(index, symbol.range),
                selection_range: range(index, symbol.selection_range),
                children: (!symbol.children.is_empty())
                    .then(|| document_symbols(index, &symbol.children)),
            }
        })
        .collect()
}

/// Folding ranges by line. A fold ends on the line before its last when that line goes on after
/// the fold (`};`) and the client folds whole lines only, so that the rest stays visible; folds
/// that end on their first line, or start where a larger fold starts, are dropped.
pub fn folding_ranges(
    index: &LineIndex,
    text: &str,
    folds: &[ide::folding_ranges::Fold],
    line_folding_only: bool,
) -> Vec<lsp::FoldingRange> {
    let mut acc: Vec<lsp::FoldingRange> = Vec::with_capacity(folds.len());
    for fold in folds {
        let start = index.line_col(fold.range.start());
        let end = index.line_col(fold.range.end());
        let mut end_line = end.line;
        if line_folding_only {
            let rest_of_line = index.line_range(end.line, text).map_or("", |line| {
                &text[TextRange::new(fold.range.end(), line.end().max(fold.range.end()))]
            });
            if !rest_of_line.trim().is_empty() {
                end_line = end_line.saturating_sub(1);
            }
        }
        if end_line <= start.line || acc.last().is_some_and(|last| last.start_line == start.line) {
            continue;
        }
        acc.push(lsp::FoldingRange {
            start_line: start.line,
            start_character: (!line_folding_only).then(|| index.to_utf16(start)),
            end_line,
            end_character: (!line_folding_only).then(|| index.to_utf16(end)),
            kind: Some(match fold.kind {
                ide::folding_ranges::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                ide::folding_ranges::FoldKind::Region => lsp::FoldingRangeKind::Region,
            }),
            collapsed_text: None,
        });
    }
    acc
}

/// Nested selection ranges from the innermost range outwards.
pub fn selection_range(index: &LineIndex, ranges: &[TextRange]) -> Option<lsp::SelectionRange> {
    let mut acc: Option<lsp::SelectionRange> = None;
    for &outer in ranges.iter().rev() {
        acc = Some(lsp::SelectionRange {
            range: range(index, outer),
            parent: acc.map(Box::new),
        });
    }
    acc
}

/// The legend that gives the numbers of [`semantic_tokens`] their names.
pub fn semantic_tokens_legend() -> lsp::SemanticTokensLegend {
    use ide::semantic_tokens::{TokenType, MODIFIERS};
    lsp::SemanticTokensLegend {
        token_types: TokenType::ALL
            .iter()
            .map(|kind| lsp::SemanticTokenType::new(kind.name()))
            .collect(),
        token_modifiers: MODIFIERS
            .iter()
            .map(|name| lsp::SemanticTokenModifier::new(name))
            .collect(),
    }
}

/// Highlight tokens in LSP's relative encoding, with UTF-16 lengths. A token that spans lines is
/// cut at each line end, since clients need not support tokens across lines.
pub fn semantic_tokens(
    index: &LineIndex,
    text: &str,
    tokens: &[ide::semantic_tokens::HighlightToken],
) -> Vec<lsp::SemanticToken> {
    let mut acc = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0u32, 0u32);
    let mut push =
        |line: u32, start: u32, length: u32, token: &ide::semantic_tokens::HighlightToken| {
            if length == 0 {
                return;
            }
            let delta_line = line - previous_line;
            let delta_start = if delta_line == 0 {
                start - previous_start
            } else {
                start
            };
            acc.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type: token.kind.index(),
                token_modifiers_bitset: token.modifiers,
            });
            previous_line = line;
            previous_start = start;
        };
    for token in tokens {
        let start = index.line_col(token.range.start());
        let end = index.line_col(token.range.end());
        for line in start.line..=end.line {
            let Some(line_range) = index.line_range(line, text) else {
                break;
            };
            let from = token.range.start().max(line_range.start());
            let to = token.range.end().min(line_range.end());
            if from >= to {
                continue;
            }
            let from = index.line_col(from);
            let to = index.line_col(to);
            let start16 = index.to_utf16(from);
            push(line, start16, index.to_utf16(to) - start16, token);
        }
    }
    acc
}

/// The edit that turns `old` into `new`: the tokens between their common start and end.
pub fn semantic_tokens_edit(
    old: &[lsp::SemanticToken],
    new: &[lsp::SemanticToken],
) -> Vec<lsp::SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = old.len() - prefix - suffix;
    let inserted = &new[prefix..new.len() - suffix];
    if removed == 0 && inserted.is_empty() {
        return Vec::new();
    }
    // Edits count the numbers of the flat array: five per token.
    vec![lsp::SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: (removed * 5) as u32,
        data: Some(inserted.to_vec()),
    }]
}

pub fn inlay_hint(index: &LineIndex, hint: &ide::inlay_hints::InlayHint) -> lsp::InlayHint {
    lsp::InlayHint {
        position: position(index, hint.offset),
        label: lsp::InlayHintLabel::String(hint.label.clone()),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
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
    fn diagnostics_point_to_their_fixes_for_their_version() {
        let text = "{ a = (y < z) == true; }";
        let report = lints::check(text, None, &lints::Config::default());
        let index = LineIndex::new(text);
        let uri: lsp::Uri = "file:///a.nix".parse().expect("a valid URI");
        let found = report
            .diagnostics
            .iter()
            .find(|found| found.name == "bool-comparison")
            .expect("a finding");
        let converted = diagnostic(&uri, &index, 7, found, Some(3));
        assert_eq!(
            converted.code,
            Some(lsp::NumberOrString::String("bool-comparison".into()))
        );
        assert_eq!(converted.severity, Some(lsp::DiagnosticSeverity::WARNING));
        let data = DiagnosticData::from_diagnostic(&converted).expect("fix data");
        assert_eq!(data.version, 7);
        assert_eq!(data.finding, Some(3));
        // Not kept among the published findings: nothing to point to.
        assert_eq!(diagnostic(&uri, &index, 7, found, None).data, None);
        assert!(offered_fixes(found)
            .iter()
            .all(|fix| fix.applicability == Applicability::Safe));
    }
}
