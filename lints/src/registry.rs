//! Every lint nixwise has, sorted by code. A test keeps this list in step with `src/lints/`.

use crate::lints;
use crate::Lint;

pub static LINTS: &[&Lint] = &[
    &lints::syntax_error::SYNTAX_ERROR,
    &lints::bool_comparison::BOOL_COMPARISON,
    &lints::empty_let_in::EMPTY_LET_IN,
    &lints::manual_inherit::MANUAL_INHERIT,
    &lints::manual_inherit_from::MANUAL_INHERIT_FROM,
    &lints::legacy_let_syntax::LEGACY_LET_SYNTAX,
    &lints::collapsible_let_in::COLLAPSIBLE_LET_IN,
    &lints::eta_reduction::ETA_REDUCTION,
    &lints::useless_parens::USELESS_PARENS,
    &lints::empty_pattern::EMPTY_PATTERN,
    &lints::redundant_pattern_bind::REDUNDANT_PATTERN_BIND,
    &lints::unquoted_uri::UNQUOTED_URI,
    &lints::empty_inherit::EMPTY_INHERIT,
    &lints::deprecated_to_path::DEPRECATED_TO_PATH,
    &lints::bool_simplification::BOOL_SIMPLIFICATION,
    &lints::useless_has_attr::USELESS_HAS_ATTR,
    &lints::repeated_keys::REPEATED_KEYS,
    &lints::no_op_operation::NO_OP_OPERATION,
    &lints::duplicate_attribute::DUPLICATE_ATTRIBUTE,
    &lints::unneeded_rec::UNNEEDED_REC,
    &lints::unused_with::UNUSED_WITH,
    &lints::self_referential_binding::SELF_REFERENTIAL_BINDING,
    &lints::undefined_variable::UNDEFINED_VARIABLE,
    &lints::unused_let_binding::UNUSED_LET_BINDING,
    &lints::unused_lambda_arg::UNUSED_LAMBDA_ARG,
    &lints::unused_pattern_binding::UNUSED_PATTERN_BINDING,
    &lints::search_path_lookup::SEARCH_PATH_LOOKUP,
    &lints::impure_builtin::IMPURE_BUILTIN,
    &lints::unpinned_fetch::UNPINNED_FETCH,
    &lints::mutable_fetch_url::MUTABLE_FETCH_URL,
    &lints::nixpkgs_impure_config::NIXPKGS_IMPURE_CONFIG,
    &lints::unnamed_source_path::UNNAMED_SOURCE_PATH,
    &lints::flake_schema::FLAKE_SCHEMA,
    &lints::missing_description::MISSING_DESCRIPTION,
    &lints::deprecated_flake_output::DEPRECATED_FLAKE_OUTPUT,
    &lints::missing_ci_outputs::MISSING_CI_OUTPUTS,
    &lints::missing_default_outputs::MISSING_DEFAULT_OUTPUTS,
    &lints::system_coverage::SYSTEM_COVERAGE,
    &lints::overlay_signature::OVERLAY_SIGNATURE,
    &lints::unpinned_flake_input::UNPINNED_FLAKE_INPUT,
    &lints::unused_flake_input::UNUSED_FLAKE_INPUT,
    &lints::nixconfig_substituters::NIXCONFIG_SUBSTITUTERS,
    &lints::lock_missing_or_invalid::LOCK_MISSING_OR_INVALID,
    &lints::input_not_locked::INPUT_NOT_LOCKED,
    &lints::lock_stale::LOCK_STALE,
    &lints::nixpkgs_outdated::NIXPKGS_OUTDATED,
    &lints::nixpkgs_non_upstream::NIXPKGS_NON_UPSTREAM,
    &lints::nixpkgs_unsupported_branch::NIXPKGS_UNSUPPORTED_BRANCH,
    &lints::duplicate_nixpkgs::DUPLICATE_NIXPKGS,
    &lints::non_portable_lock_entry::NON_PORTABLE_LOCK_ENTRY,
    &lints::plaintext_secret::PLAINTEXT_SECRET,
    &lints::secret_file_in_store::SECRET_FILE_IN_STORE,
    &lints::insecure_url::INSECURE_URL,
    &lints::weak_hash::WEAK_HASH,
    &lints::firewall_disabled::FIREWALL_DISABLED,
    &lints::ssh_weak_auth::SSH_WEAK_AUTH,
    &lints::sandbox_disabled::SANDBOX_DISABLED,
    &lints::nixpkgs_policy_relaxed::NIXPKGS_POLICY_RELAXED,
    &lints::daemon_trust_escalation::DAEMON_TRUST_ESCALATION,
    &lints::nixpkgs_reimport::NIXPKGS_REIMPORT,
    &lints::import_from_derivation::IMPORT_FROM_DERIVATION,
];

