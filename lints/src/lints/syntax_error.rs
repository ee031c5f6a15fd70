//! NIX000: text that is not valid Nix.

use crate::lint::declare_lint;

declare_lint! {
    /// ## What it does
    /// Reports text that the Nix parser rejects: a missing `;`, an unclosed bracket, a stray
    /// token. The other lints still check the parts of the file that could be read.
    ///
    /// ## Why is this bad?
    /// Nix refuses to evaluate a file with a syntax error, so nothing that imports it works.
    ///
    /// ## Example
    /// ```nix
    /// { a = 1 b = 2; }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// { a = 1; b = 2; }
    /// ```
    pub(crate) static SYNTAX_ERROR = {
        code: "NIX000",
        name: "syntax-error",
        category: Syntax,
        severity: Error,
        fix: None,
        tags: [],
        kinds: [],
        check: crate::lint::no_nodes,
    };
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_no_fix};

    use super::SYNTAX_ERROR;

    #[test]
    fn missing_semicolon() {
        check_no_fix(
            &SYNTAX_ERROR,
            r#"
{ a = 1 b = 2; }
#         ^^^ error[syntax-error]: expected `;`, found `=`
"#,
        );
    }

    #[test]
    fn unclosed_set_at_end_of_file() {
        check(
            &SYNTAX_ERROR,
            "{ a = 1;\n#       ^ error[syntax-error]: unexpected end of file: `{` on line 1 is not closed",
        );
    }

    #[test]
    fn valid_file() {
        check(&SYNTAX_ERROR, "{ a = 1; }\n");
    }
}
