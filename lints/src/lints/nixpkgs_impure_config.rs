//! NIX205: Nixpkgs imported without `config` and `overlays`, so it reads the user's own.

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{dotted_name, last_name_token, unwrap_parens};
use syntax::{AstNode, SyntaxNode, TextEdit, TextRange, TextSize};

use crate::diagnostic::Fix;
use crate::fetchers::{builtin_name, is_fetcher_name};
use crate::lint::{declare_lint, Findings, LintCtx};
use crate::module_context::{defines_key, has_dynamic_key};

declare_lint! {
    /// ## What it does
    /// Outside `flake.nix`, checks for `import X { … }` where `X` is a nixpkgs source — the
    /// lookup path `<nixpkgs>`, the result of a fetcher (`fetchTarball …`), a select ending in
    /// `nixpkgs` (`sources.nixpkgs`, `inputs.nixpkgs`) or the identifier `nixpkgs` — and the
    /// argument is an attribute set that does not set both `config` and `overlays`, `{ }`
    /// included.
    ///
    /// ## Why is this bad?
    /// Without them, nixpkgs reads its configuration from `$NIXPKGS_CONFIG` or
    /// `~/.config/nixpkgs/config.nix` and its overlays from `~/.config/nixpkgs/overlays` and the
    /// `<nixpkgs-overlays>` lookup path, so the result depends on who evaluates it.
    ///
    /// The fix adds the missing `config = { };` and `overlays = [ ];`. It is unsafe, not safe:
    /// changing which configuration nixpkgs reads is its point, so for anyone who has such a file
    /// the value changes (an `allowUnfree = true;` there stops applying, an overlay stops
    /// replacing a package). Move what the project needs into the attribute set.
    ///
    /// ## Example
    /// ```nix
    /// import <nixpkgs> { }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// import <nixpkgs> { config = { }; overlays = [ ]; }
    /// ```
    pub(crate) static NIXPKGS_IMPURE_CONFIG = {
        code: "NIX205",
        name: "nixpkgs-impure-config",
        category: Reproducibility,
        severity: Hint,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_APPLY],
        reach: Entry,
        check: check_apply,
    };
}

fn check_apply(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if ctx.is_flake() {
        return;
    }
    let Some(call) = ctx.call_at(node) else {
        return;
    };
    let [source, argument] = call.args.as_slice() else {
        return;
    };
    // Every call of the file comes here: look at the function's last name before resolving it.
    let named_import = last_name_token(&call.function)
        .is_some_and(|last| matches!(last.text(), "import" | "__import"));
    if !named_import || builtin_name(ctx, &call.function).as_deref() != Some("import") {
        return;
    }
    if !is_nixpkgs_source(&unwrap_parens(source.clone())) {
        return;
    }
    let Expr::AttrSet(set) = unwrap_parens(argument.clone()) else {
        return;
    };
    if has_dynamic_key(&set) {
        return;
    }
    let missing: Vec<&str> = ["config", "overlays"]
        .into_iter()
        .filter(|key| !defines_key(&set, key))
        .collect();
    if missing.is_empty() {
        return;
    }
    let named = missing
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let range = TextRange::new(
        call.function.syntax().text_range().start(),
        source.syntax().text_range().end(),
    );
    let finding = findings.report(
        range,
        format!("Nixpkgs imported without {named} reads them from the user's `~/.config/nixpkgs`"),
    );
    if let Some(edit) = insertion(ctx, &set, &missing) {
        finding.fix(Fix::unsafe_(format!("Add {named}"), vec![edit]));
    }
}

/// Whether an expression is a nixpkgs source.
fn is_nixpkgs_source(expr: &Expr) -> bool {
    match expr {
        Expr::PathSearch(path) => path.syntax().text() == "<nixpkgs>",
        Expr::Ident(_) | Expr::Select(_) => {
            dotted_name(expr).is_some_and(|name| name.rsplit('.').next() == Some("nixpkgs"))
        }
        Expr::Apply(apply) => crate::fetchers::call_at(apply.syntax())
            .is_some_and(|call| call.name().is_some_and(is_fetcher_name)),
        _ => false,
    }
}

