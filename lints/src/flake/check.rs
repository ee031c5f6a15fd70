//! The lints that read flake.lock: they run on a flake's two files at once, report what they find
//! at its place in flake.lock, and mirror it onto the matching `inputs.<name>` of flake.nix.

use std::panic::{catch_unwind, AssertUnwindSafe};

use syntax::ast::{self, HasEntry};
use syntax::helpers::{attr_name, unwrap_parens};
use syntax::{AstNode, SyntaxNode, TextRange};

use super::lock::{InputTarget, Lock, LockNode};
use super::model::FlakeModel;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::engine::LintFailure;
use crate::lint::Lint;
use crate::lints::{
    duplicate_nixpkgs, input_not_locked, lock_missing_or_invalid, lock_stale, nixpkgs_non_upstream,
    nixpkgs_outdated, nixpkgs_unsupported_branch, non_portable_lock_entry,
};
use crate::suppression::Suppressions;

/// The two files of a flake, as far as they exist.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlakeFiles<'a> {
    /// The text of flake.nix.
    pub flake_nix: Option<&'a str>,
    /// The text of the flake.lock beside it; `None` when there is none.
    pub flake_lock: Option<&'a str>,
    /// Now, in seconds since 1970, for the age of locked inputs when no reference date is
    /// configured. Lints that need a date report nothing about ages without one.
    pub now: Option<i64>,
}

/// What the lock lints found, by file.
#[derive(Debug, Default)]
pub struct FlakeReport {
    /// Diagnostics with ranges in flake.lock.
    pub lock: Vec<Diagnostic>,
    /// Diagnostics with ranges in flake.nix: findings about flake.nix itself and mirrors of the
    /// lock's findings onto the inputs they concern.
    pub flake: Vec<Diagnostic>,
    pub failures: Vec<LintFailure>,
}

/// Where a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Lock(TextRange),
    Flake(TextRange),
}

/// A finding of a lock lint.
#[derive(Clone, Debug)]
pub struct LockFinding {
    pub place: Place,
    pub message: String,
    pub severity: Option<Severity>,
    /// The root input the finding concerns, to mirror it onto flake.nix.
    pub input: Option<String>,
    /// Fixes, as edits of flake.nix.
    pub fixes: Vec<Fix>,
}

/// Collects the findings of one lock lint.
#[derive(Default)]
pub struct LockFindings {
    items: Vec<LockFinding>,
}

impl LockFindings {
    pub fn report(&mut self, place: Place, message: impl Into<String>) -> &mut LockFinding {
        self.items.push(LockFinding {
            place,
            message: message.into(),
            severity: None,
            input: None,
            fixes: Vec::new(),
        });
        self.items.last_mut().expect("an item was just pushed")
    }
}

impl LockFinding {
    pub fn severity(&mut self, severity: Severity) -> &mut LockFinding {
        self.severity = Some(severity);
        self
    }

    pub fn input(&mut self, name: &str) -> &mut LockFinding {
        self.input = Some(name.to_owned());
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut LockFinding {
        self.fixes.push(fix);
        self
    }
}

/// An input that flake.nix declares.
#[derive(Clone, Debug)]
pub struct DeclaredInput {
    pub name: String,
    /// The name where it is declared: where lock findings are mirrored.
    pub name_range: TextRange,
}

/// What a lock lint can look at.
pub struct LockCtx<'a> {
    /// The parsed flake.lock, if there is one.
    pub lock: Option<&'a Lock>,
    pub flake_root: Option<&'a SyntaxNode>,
    pub declared: &'a [DeclaredInput],
    /// What flake.nix declares, read in full, when it has the shape of a flake.
    pub model: Option<&'a FlakeModel>,
    /// The time ages are measured against, in seconds since 1970.
    pub reference_time: Option<i64>,
    pub config: &'a Config,
}

