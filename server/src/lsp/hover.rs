//! Hover over a diagnostic: the documentation of the lint that reported it.

use syntax::TextRange;
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::session::Session;

pub fn hover(session: &Session, params: &lsp::HoverParams) -> Option<lsp::Hover> {
    let uri = &params.text_document_position_params.text_document.uri;
    let snapshot = session.documents.snapshot(uri)?;
    let offset = convert::offset(
        &snapshot.index,
        &snapshot.text,
        params.text_document_position_params.position,
    );
    let findings = session.documents.findings_at(uri, offset);
    let mut sections: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut covered: Option<TextRange> = None;
    for finding in &findings {
        covered = Some(covered.map_or(finding.range, |range| range.cover(finding.range)));
        if seen.contains(&finding.lint.name) {
            continue;
        }
        seen.push(finding.lint.name);
        sections.push(format!(
            "# {} `{}`\n\n{}",
            finding.lint.code,
            finding.lint.name,
            finding.lint.docs_text()
        ));
    }
    let range = covered?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: sections.join("\n---\n\n"),
        }),
        range: Some(convert::range(&snapshot.index, range)),
    })
}
