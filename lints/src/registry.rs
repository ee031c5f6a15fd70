//! Every lint nixwise has, sorted by code. A test keeps this list in step with `src/lints/`.

use crate::lints;
use crate::Lint;

pub static LINTS: &[&Lint] = &[
    &lints::syntax_error::SYNTAX_ERROR,
    &lints::bool_comparison::BOOL_COMPARISON,
    &lints::manual_inherit::MANUAL_INHERIT,
    &lints::manual_inherit_from::MANUAL_INHERIT_FROM,
    &lints::collapsible_let_in::COLLAPSIBLE_LET_IN,
    &lints::eta_reduction::ETA_REDUCTION,
    &lints::useless_parens::USELESS_PARENS,
    &lints::empty_pattern::EMPTY_PATTERN,
    &lints::redundant_pattern_bind::REDUNDANT_PATTERN_BIND,
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