impl LockCtx<'_> {
    /// The lock when it has a root node to compare flake.nix with: lints that compare the two
    /// files leave a lock Nix cannot read to `lock-missing-or-invalid`.
    pub fn readable_lock(&self) -> Option<(&Lock, &LockNode)> {
        let lock = self.lock?;
        Some((lock, lock.root_node()?))
    }

    /// The names flake.nix makes inputs of: its declared inputs and the formals of `outputs`
    /// other than `self`, which Nix takes as inputs from the registry. Each with the range where
    /// it is named.
    pub fn flake_input_names(&self) -> Vec<(String, TextRange)> {
        let mut names: Vec<(String, TextRange)> = self
            .declared
            .iter()
            .map(|input| (input.name.clone(), input.name_range))
            .collect();
        let formals = self
            .model
            .and_then(|model| model.outputs.as_ref())
            .and_then(|outputs| outputs.params.as_ref())
            .map(|params| params.formals.as_slice())
            .unwrap_or_default();
        for formal in formals {
            if formal.name != "self" && !names.iter().any(|(name, _)| *name == formal.name) {
                names.push((formal.name.clone(), formal.range));
            }
        }
        names
    }

    /// The root inputs that are nixpkgs, by configured name or by identity, with their nodes.
    pub fn nixpkgs_root_inputs(&self) -> Vec<(&str, &LockNode)> {
        let Some(lock) = self.lock else {
            return Vec::new();
        };
        let Some(root) = lock.root_node() else {
            return Vec::new();
        };
        let keys = self.config.nixpkgs_keys();
        root.inputs
            .iter()
            .filter_map(|input| {
                let node = lock.resolve_root_input(&input.name).ok()?;
                let by_name = keys.contains(&input.name);
                (by_name || Lock::is_nixpkgs_by_identity(node))
                    .then_some((input.name.as_str(), node))
            })
            .collect()
    }

    /// The root input whose node is `node`, directly.
    pub fn root_input_of(&self, node: &LockNode) -> Option<&str> {
        let lock = self.lock?;
        let root = lock.root_node()?;
        root.inputs.iter().find_map(|input| match &input.target {
            InputTarget::Node(key) if *key == node.key => Some(input.name.as_str()),
            _ => None,
        })
    }
}

type LockCheck = fn(&LockCtx<'_>, &mut LockFindings);

/// The lock lints, sorted by code.
pub(crate) static LOCK_LINTS: &[(&Lint, LockCheck)] = &[
    (
        &lock_missing_or_invalid::LOCK_MISSING_OR_INVALID,
        lock_missing_or_invalid::check_lock,
    ),
    (
        &input_not_locked::INPUT_NOT_LOCKED,
        input_not_locked::check_lock,
    ),
    (&lock_stale::LOCK_STALE, lock_stale::check_lock),
    (
        &nixpkgs_outdated::NIXPKGS_OUTDATED,
        nixpkgs_outdated::check_lock,
    ),
    (
        &nixpkgs_non_upstream::NIXPKGS_NON_UPSTREAM,
        nixpkgs_non_upstream::check_lock,
    ),
    (
        &nixpkgs_unsupported_branch::NIXPKGS_UNSUPPORTED_BRANCH,
        nixpkgs_unsupported_branch::check_lock,
    ),
    (
        &duplicate_nixpkgs::DUPLICATE_NIXPKGS,
        duplicate_nixpkgs::check_lock,
    ),
    (
        &non_portable_lock_entry::NON_PORTABLE_LOCK_ENTRY,
        non_portable_lock_entry::check_lock,
    ),
];

/// Checks a flake's lock against its flake.nix.
pub fn check_flake(files: &FlakeFiles<'_>, config: &Config) -> FlakeReport {
    check_flake_with(files, config, LOCK_LINTS)
}

pub(crate) fn check_flake_with(
    files: &FlakeFiles<'_>,
    config: &Config,
    lints: &[(&'static Lint, LockCheck)],
) -> FlakeReport {
    let lock = files.flake_lock.map(Lock::parse);
    let parse = files.flake_nix.map(syntax::parse);
    let root = parse.as_ref().map(syntax::Parse::root);
    let declared = root.as_ref().map(declared_inputs).unwrap_or_default();
    let model = root.as_ref().and_then(FlakeModel::read);
    let reference_time = config.reference_date().and_then(date_to_unix).or(files.now);
    let ctx = LockCtx {
        lock: lock.as_ref(),
        flake_root: root.as_ref(),
        declared: &declared,
        model: model.as_ref(),
        reference_time,
        config,
    };
    // Suppression comments in flake.nix apply to the findings shown there.
    let mut suppressions = Suppressions::default();
    let line_index = files.flake_nix.map(syntax::LineIndex::new);
    if let (Some(root), Some(index)) = (root.as_ref(), line_index.as_ref()) {
        for element in root.descendants_with_tokens() {
            if let syntax::NodeOrToken::Token(token) = element {
                if token.kind() == syntax::SyntaxKind::TOKEN_COMMENT {
                    suppressions.add_comment(
                        token.text(),
                        index.line_col(token.text_range().start()).line,
                    );
                }
            }
        }
    }
    let suppressed = |lint: &Lint, range: TextRange| {
        line_index.as_ref().is_some_and(|index| {
            suppressions.is_suppressed(lint.name, index.line_col(range.start()).line)
        })
    };
    let mut report = FlakeReport::default();
    for (lint, check) in lints {
        if !config.is_enabled(lint) {
            continue;
        }
        let mut findings = LockFindings::default();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| check(&ctx, &mut findings))) {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the lint panicked".to_owned());
            report.failures.push(LintFailure {
                lint: lint.name,
                message,
            });
            continue;
        }
        for finding in findings.items {
            let Some(severity) = config.severity(lint, finding.severity) else {
                continue;
            };
            let diagnostic = |range, message: String, fixes| Diagnostic {
                code: lint.code,
                name: lint.name,
                severity,
                range,
                message,
                tags: lint.tags.to_vec(),
                related: Vec::new(),
                fixes,
            };
            match finding.place {
                Place::Lock(range) => {
                    let mirror = finding
                        .input
                        .as_deref()
                        .and_then(|name| declared.iter().find(|input| input.name == name));
                    // A finding silenced where its input is declared is silenced in the lock too.
                    if mirror.is_some_and(|input| suppressed(lint, input.name_range)) {
                        continue;
                    }
                    if let Some(input) = mirror {
                        report.flake.push(diagnostic(
                            input.name_range,
                            format!("{} (flake.lock)", finding.message),
                            finding.fixes.clone(),
                        ));
                    }
                    report
                        .lock
                        .push(diagnostic(range, finding.message, Vec::new()));
                }
                Place::Flake(range) => {
                    if !suppressed(lint, range) {
                        report
                            .flake
                            .push(diagnostic(range, finding.message, finding.fixes));
                    }
                }
            }
        }
    }
    for list in [&mut report.lock, &mut report.flake] {
        list.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.code));
    }
    report
}

