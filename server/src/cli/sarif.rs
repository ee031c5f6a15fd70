//! `nixwise check --format sarif`: a SARIF 2.1.0 log for GitHub code scanning and other tools
//! that read static analysis results.
//!
//! One run, one rule per registered lint (its documentation as the rule's help), one result per
//! diagnostic. Paths are relative to the current folder (`uriBaseId` `%SRCROOT%`), lines and
//! columns 1-based with columns in UTF-16 code units (SARIF's default `columnKind`, set explicitly).

use std::io::{self, Write};
use std::path::Path;

use lints::{Applicability, Diagnostic, Lint, Severity, LINTS};
use serde::Serialize;
use syntax::{LineIndex, TextRange};

use super::check::CheckedFile;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
const INFORMATION_URI: &str = "https://github.com/nixwise/nixwise";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<serde_json::Value>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Markdown,
    help: Markdown,
    default_configuration: RuleConfiguration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Markdown {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct RuleConfiguration {
    enabled: bool,
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties {
    code: &'static str,
    tags: Vec<&'static str>,
    fixability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: PhysicalLocation<'a>,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: &'a ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

impl Region {
    fn of(line_index: &LineIndex, range: TextRange) -> Region {
        let start = line_index.line_col(range.start());
        let end = line_index.line_col(range.end());
        Region {
            start_line: start.line + 1,
            start_column: line_index.to_utf16(start) + 1,
            end_line: end.line + 1,
            end_column: line_index.to_utf16(end) + 1,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: &'a ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: &'static str,
}

#[derive(Serialize)]
struct ResultProperties {
    code: &'static str,
    severity: &'static str,
}

/// SARIF has four levels; nixwise's hints and infos are both notes.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint | Severity::Info => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

pub(crate) fn write_check(
    out: &mut dyn Write,
    files: &[CheckedFile],
    unreadable: usize,
) -> io::Result<()> {
    let current_dir = std::env::current_dir().ok();
    let locations: Vec<ArtifactLocation> = files
        .iter()
        .map(|file| artifact_location(&file.display, current_dir.as_deref()))
        .collect();
    let results = files
        .iter()
        .zip(&locations)
        .flat_map(|(file, location)| {
            file.diagnostics
                .iter()
                .map(move |diagnostic| result(file, location, diagnostic))
        })
        .collect();
    let original_uri_base_ids = current_dir.as_deref().and_then(|dir| {
        let mut uri = file_uri(dir)?;
        if !uri.ends_with('/') {
            uri.push('/');
        }
        let mut ids = serde_json::Map::new();
        ids.insert(SRCROOT.to_owned(), serde_json::json!({ "uri": uri }));
        Some(serde_json::Value::Object(ids))
    });
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "nixwise",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: LINTS.iter().map(|lint| rule(lint)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: unreadable == 0,
            }],
            original_uri_base_ids,
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    writeln!(out)
}

fn rule(lint: &'static Lint) -> Rule {
    let docs = lint.docs_text();
    Rule {
        id: lint.name,
        name: lint.name,
        short_description: Text {
            text: lint.summary(),
        },
        full_description: Markdown {
            text: docs.clone(),
            markdown: docs.clone(),
        },
        help: Markdown {
            text: docs.clone(),
            markdown: docs,
        },
        default_configuration: RuleConfiguration {
            enabled: lint.default_enabled,
            level: level(lint.default_severity),
        },
        properties: RuleProperties {
            code: lint.code,
            tags: vec![lint.category.as_str()],
            fixability: lint.fixability.as_str(),
        },
    }
}

fn result<'a>(
    file: &'a CheckedFile,
    location: &'a ArtifactLocation,
    diagnostic: &'a Diagnostic,
) -> SarifResult<'a> {
    let index = &file.line_index;
    SarifResult {
        rule_id: diagnostic.name,
        rule_index: LINTS
            .iter()
            .position(|lint| lint.name == diagnostic.name)
            .unwrap_or(0),
        level: level(diagnostic.severity),
        message: Text {
            text: diagnostic.message.clone(),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: location,
                region: Region::of(index, diagnostic.range),
            },
        }],
        related_locations: diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| RelatedLocation {
                id,
                physical_location: PhysicalLocation {
                    artifact_location: location,
                    region: Region::of(index, related.range),
                },
                message: Text {
                    text: related.message.clone(),
                },
            })
            .collect(),
        fixes: diagnostic
            .fixes
            .iter()
            .filter(|fix| fix.applicability != Applicability::DisplayOnly)
            .map(|fix| SarifFix {
                description: Text {
                    text: fix.title.clone(),
                },
                artifact_changes: [ArtifactChange {
                    artifact_location: location,
                    replacements: fix
                        .edits
                        .iter()
                        .map(|edit| Replacement {
                            deleted_region: Region::of(index, edit.range),
                            inserted_content: Text {
                                text: edit.new_text.clone(),
                            },
                        })
                        .collect(),
                }],
                properties: FixProperties {
                    applicability: fix.applicability.as_str(),
                },
            })
            .collect(),
        properties: ResultProperties {
            code: diagnostic.code,
            severity: diagnostic.severity.as_str(),
        },
    }
}

/// A file as SARIF names it: relative to `%SRCROOT%` (the current folder) when it is under it,
/// else an absolute `file://` URI.
fn artifact_location(display: &str, current_dir: Option<&Path>) -> ArtifactLocation {
    let path = Path::new(display);
    let relative = if path.is_absolute() {
        current_dir.and_then(|dir| path.strip_prefix(dir).ok())
    } else {
        Some(path)
    };
    match relative {
        Some(relative) => ArtifactLocation {
            uri: relative_uri(relative),
            uri_base_id: Some(SRCROOT),
        },
        None => ArtifactLocation {
            uri: file_uri(path).unwrap_or_else(|| encode_path(display)),
            uri_base_id: None,
        },
    }
}

/// `./a b/c.nix` → `a%20b/c.nix`.
fn relative_uri(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|component| match component {
            std::path::Component::Normal(part) => Some(encode_path(&part.to_string_lossy())),
            std::path::Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

fn file_uri(path: &Path) -> Option<String> {
    if !path.is_absolute() {
        return None;
    }
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    Some(format!("file://{}", encode_path(&text)))
}

/// Percent-encodes everything but the unreserved characters, `/` and `:`.
fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        let here = Path::new("/work/repo");
        let uri = |display| artifact_location(display, Some(here)).uri;
        assert_eq!(uri("a b/c.nix"), "a%20b/c.nix");
        assert_eq!(uri("./flake.nix"), "flake.nix");
        assert_eq!(uri("/work/repo/x/y.nix"), "x/y.nix");
        assert_eq!(uri("/elsewhere/100%.nix"), "file:///elsewhere/100%25.nix");
        assert_eq!(
            artifact_location("/elsewhere/z.nix", Some(here)).uri_base_id,
            None
        );
        assert_eq!(uri("../up.nix"), "../up.nix");
    }

    #[test]
    fn regions_count_utf16_code_units_from_one() {
        let text = "\"😀\" == x\n";
        let index = LineIndex::new(text);
        // `==`, after a string holding one character of two UTF-16 code units.
        let start = syntax::TextSize::from(7);
        let region = Region::of(
            &index,
            TextRange::new(start, start + syntax::TextSize::from(2)),
        );
        assert_eq!(
            region,
            Region {
                start_line: 1,
                start_column: 6,
                end_line: 1,
                end_column: 8,
            }
        );
    }
}
