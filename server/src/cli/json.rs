//! `nixwise check --format json`: version 1 of the JSON contract, described in
//! docs/json-output.md. Fields are only ever added within a version.

use std::io::{self, Write};

use lints::{Diagnostic, Tag};
use serde::Serialize;
use syntax::{LineIndex, TextRange};

use super::check::CheckedFile;
use super::Position;

pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    range: Range,
    tags: Vec<&'static str>,
    related: Vec<JsonRelated<'a>>,
    fixes: Vec<JsonFix<'a>>,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

impl Range {
    fn of(line_index: &LineIndex, range: TextRange) -> Range {
        Range {
            start: Position::of(line_index, range.start()),
            end: Position::of(line_index, range.end()),
        }
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    range: Range,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: Range,
    text: &'a str,
}

pub(crate) fn write_check(out: &mut dyn Write, files: &[CheckedFile]) -> io::Result<()> {
    let diagnostics = files
        .iter()
        .flat_map(|file| {
            file.diagnostics
                .iter()
                .map(move |diagnostic| convert(file, diagnostic))
        })
        .collect();
    let output = Output {
        version: JSON_VERSION,
        files: files.len(),
        diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &output).map_err(io::Error::from)?;
    writeln!(out)
}

fn convert<'a>(file: &'a CheckedFile, diagnostic: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let index = &file.line_index;
    JsonDiagnostic {
        file: &file.display,
        code: diagnostic.code,
        name: diagnostic.name,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        range: Range::of(index, diagnostic.range),
        tags: diagnostic
            .tags
            .iter()
            .map(|tag| match tag {
                Tag::Unnecessary => "unnecessary",
                Tag::Deprecated => "deprecated",
            })
            .collect(),
        related: diagnostic
            .related
            .iter()
            .map(|related| JsonRelated {
                range: Range::of(index, related.range),
                message: &related.message,
            })
            .collect(),
        fixes: diagnostic
            .fixes
            .iter()
            .map(|fix| JsonFix {
                title: &fix.title,
                applicability: fix.applicability.as_str(),
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| JsonEdit {
                        range: Range::of(index, edit.range),
                        text: &edit.new_text,
                    })
                    .collect(),
            })
            .collect(),
    }
}