/// The inputs flake.nix declares at its top: `inputs.x… = …;` and `inputs = { x… = …; };`.
pub fn declared_inputs(root: &SyntaxNode) -> Vec<DeclaredInput> {
    let mut declared: Vec<DeclaredInput> = Vec::new();
    let mut add = |name: String, name_range: TextRange| {
        if !declared.iter().any(|input| input.name == name) {
            declared.push(DeclaredInput { name, name_range });
        }
    };
    let Some(set) = super::model::root_set(root) else {
        return Vec::new();
    };
    for entry in set.attrpath_values() {
        let Some(path) = entry.attrpath() else {
            continue;
        };
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        if attrs.first().and_then(attr_name).as_deref() != Some("inputs") {
            continue;
        }
        if let Some(second) = attrs.get(1) {
            if let Some(name) = attr_name(second) {
                add(name, second.syntax().text_range());
            }
            continue;
        }
        let Some(ast::Expr::AttrSet(inputs)) = entry.value().map(unwrap_parens) else {
            continue;
        };
        for input in inputs.attrpath_values() {
            let Some(first) = input.attrpath().and_then(|path| path.attrs().next()) else {
                continue;
            };
            if let Some(name) = attr_name(&first) {
                add(name, first.syntax().text_range());
            }
        }
        for inherit in inputs.inherits() {
            for attr in inherit.attrs() {
                if let Some(name) = attr_name(&attr) {
                    add(name, attr.syntax().text_range());
                }
            }
        }
    }
    declared
}

/// Seconds since 1970 at the start of a `YYYY-MM-DD` day (UTC).
pub fn date_to_unix(date: &str) -> Option<i64> {
    let year: i64 = date.get(0..4)?.parse().ok()?;
    let month: i64 = date.get(5..7)?.parse().ok()?;
    let day: i64 = date.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil, after Howard Hinnant's algorithm.
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * 86_400)
}