/// Finds a lint by name (`bool-comparison`) or code (`NIX001`, any case).
pub fn find(name_or_code: &str) -> Option<&'static Lint> {
    LINTS
        .iter()
        .copied()
        .find(|lint| lint.name == name_or_code || lint.code.eq_ignore_ascii_case(name_or_code))
}

/// The position of a lint in [`LINTS`].
pub fn index_of(name: &str) -> Option<usize> {
    LINTS.iter().position(|lint| lint.name == name)
}

/// The registered name closest to a misspelt one, if any is close enough to be a likely typo.
pub fn closest_name(wrong: &str) -> Option<&'static str> {
    LINTS
        .iter()
        .map(|lint| (edit_distance(wrong, lint.name), lint.name))
        .filter(|(distance, name)| *distance <= (name.len() / 4).max(2))
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance over bytes; names are ASCII.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_are_sorted_by_code_with_unique_names() {
        for pair in LINTS.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{:?} before {:?}",
                pair[0],
                pair[1]
            );
        }
        let mut names: Vec<&str> = LINTS.iter().map(|lint| lint.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LINTS.len());
    }

    /// The check after an edit tells the visits of a set's entries by where their findings
    /// start, which a node inside an entry of these kinds cannot share.
    #[test]
    fn lints_that_read_the_set_visit_its_entries_alone() {
        for lint in LINTS.iter().filter(|lint| lint.reach == crate::Reach::Set) {
            assert!(
                lint.kinds.iter().all(|kind| matches!(
                    kind,
                    syntax::SyntaxKind::NODE_ATTRPATH_VALUE | syntax::SyntaxKind::NODE_INHERIT
                )),
                "{} is of reach Set but visits {:?}",
                lint.name,
                lint.kinds
            );
        }
    }

    #[test]
    fn names_are_kebab_case_and_codes_well_formed() {
        for lint in LINTS {
            assert!(
                lint.name
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte == b'-' || byte.is_ascii_digit()),
                "{}",
                lint.name
            );
            assert!(
                lint.code.starts_with("NIX") && lint.code.len() == 6,
                "{}",
                lint.code
            );
        }
    }

    #[test]
    fn every_lint_file_is_registered() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lints");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .expect("the lints folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name != "mod.rs")
            .map(|name| name.trim_end_matches(".rs").replace('_', "-"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = LINTS.iter().map(|lint| lint.name.to_owned()).collect();
        registered.sort();
        assert_eq!(
            files, registered,
            "src/lints/<name>.rs and the registry differ"
        );
    }

    #[test]
    fn lookup_by_name_and_code() {
        assert_eq!(
            find("bool-comparison").map(|lint| lint.code),
            Some("NIX001")
        );
        assert_eq!(
            find("nix001").map(|lint| lint.name),
            Some("bool-comparison")
        );
        assert_eq!(closest_name("bool-comparisn"), Some("bool-comparison"));
        assert_eq!(closest_name("zzzzzzzz"), None);
    }
}
