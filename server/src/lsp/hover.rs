//! Hover: what the name under the cursor is (from the ide, with the builtins' docs from the
//! user's Nix when they have been read), followed by the documentation of the lints that
//! reported a diagnostic there.

use ide::hover::HoverContext;
use syntax::{TextRange, TextSize};
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::definition::At;
use super::session::Session;
use super::worker;

pub async fn hover(session: &Session, params: &lsp::HoverParams) -> Option<lsp::Hover> {
    // The first hover starts reading the builtins' docs, so a session that never hovers never
    // runs `nix`; this hover makes do without them.
    session
        .builtin_docs
        .load_in_background(&session.nix, &session.settings.roots());
    let at = At::new(session, &params.text_document_position_params)?;
    let index = at.snapshot.index.clone();
    let (lint_docs, lint_range) = lint_sections(session, &at.snapshot.uri, at.offset);
    let docs = session.builtin_docs.get();
    let named = worker::run("nixwise-hover", move || {
        let analysis = at.analysis();
        let context = HoverContext {
            builtin_docs: docs.as_deref(),
            flake: at.flake_files(),
        };
        ide::hover::hover(&analysis, at.offset, context)
    })
    .await
    .flatten();
    let mut sections = Vec::new();
    let mut range = lint_range;
    if let Some(named) = named {
        sections.push(named.markdown);
        range = Some(named.range);
    }
    sections.extend(lint_docs);
    if sections.is_empty() {
        return None;
    }
    Some(convert::hover(&index, sections.join("\n\n---\n\n"), range))
}

/// The docs of the lints whose published findings cover `offset`, each once, and the range they
/// cover together.
fn lint_sections(
    session: &Session,
    uri: &lsp::Uri,
    offset: TextSize,
) -> (Vec<String>, Option<TextRange>) {
    let findings = session.documents.findings_at(uri, offset);
    let mut sections: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut covered: Option<TextRange> = None;
    for (range, lint) in findings {
        covered = Some(covered.map_or(range, |covered| covered.cover(range)));
        if seen.contains(&lint.name) {
            continue;
        }
        seen.push(lint.name);
        sections.push(format!(
            "# {} `{}`\n\n{}",
            lint.code,
            lint.name,
            lint.docs_text()
        ));
    }
    (sections, covered)
}