/// The `YYYY-MM-DD` day of a time in seconds since 1970 (UTC).
pub fn unix_to_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let shifted = days + 719_468;
    let era = if shifted >= 0 {
        shifted
    } else {
        shifted - 146_096
    } / 146_097;
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(date_to_unix("1970-01-01"), Some(0));
        assert_eq!(date_to_unix("2026-11-24"), Some(1_795_478_400));
        assert_eq!(unix_to_date(1_795_478_400), "2026-11-24");
        assert_eq!(unix_to_date(1_700_000_000), "2023-11-14");
        assert_eq!(
            date_to_unix("2024-02-30").map(unix_to_date).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(date_to_unix("yesterday"), None);
    }

    #[test]
    fn suppression_comments_in_flake_nix_apply() {
        let flake = "{\n  # nixwise: ignore[lock-missing-or-invalid]\n  inputs.a.url = \"github:o/r\";\n  outputs = _: { };\n}\n";
        let report = check_flake(
            &FlakeFiles {
                flake_nix: Some(flake),
                flake_lock: None,
                now: None,
            },
            &Config::default(),
        );
        assert!(report.flake.is_empty(), "{:?}", report.flake);
        let unsilenced = flake.replace("  # nixwise: ignore[lock-missing-or-invalid]\n", "");
        let report = check_flake(
            &FlakeFiles {
                flake_nix: Some(&unsilenced),
                flake_lock: None,
                now: None,
            },
            &Config::default(),
        );
        assert_eq!(report.flake.len(), 1);
    }

    #[test]
    fn declared_inputs_in_both_forms() {
        let text = r#"{ inputs.a.url = "x"; inputs = { b.url = "y"; c = { url = "z"; }; }; outputs = _: { }; }"#;
        let root = syntax::parse(text).root();
        let names: Vec<String> = declared_inputs(&root)
            .into_iter()
            .map(|input| input.name)
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    /// Renders a report for tests: each diagnostic as `file line:col severity[name]: message`.
    pub(crate) fn render(files: &FlakeFiles<'_>, report: &FlakeReport) -> String {
        let mut out = String::new();
        for (file, text, list) in [
            ("flake.lock", files.flake_lock, &report.lock),
            ("flake.nix", files.flake_nix, &report.flake),
        ] {
            let text = text.unwrap_or_default();
            let index = syntax::LineIndex::new(text);
            for diagnostic in list {
                let start = index.line_col(diagnostic.range.start());
                out.push_str(&format!(
                    "{file} {}:{} {}[{}]: {}\n",
                    start.line + 1,
                    index.to_chars(start) + 1,
                    diagnostic.severity,
                    diagnostic.name,
                    diagnostic.message
                ));
            }
        }
        out
    }

    /// Runs one lock lint on a flake and applies to flake.nix the first fix of each finding shown
    /// there that `mode` allows; checks that the result parses as well as the original.
    pub(crate) fn run_lint_fix(
        lint: &'static Lint,
        check: LockCheck,
        flake_nix: &str,
        flake_lock: &str,
        mode: crate::FixMode,
    ) -> String {
        let config = Config::default();
        let files = FlakeFiles {
            flake_nix: Some(flake_nix),
            flake_lock: Some(flake_lock),
            now: None,
        };
        let report = check_flake_with(&files, &config, &[(lint, check)]);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        let edits: Vec<syntax::TextEdit> = report
            .flake
            .iter()
            .filter_map(|diagnostic| {
                diagnostic.fixes.iter().find(|fix| match fix.applicability {
                    crate::Applicability::Safe => true,
                    crate::Applicability::Unsafe => mode == crate::FixMode::Unsafe,
                    crate::Applicability::DisplayOnly => false,
                })
            })
            .flat_map(|fix| fix.edits.iter().cloned())
            .collect();
        let fixed = syntax::apply_edits(flake_nix, &edits).expect("edits that do not overlap");
        assert!(
            syntax::parse(&fixed).errors().len() <= syntax::parse(flake_nix).errors().len(),
            "the fix breaks the syntax:\n{fixed}"
        );
        fixed
    }

    /// Runs one lock lint on a flake with a reference date and renders what it finds.
    pub(crate) fn run_lint(
        lint: &'static Lint,
        check: LockCheck,
        flake_nix: Option<&str>,
        flake_lock: Option<&str>,
        toml: &str,
    ) -> String {
        let (settings, errors) = crate::Settings::from_toml(toml).expect("valid TOML");
        assert!(errors.is_empty(), "{errors:?}");
        let config = Config::from_layers(&[&settings]);
        let files = FlakeFiles {
            flake_nix,
            flake_lock,
            now: None,
        };
        let report = check_flake_with(&files, &config, &[(lint, check)]);
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        render(&files, &report)
    }
}