/// The edit that adds `key = <empty>;` for each missing key before the closing brace, on its own
/// lines when the set spans several lines.
fn insertion(ctx: &LintCtx<'_>, set: &ast::AttrSet, missing: &[&str]) -> Option<TextEdit> {
    let close = set.r_curly_token()?;
    let bindings: Vec<String> = missing
        .iter()
        .map(|key| match *key {
            "config" => "config = { };".to_owned(),
            _ => "overlays = [ ];".to_owned(),
        })
        .collect();
    let close_start = close.text_range().start();
    let line_start = ctx.text[..usize::from(close_start)]
        .rfind('\n')
        .map_or(0, |index| index + 1);
    let before_close = &ctx.text[line_start..usize::from(close_start)];
    let multiline = set.syntax().text().contains_char('\n');
    if multiline && before_close.trim().is_empty() {
        // Only the set's own text is read, never a line that begins before it: a set inside one
        // entry of a large set is then judged on that entry alone (`Reach::Entry`).
        let set_start = set.syntax().text_range().start();
        let indent = match set.entries().last() {
            Some(entry) => indentation_of(ctx.text, entry.syntax().text_range().start(), set_start),
            None => None,
        };
        let indent = indent.unwrap_or_else(|| format!("{before_close}  "));
        let text: String = bindings
            .iter()
            .map(|binding| format!("{indent}{binding}\n"))
            .collect();
        return Some(TextEdit::insert(TextSize::try_from(line_start).ok()?, text));
    }
    let needs_space = !ctx.text[..usize::from(close_start)].ends_with(char::is_whitespace);
    let text = format!(
        "{}{} ",
        if needs_space { " " } else { "" },
        bindings.join(" ")
    );
    Some(TextEdit::insert(close_start, text))
}

/// The leading whitespace of the line that holds `offset`, when that line begins after `from`.
fn indentation_of(text: &str, offset: TextSize, from: TextSize) -> Option<String> {
    let offset = usize::from(offset);
    let line_start = text[..offset].rfind('\n').map(|index| index + 1)?;
    (line_start > usize::from(from)).then(|| {
        text[line_start..offset]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::NIXPKGS_IMPURE_CONFIG;

    #[test]
    fn imports_without_config_or_overlays() {
        check(
            &NIXPKGS_IMPURE_CONFIG,
            r#"
{ sources ? import ./npins, system ? "x86_64-linux" }:
let
  a = import <nixpkgs> { };
#     ^^^^^^^^^^^^^^^^ hint[nixpkgs-impure-config]: Nixpkgs imported without `config` and `overlays` reads them from the user's `~/.config/nixpkgs`
  b = import sources.nixpkgs { inherit system; config.allowUnfree = true; };
#     ^^^^^^^^^^^^^^^^^^^^^^ hint[nixpkgs-impure-config]: Nixpkgs imported without `overlays` reads them from the user's `~/.config/nixpkgs`
  c = import (builtins.fetchTarball { url = "u"; sha256 = "h"; }) { overlays = [ ]; };
#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hint[nixpkgs-impure-config]: Nixpkgs imported without `config` reads them from the user's `~/.config/nixpkgs`
in [ a b c ]
"#,
        );
    }

    #[test]
    fn complete_or_unrelated_imports_are_fine() {
        check(
            &NIXPKGS_IMPURE_CONFIG,
            r#"
[
  (import <nixpkgs> { config = { }; overlays = [ ]; })
  (import nixpkgs { inherit config overlays; })
  (import ./default.nix { })
  (import <nixpkgs/nixos> { configuration = ./c.nix; })
  (import <nixpkgs> args)
  (import <nixpkgs> { ${k} = v; })
  (import <nixpkgs>)
]
"#,
        );
        check(
            &NIXPKGS_IMPURE_CONFIG,
            "#- /flake.nix\n{ outputs = { nixpkgs, ... }: { x = import nixpkgs { }; }; }\n",
        );
    }

    #[test]
    fn unsafe_fix_adds_the_missing_keys() {
        check_unsafe_fix(
            &NIXPKGS_IMPURE_CONFIG,
            "import <nixpkgs> {}\n",
            "import <nixpkgs> { config = { }; overlays = [ ]; }\n",
        );
        check_unsafe_fix(
            &NIXPKGS_IMPURE_CONFIG,
            "import <nixpkgs> { system = \"x\"; }\n",
            "import <nixpkgs> { system = \"x\"; config = { }; overlays = [ ]; }\n",
        );
        check_unsafe_fix(
            &NIXPKGS_IMPURE_CONFIG,
            r#"
let
  pkgs = import nixpkgs {
    system = "x86_64-linux"; # the only one
    config.allowUnfree = true;
  };
in pkgs
"#,
            r#"
let
  pkgs = import nixpkgs {
    system = "x86_64-linux"; # the only one
    config.allowUnfree = true;
    overlays = [ ];
  };
in pkgs
"#,
        );
        // The last entry shares its line with the opening brace: the new keys are indented from
        // the closing brace, not from a line that begins before the set.
        check_unsafe_fix(
            &NIXPKGS_IMPURE_CONFIG,
            "{\n  a = 1; pkgs = import nixpkgs { system = \"x\";\n  };\n}\n",
            "{\n  a = 1; pkgs = import nixpkgs { system = \"x\";\n    config = { };\n    overlays = [ ];\n  };\n}\n",
        );
        // Not a safe fix: the value changes for anyone with a `~/.config/nixpkgs/config.nix`.
        check_fix(
            &NIXPKGS_IMPURE_CONFIG,
            "import <nixpkgs> { }\n",
            "import <nixpkgs> { }\n",
        );
    }
}
