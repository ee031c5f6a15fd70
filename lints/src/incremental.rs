//! Checking a file again after an edit, keeping what the edit cannot have changed.
//!
//! A large file is most often one big attribute set: nixpkgs' all-packages.nix is
//! `{ lib, … }: res: pkgs: super: with pkgs; { … }` around some 17,000 entries, and an edit falls
//! inside one of them. When the set is not `rec`, no entry binds a name another entry sees, so a
//! lint of [`Reach::Entry`] finds inside every other entry what it found there before. Such lints
//! run again over the changed entry and what lies outside every entry; their findings inside the
//! other entries are taken over, moved by the edit's change of length. Lints of [`Reach::Set`]
//! also visit every entry of the set itself again; those of [`Reach::EntryAndEntriesHolding`] run
//! over the whole file when the edited text holds one of their words, as lints of [`Reach::File`]
//! always do. The scope index of such a check skips the kept entries, counting what each uses of
//! the scopes around the set as the check before read it ([`crate::scope::EntryUses`]). The
//! report is the report of a full check; a test holds the two equal over long random edit
//! sequences.

use std::sync::Arc;

use syntax::ast::{self, Expr};
use syntax::{AstNode, Parse, SyntaxKind, SyntaxNode, TextRange, TextSize};

use crate::config::Config;
use crate::engine::{
    join_halves, line_index_for_suppressions, Gathered, Part, Report, Validate, Walk,
    TWO_THREADS_FROM,
};
use crate::lint::{Finding, Lint, Reach, ScopeSource};
use crate::registry::LINTS;
use crate::scope::{EntryUses, ScopeIndex};
use crate::suppression::Suppressions;

/// Below this many entries a file is checked whole: there is little to keep.
const MIN_ENTRIES: usize = 64;

/// What a check keeps for checking the same file again after an edit.
#[derive(Debug)]
pub struct Retained {
    text: Arc<str>,
    file_name: Option<String>,
    config: Config,
    /// The range inside the braces of the file's body set.
    body: TextRange,
    /// The entries of the file's body set, in order; empty when the body is no large non-`rec`
    /// set or the tree was cut short by nesting.
    entries: Vec<TextRange>,
    /// What the code of each entry uses of the scopes that enclose the set.
    uses: Vec<Arc<EntryUses>>,
    /// By index in the registry, for each enabled lint whose reach keeps findings and that did
    /// not fail: its findings, each with the start of the node whose visit found it.
    findings: Vec<Option<Vec<(TextSize, Finding)>>>,
    /// Whether this check took findings over from the one before.
    reused: bool,
}

impl Retained {
    /// Whether the check that made this took findings over from the check before it.
    pub fn reused(&self) -> bool {
        self.reused
    }
}

/// Checks a parsed file like [`crate::check_parsed_with`], taking over from `previous`, the check
/// of an earlier text of the same file, the findings an edit cannot have changed; the lints of a
/// large file run on two threads when `two_threads`. Returns the report and what to keep for the
/// next check.
pub fn check_retaining(
    parse: &Parse,
    text: &Arc<str>,
    file_name: Option<&str>,
    config: &Config,
    validate: Validate,
    previous: Option<&Retained>,
    two_threads: bool,
) -> (Report, Retained) {
    let lints = LINTS;
    let enabled: Vec<bool> = lints.iter().map(|lint| config.is_enabled(lint)).collect();
    // A flake's lints read its lock and its outputs as one model; nothing is kept for flake.nix.
    // Syntax errors keep to the entries they are in, like every finding of a lint of
    // [`Reach::Entry`]; only a tree cut short by nesting holds less than the file.
    let (body, entries) = if !parse.is_truncated() && file_name != Some("flake.nix") {
        body_entries(&parse.root()).unwrap_or_default()
    } else {
        Default::default()
    };
    let plan = previous
        .and_then(|previous| plan(previous, lints, text, file_name, config, (body, &entries)));

    // The walks of a whole check share one scope index; after an edit, the walk that visits the
    // edited entry builds one on its thread that skips the kept entries and counts what they use
    // of the enclosing scopes.
    let root = parse.root();
    let full = (plan.is_none() && !entries.is_empty()).then(|| ScopeIndex::build(&root));
    let kept_uses: Vec<(TextRange, Arc<EntryUses>)> = plan
        .as_ref()
        .map(|plan| {
            plan.skipped
                .iter()
                .copied()
                .zip(plan.kept_uses.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    let walk = Walk {
        parse,
        text,
        file_name,
        config,
        lints,
        scope: ScopeSource::Build,
    };
    let with_scope = Walk {
        scope: match (&full, &plan) {
            (Some(full), _) => ScopeSource::Built(full),
            (None, Some(_)) => ScopeSource::Skipping(&kept_uses),
            (None, None) => ScopeSource::Build,
        },
        ..walk
    };
    let line_index = line_index_for_suppressions(text);
    let mut suppressions = Suppressions::default();
    let large = two_threads && text.len() >= TWO_THREADS_FROM;
    let mut gathered = match &plan {
        Some(plan) => {
            let again: Vec<bool> = (0..lints.len())
                .map(|index| enabled[index] && plan.kept[index].is_some())
                .collect();
            let whole: Vec<bool> = (0..lints.len())
                .map(|index| enabled[index] && !again[index])
                .collect();
            // Lints of [`Reach::Set`] visit the kept entries themselves too.
            let heads: Vec<bool> = (0..lints.len())
                .map(|index| again[index] && lints[index].reach == Reach::Set)
                .collect();
            let outside = Part::Outside(&plan.skipped);
            let kept_entries = Part::Nodes(&plan.skipped);
            if large {
                // The lints of the whole file are few when findings are kept: the set's entries
                // go with them.
                walk.on_two_threads(
                    &[(&whole, Part::Whole), (&heads, kept_entries)],
                    (&with_scope, &again, outside),
                    line_index.as_ref(),
                    &mut suppressions,
                )
            } else {
                let gathered = walk.gather(
                    &whole,
                    Part::Whole,
                    line_index.as_ref(),
                    Some(&mut suppressions),
                );
                let heads = walk.gather(&heads, kept_entries, None, None);
                let again = with_scope.gather(&again, outside, None, None);
                join_halves(join_halves(gathered, heads), again)
            }
        }
        None => with_scope.whole_file(&enabled, large, line_index.as_ref(), &mut suppressions),
    };

    let uses_of = |scope: &ScopeIndex, entries: &[TextRange]| -> Vec<Arc<EntryUses>> {
        entries
            .iter()
            .map(|entry| Arc::new(scope.entry_uses(text, *entry)))
            .collect()
    };
    let uses: Vec<Arc<EntryUses>> = match (&plan, &full) {
        (None, Some(full)) => uses_of(full, &entries),
        (None, None) => Vec::new(),
        (Some(plan), _) => {
            let (kept_before, kept_after) = plan.kept_uses.split_at(plan.before);
            let edited = &entries[plan.before..entries.len() - kept_after.len()];
            let mut uses = kept_before.to_vec();
            if !edited.is_empty() {
                // No lint asked for the index when none is enabled that resolves names.
                let scope = gathered
                    .scope
                    .take()
                    .unwrap_or_else(|| ScopeIndex::build_skipping(&root, kept_uses.clone()));
                uses.extend(uses_of(&scope, edited));
            }
            uses.extend_from_slice(kept_after);
            uses
        }
    };
    let failed: Vec<bool> = (0..lints.len())
        .map(|index| gathered.failures.iter().any(|(lint, _)| *lint == index))
        .collect();
    if let Some(plan) = plan.as_ref() {
        for (index, kept) in plan.kept.iter().enumerate() {
            if let (Some(kept), false) = (kept, failed[index]) {
                gathered.add_kept(index, kept);
            }
        }
    }
    let findings = (0..lints.len())
        .map(|index| {
            let keep = enabled[index] && lints[index].reach.keeps_findings() && !failed[index];
            keep.then(|| {
                gathered.starts[index]
                    .iter()
                    .copied()
                    .zip(gathered.findings[index].items.iter().cloned())
                    .collect()
            })
        })
        .collect();
    let retained = Retained {
        text: text.clone(),
        file_name: file_name.map(str::to_owned),
        config: config.clone(),
        body,
        entries,
        uses,
        findings,
        reused: plan.is_some(),
    };
    let report = walk.finish(validate, gathered, &suppressions, line_index.as_ref());
    (report, retained)
}

/// What the check after an edit takes over.
struct Plan {
    /// The entries whose nodes are not visited again: all but the edited one.
    skipped: Vec<TextRange>,
    /// By index in the registry: the findings taken over, moved to the new text.
    kept: Vec<Option<Vec<(TextSize, Finding)>>>,
    /// What each skipped entry uses of the enclosing scopes.
    kept_uses: Vec<Arc<EntryUses>>,
    /// How many of the skipped entries come before the edit.
    before: usize,
}

/// What can be kept from `previous` for the file now at `text`, whose body set has `body` inside
/// its braces and `entries`. `None` when the edit reaches outside the braces, or anything else the
/// findings depend on changed.
fn plan(
    previous: &Retained,
    lints: &[&'static Lint],
    text: &str,
    file_name: Option<&str>,
    config: &Config,
    (body, entries): (TextRange, &[TextRange]),
) -> Option<Plan> {
    if previous.entries.is_empty()
        || previous.uses.len() != previous.entries.len()
        || entries.is_empty()
        || previous.file_name.as_deref() != file_name
        || previous.config != *config
    {
        return None;
    }
    let edit = syntax::diff(&previous.text, text);
    let removed = edit.range;
    let delta = i64::try_from(edit.new_text.len()).ok()? - i64::from(u32::from(removed.len()));
    let unchanged = removed.is_empty() && edit.new_text.is_empty();
    // Between the braces the edit can only add, remove or change entries: what encloses the set,
    // and so every name an entry sees, is as it was.
    if !unchanged {
        let body_now = TextRange::new(
            previous.body.start(),
            moved(previous.body.end(), removed, delta)?,
        );
        if !previous.body.contains_range(removed) || body != body_now {
            return None;
        }
    }
    // The entries wholly before the edit and wholly after it are the same text. Those that are
    // still entries where the edit left them are the same trees, since the parser reads nothing
    // past an entry's closing `;` to parse it; the others are visited again with those the edit
    // touched. (A syntax error often joins the entry after it, whose start then moves.)
    let old = &previous.entries;
    let (before_edit, after_edit) = if unchanged {
        (old.len(), old.len())
    } else {
        (
            old.partition_point(|entry| entry.end() <= removed.start()),
            old.partition_point(|entry| entry.start() < removed.end()),
        )
    };
    let before = old[..before_edit]
        .iter()
        .zip(entries)
        .take_while(|(old, now)| old == now)
        .count();
    let after = old[after_edit..]
        .iter()
        .rev()
        .zip(entries[before..].iter().rev())
        .take_while(|(old, now)| move_range(**old, removed, delta) == Some(**now))
        .count();
    let after_from = old.len() - after;
    let now_after = &entries[entries.len() - after..];
    let skipped: Vec<TextRange> = entries[..before].iter().chain(now_after).copied().collect();
    // The text between the entries kept before the edit and those kept after it, old and new.
    let changed_between = |body: TextRange, entries: &[TextRange]| {
        let start = before
            .checked_sub(1)
            .map_or(body.start(), |last| entries[last].end());
        let end = entries
            .get(entries.len() - after)
            .map_or(body.end(), |first| first.start());
        TextRange::new(start, end.max(start))
    };
    let changed = [
        &previous.text[changed_between(previous.body, old)],
        &text[changed_between(body, entries)],
    ];
    let mut kept = Vec::with_capacity(previous.findings.len());
    for (lint, findings) in lints.iter().zip(&previous.findings) {
        let Some(findings) = findings else {
            kept.push(None);
            continue;
        };
        if let Reach::EntryAndEntriesHolding(words) = lint.reach {
            if changed.iter().any(|text| may_hold(text, words)) {
                kept.push(None);
                continue;
            }
        }
        let mut moved_findings = Vec::new();
        for (start, finding) in findings {
            let index = previous
                .entries
                .partition_point(|entry| entry.start() <= *start)
                .checked_sub(1);
            let inside_kept_entry = index.is_some_and(|index| {
                let entry = previous.entries[index];
                // A lint of [`Reach::Set`] visits every entry of the set again.
                let head = lint.reach == Reach::Set && entry.start() == *start;
                (index < before || index >= after_from) && entry.contains(*start) && !head
            });
            if inside_kept_entry {
                // A finding that reaches outside its entry into the edit cannot be moved.
                let finding = move_finding(finding, removed, delta)?;
                moved_findings.push((moved(*start, removed, delta)?, finding));
            }
        }
        kept.push(Some(moved_findings));
    }
    let kept_uses = previous.uses[..before]
        .iter()
        .chain(&previous.uses[after_from..])
        .cloned()
        .collect();
    Some(Plan {
        skipped,
        kept,
        kept_uses,
        before,
    })
}

/// Whether `text` holds one of `words`, or an escape that may spell one in a string: `\` in
/// `"…"`, `''\`, `''$` or `'''` in `''…''`.
fn may_hold(text: &str, words: &[&str]) -> bool {
    text.contains('\\') || text.contains("''") || words.iter().any(|word| text.contains(word))
}

/// Where `offset` of the old text is in the new one; `None` inside the replaced range. An offset
/// where text was inserted is taken to be after it.
fn moved(offset: TextSize, removed: TextRange, delta: i64) -> Option<TextSize> {
    if offset >= removed.end() {
        let shifted = i64::from(u32::from(offset)) + delta;
        u32::try_from(shifted).ok().map(TextSize::from)
    } else if offset <= removed.start() {
        Some(offset)
    } else {
        None
    }
}

/// A range of the old text in the new one: `None` when it overlaps the replaced range. A range
/// that ends where text was inserted stays before it; one that starts there moves after it.
fn move_range(range: TextRange, removed: TextRange, delta: i64) -> Option<TextRange> {
    if range.end() <= removed.start() {
        Some(range)
    } else if range.start() >= removed.end() {
        Some(TextRange::new(
            moved(range.start(), removed, delta)?,
            moved(range.end(), removed, delta)?,
        ))
    } else {
        None
    }
}

fn move_finding(finding: &Finding, removed: TextRange, delta: i64) -> Option<Finding> {
    let mut finding = finding.clone();
    finding.range = move_range(finding.range, removed, delta)?;
    for related in &mut finding.related {
        related.range = move_range(related.range, removed, delta)?;
    }
    for fix in &mut finding.fixes {
        for edit in &mut fix.edits {
            edit.range = move_range(edit.range, removed, delta)?;
        }
    }
    Some(finding)
}

/// When the file's body, reached through function heads, `let`, `with`, `assert` and parentheses,
/// is a large non-`rec` attribute set: the range inside its braces and its entries.
fn body_entries(root: &SyntaxNode) -> Option<(TextRange, Vec<TextRange>)> {
    let mut expr = ast::Root::cast(root.clone()).and_then(|root| root.expr());
    // Bounded by the depth of the tree.
    while let Some(current) = expr {
        expr = match current {
            Expr::Paren(paren) => paren.expr(),
            Expr::Lambda(lambda) => lambda.body(),
            Expr::LetIn(let_in) => let_in.body(),
            Expr::With(with) => with.body(),
            Expr::Assert(assert) => assert.body(),
            Expr::AttrSet(set) if set.rec_token().is_none() => {
                let entries: Vec<TextRange> = syntax::helpers::child_nodes(set.syntax())
                    .filter(|(kind, _)| {
                        matches!(
                            kind,
                            SyntaxKind::NODE_ATTRPATH_VALUE | SyntaxKind::NODE_INHERIT
                        )
                    })
                    .map(|(_, range)| range)
                    .collect();
                let open = set.l_curly_token()?.text_range().end();
                let close = set.r_curly_token()?.text_range().start();
                return (entries.len() >= MIN_ENTRIES)
                    .then(|| (TextRange::new(open, close), entries));
            }
            _ => None,
        };
    }
    None
}

impl Gathered {
    /// Adds findings taken over from the check before, in the order of one walk: by the start
    /// of the visit that found each (the walk is in preorder, which visits nodes by their start,
    /// and a kept entry's nodes are no other walk's). The walks that found the others are put in
    /// that order too: a lint of [`Reach::Set`] visits the kept entries apart.
    fn add_kept(&mut self, index: usize, kept: &[(TextSize, Finding)]) {
        let found = std::mem::take(&mut self.findings[index].items);
        let starts = std::mem::take(&mut self.starts[index]);
        let mut merged: Vec<(TextSize, Finding)> = starts.into_iter().zip(found).collect();
        merged.extend(kept.iter().cloned());
        // Stable: findings of one visit keep their order.
        merged.sort_by_key(|(start, _)| *start);
        for (start, finding) in merged {
            self.starts[index].push(start);
            self.findings[index].items.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::check_with;

    /// Values for the entries of a large set: the lint corpus's files, which hold findings of
    /// most lints, and settings that the module lints read through the set.
    fn entry_values() -> Vec<String> {
        let mut values = crate::tests::corpus_texts();
        for value in [
            "x: x == true",
            "let a = 1; unused = 2; in a",
            "{ enable = false; }",
            "builtins.fetchTarball \"https://example.org/x.tar.gz\"",
            "import <nixpkgs> { }",
            "import <nixpkgs> {\n    system = \"x\";\n  }",
            "import nixpkgs { a = 1;\n  }",
            "rec { a = 1; b = 2; }",
            "{ a = lib.a; b = lib.b; c = lib.c; }",
            "with lib; [ (mkIf true 1) ]",
            "({ pkgs, unusedArg, ... }: pkgs.hello)",
            "{ password = \"hunter2\"; passwordFile = ./secret; }",
            "{ settings.PasswordAuthentication = true; }",
            "fetchurl { url = \"http://example.org/a\"; md5 = \"0\"; }",
            "builtins.toPath \"/x\"",
            "if x then true else false",
            "{ a = 1; a = 2; }",
            "undefinedName + helper 1",
            "{ ... }: 1",
        ] {
            values.push(value.to_owned());
        }
        values
    }

    /// A file like all-packages.nix: a function around `with`, `let` and a large set.
    fn big_file(values: &[String], entries: usize) -> String {
        let mut text = String::from(
            "{ lib, config, pkgs, unusedTop ? 1, ... }:\nwith pkgs;\nlet\n  helper = x: x;\n  deadHelper = 1;\nin\n{\n",
        );
        for index in 0..entries {
            let value = &values[index % values.len()];
            text.push_str(&format!("  e{index} = {value};\n"));
            if index % 7 == 0 {
                text.push_str(&format!("  inherit (lib) f{index};\n"));
            }
            if index % 3 == 0 {
                text.push_str(&format!("  g{index} = lib.g{index};\n"));
            }
            if index % 11 == 0 {
                text.push_str("  networking.firewall.enable = false;\n");
            }
            if index % 13 == 0 {
                text.push_str("  services.openssh.passwordAuthentication = true;\n");
            }
        }
        text.push_str("  inherit helper;\n  lib = lib;\n  config = config;\n}\n");
        text
    }

    struct Random(u64);

    impl Random {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % bound.max(1) as u64) as usize
        }
    }

    fn boundary(text: &str, mut at: usize) -> usize {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    const INSERTS: &[&str] = &[
        " ",
        "x",
        "1",
        "\n",
        "a.b",
        " y = 2;",
        "\"",
        "}",
        "(",
        "with pkgs; ",
        "rec ",
        "inherit foo;",
        "true == ",
        "# nixwise: ignore[bool-comparison]\n",
        "let z = 1; in ",
        "helper",
        "  pasted = callPackage ./pasted { };\n  other = x: x == true;\n",
        "  meta = { };\n",
        "  services.openssh.settings.UseDns = true;\n",
        "  o = o;\n",
        "''",
    ];

    /// An edit like a user's: mostly inside an entry of the set, sometimes anywhere.
    fn random_edit(random: &mut Random, text: &str) -> String {
        let entries = body_entries(&syntax::parse(text).root())
            .map(|(_, entries)| entries)
            .unwrap_or_default();
        let (low, high) = match entries.get(random.below(entries.len())) {
            Some(entry) if random.below(3) > 0 => (
                usize::from(entry.start()) + 1,
                usize::from(entry.end()).saturating_sub(1),
            ),
            _ => (0, text.len()),
        };
        let mut start = boundary(text, low + random.below(high.saturating_sub(low) + 1));
        let end = match random.below(4) {
            0 => start,
            // A whole line, as editors delete and paste.
            1 => {
                start = text[..start].rfind('\n').map_or(0, |newline| newline + 1);
                text[start..]
                    .find('\n')
                    .map_or(text.len(), |newline| start + newline + 1)
            }
            _ => boundary(text, start + random.below(12)).max(start),
        };
        let insert = match random.below(2) {
            0 => INSERTS[random.below(INSERTS.len())],
            _ => "",
        };
        format!("{}{}{}", &text[..start], insert, &text[end..])
    }

    #[test]
    fn checks_that_keep_findings_equal_full_checks_over_random_edits() {
        let steps: usize = std::env::var("NIXWISE_EDIT_STEPS")
            .ok()
            .and_then(|steps| steps.parse().ok())
            .unwrap_or(120);
        let config = Config::default();
        let values = entry_values();
        let mut kept_steps = 0;
        let mut kept_broken = 0;
        // The large file is there for the two threads' split; the small one takes most steps.
        for (entries, two_threads, steps) in [(90, false, steps), (700, true, steps / 6)] {
            let mut text = big_file(&values, entries);
            if two_threads {
                assert!(text.len() >= TWO_THREADS_FROM);
            }
            let mut random = Random(0x5eed_0000 + entries as u64);
            let mut parse = syntax::parse(&text);
            let shared: Arc<str> = Arc::from(text.as_str());
            let (_, mut retained) = check_retaining(
                &parse,
                &shared,
                Some("all-packages.nix"),
                &config,
                Validate::Nothing,
                None,
                two_threads,
            );
            assert!(!retained.entries.is_empty());
            for step in 0..steps {
                // Every other step undoes the one before, as editors do and users often do.
                let new_text = if step % 2 == 1 && random.below(2) == 0 {
                    big_file(&values, entries)
                } else {
                    random_edit(&mut random, &text)
                };
                let edit = syntax::diff(&text, &new_text);
                parse = syntax::reparse(&parse, &edit, &new_text).0;
                text = new_text;
                let shared: Arc<str> = Arc::from(text.as_str());
                let (report, now) = check_retaining(
                    &parse,
                    &shared,
                    Some("all-packages.nix"),
                    &config,
                    Validate::Nothing,
                    Some(&retained),
                    two_threads,
                );
                let full = check_with(&text, Some("all-packages.nix"), &config, Validate::Nothing);
                if report.diagnostics != full.diagnostics {
                    let differ = report
                        .diagnostics
                        .iter()
                        .zip(&full.diagnostics)
                        .position(|(kept, checked)| kept != checked);
                    panic!(
                        "step {step} of {entries} entries, after the edit {edit:?}: {} findings \
                         kept against {} checked; first difference {:#?}",
                        report.diagnostics.len(),
                        full.diagnostics.len(),
                        differ.map(|index| (&report.diagnostics[index], &full.diagnostics[index]))
                    );
                }
                assert_eq!(report.failures, full.failures);
                kept_steps += usize::from(now.reused());
                kept_broken += usize::from(now.reused() && !parse.errors().is_empty());
                retained = now;
            }
        }
        // Many edits fall inside an entry and keep the parse clean: the test must take over.
        let total = steps + steps / 6;
        assert!(
            kept_steps * 5 > total,
            "only {kept_steps} of {total} steps kept findings"
        );
        // Some of them with a syntax error in the edited entry.
        assert!(
            kept_broken * 20 > total,
            "only {kept_broken} of {total} steps kept findings beside a syntax error"
        );
    }

    /// A check of a file without a name on one thread, as the tests of small files make it.
    fn check_unnamed(
        parse: &Parse,
        text: &str,
        config: &Config,
        previous: Option<&Retained>,
    ) -> (Report, Retained) {
        check_retaining(
            parse,
            &Arc::from(text),
            None,
            config,
            Validate::Nothing,
            previous,
            false,
        )
    }

    /// After `edited`, checking with what `text` kept equals a full check, and keeps findings.
    fn kept_equals_full(text: &str, edited: &str) {
        let config = Config::default();
        let parse = syntax::parse(text);
        let (_, retained) = check_unnamed(&parse, text, &config, None);
        let edit = syntax::diff(text, edited);
        let parse = syntax::reparse(&parse, &edit, edited).0;
        let (report, now) = check_unnamed(&parse, edited, &config, Some(&retained));
        assert!(now.reused());
        let full = check_with(edited, None, &config, Validate::Nothing);
        assert_eq!(report.diagnostics, full.diagnostics);
    }

    #[test]
    fn an_edit_to_the_indentation_of_an_entry_keeps_its_fixes_right() {
        let mut text = big_file(&entry_values(), 80);
        // The fix of nixpkgs-impure-config indents new keys like the set's last entry, whose
        // line begins before the set.
        text = text.replacen(
            "  e3 = ",
            "  e3 = 1;\n  imported = import nixpkgs { a = 1;\n  };\n  e3b = ",
            1,
        );
        let edited = text.replacen("\n  imported = ", "\n      imported = ", 1);
        kept_equals_full(&text, &edited);
    }

    #[test]
    fn a_syntax_error_in_one_entry_keeps_the_findings_of_the_others() {
        let text = big_file(&entry_values(), 80);
        // A stray `;` at the start of a line, and the edit that takes it out again.
        let edited = text.replacen("\n  e40 = ", "\n;   e40 = ", 1);
        kept_equals_full(&text, &edited);
        kept_equals_full(&edited, &text);
        // An unfinished entry, as it is while being typed.
        let edited = text.replacen("\n  e40 = ", "\n  half = \n  e40 = ", 1);
        kept_equals_full(&text, &edited);
    }

    /// Whether checking `edited` after `retained` keeps findings.
    fn keeps_after(retained: &Retained, config: &Config, edited: &str) -> bool {
        let parse = syntax::parse(edited);
        check_unnamed(&parse, edited, config, Some(retained))
            .1
            .reused()
    }

    #[test]
    fn nothing_is_kept_across_an_edit_outside_every_entry() {
        let config = Config::default();
        let text = big_file(&entry_values(), 80);
        let parse = syntax::parse(&text);
        let (_, retained) = check_unnamed(&parse, &text, &config, None);
        // `with pkgs;` becomes `with lib;`: outside every entry.
        let edited = text.replacen("with pkgs;", "with lib;", 1);
        assert!(!keeps_after(&retained, &config, &edited));
        // Inside an entry, they are kept.
        let edited = text.replacen("e3 = ", "e3 = 1 + ", 1);
        assert!(keeps_after(&retained, &config, &edited));
        // So are they when whole entries are added or deleted.
        let edited = text.replacen("  e3 = ", "  e3x = 1;\n  e3 = ", 1);
        assert!(keeps_after(&retained, &config, &edited));
        let edited = text.replacen("  networking.firewall.enable = false;\n", "", 1);
        assert!(keeps_after(&retained, &config, &edited));
    }

    /// A set of 70 plain entries and `entries`, under `head`.
    fn set_under(head: &str, entries: &str) -> String {
        let plain: String = (0..70)
            .map(|index| format!("  e{index} = {index};\n"))
            .collect();
        format!("{head}\n{{\n{plain}{entries}}}\n")
    }

    /// A set of 70 plain entries and `entries`, in a module's function.
    fn plain_set(entries: &str) -> String {
        set_under("{ lib, o, ... }:", entries)
    }

    /// A finding at an entry of the set, whose merged fix takes the set's other candidates,
    /// changes when another entry becomes one.
    #[test]
    fn entries_of_the_set_are_visited_again_by_lints_that_read_the_set() {
        let text = plain_set("  lib = lib;\n  a = o.a;\n");
        kept_equals_full(&text, &text.replacen("e5 = 5;", "o = o;", 1));
        kept_equals_full(&text, &text.replacen("e5 = 5;", "b = o.b;", 1));
    }

    /// A lint that reads the other entries holding a word runs over the whole file again after
    /// an edit that writes or removes one.
    #[test]
    fn an_edit_holding_a_word_a_lint_reads_other_entries_for_checks_the_whole_file() {
        let text =
            plain_set("  services.openssh.passwordAuthentication = true;\n  f = { ... }: 1;\n");
        // Renaming the setting would now miss the settings another set holds.
        kept_equals_full(
            &text,
            &text.replacen(
                "e5 = 5;",
                "services = { openssh.settings.UseDns = true; };",
                1,
            ),
        );
        // The file now looks like a module, whose functions are called with named arguments.
        kept_equals_full(&text, &text.replacen("e5 = 5;", "options = 5;", 1));
        // Escapes may spell a word.
        kept_equals_full(&text, &text.replacen("e5 = 5;", "\"opti\\ons\" = 5;", 1));
    }

    /// After an edit, the scope index walks the edited entry and what encloses the set; what the
    /// other entries use of the enclosing scopes is kept per entry, and decides as before whether
    /// the enclosing bindings and `with`s are used.
    #[test]
    fn what_kept_entries_use_of_the_enclosing_scopes_counts() {
        let edits = |text: &str| {
            kept_equals_full(text, &text.replacen("e3 = 3;", "e3 = 4;", 1));
            kept_equals_full(text, &text.replacen("  e3 = 3;\n", "", 1));
        };
        // A parameter used in one entry alone.
        edits(&set_under("{ lib, top, ... }:", "  f = top;\n"));
        // A `let` binding, live through that use only.
        edits(&set_under(
            "let\n  used = 1;\n  dead = 2;\nin",
            "  f = used;\n",
        ));
        // A name that may come from the `with`.
        edits(&set_under("{ pkgs }: with pkgs;", "  f = hello;\n"));
        // A use in text the parser could not read.
        edits(&set_under("{ lib, top, ... }:", "  f = 1 ) top;\n"));
        // The name an unused parameter would be renamed to.
        edits(&set_under("res:", "  f = _res;\n"));
        // A pattern that could be `_`, were `_` not used.
        edits(&set_under("{ ... }:", "  f = _;\n"));
    }
}
