//! NIX307: flake overlays that `nix flake check` rejects: not `final: prev: …`.

use syntax::ast::{self, Expr};
use syntax::helpers::unwrap_parens;
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextEdit, TextRange};

use crate::diagnostic::{Fix, Severity};
use crate::flake::model::FlakeModel;
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks each value under `overlays.<name>` (and the deprecated `overlay`) in a flake's
    /// outputs: it must be a function of two plain arguments named `final` and `prev`. Like Nix,
    /// `_final`, `_prev` and `_` are accepted. A value that is certainly not a function (a set, a
    /// list, a string, a path) is reported; values built by calls (`import ./overlay.nix`,
    /// `composeManyExtensions`) are not.
    ///
    /// ## Why is this bad?
    /// `nix flake check` refuses an overlay whose first argument is not named `final` or that
    /// takes an attribute pattern ("overlay does not take an argument named 'final'"); older
    /// Nix versions also require the second to be `prev`. The names tell readers which package
    /// set each argument is.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self }: {
    ///     overlays.default = self: super: { hello = super.hello; };
    ///   };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   outputs = { self }: {
    ///     overlays.default = final: prev: { hello = prev.hello; };
    ///   };
    /// }
    /// ```
    ///
    /// The fix renames the argument. It is safe when the argument is unused; otherwise it also
    /// renames every use and is unsafe, and it is withheld when the new name is already in use
    /// inside the overlay or the argument is inherited by name (`inherit super;`).
    pub(crate) static OVERLAY_SIGNATURE = {
        code: "NIX307",
        name: "overlay-signature",
        category: Flake,
        severity: Error,
        fix: SafeOrUnsafe,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

/// Whether Nix's `argHasName` accepts `name` for `expected`.
fn accepted(name: &str, expected: &str) -> bool {
    name == "_" || name == expected || name.strip_prefix('_') == Some(expected)
}

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let Some(outputs) = FlakeModel::read(node).and_then(|model| model.outputs) else {
        return;
    };
    for overlay in &outputs.overlays {
        let what = match &overlay.name {
            Some(name) => format!("Overlay `{name}`"),
            None => "The overlay".to_owned(),
        };
        let value = unwrap_parens(overlay.value.clone());
        let lambda = match value {
            Expr::Lambda(lambda) => lambda,
            Expr::AttrSet(_)
            | Expr::List(_)
            | Expr::Str(_)
            | Expr::Literal(_)
            | Expr::PathAbs(_)
            | Expr::PathRel(_)
            | Expr::PathHome(_)
            | Expr::PathSearch(_) => {
                let range = value.syntax().text_range();
                findings.report(
                    first_line(ctx, range),
                    format!("{what} must be a function `final: prev: {{ … }}`"),
                );
                continue;
            }
            _ => continue,
        };
        match lambda.param() {
            Some(ast::Param::Pattern(pattern)) => {
                findings.report(
                    first_line(ctx, pattern.syntax().text_range()),
                    format!("{what} takes an attribute pattern; Nix expects two arguments `final: prev:`"),
                );
                continue;
            }
            Some(ast::Param::IdentParam(param)) => {
                let Some(ident) = param.ident() else { continue };
                check_param(
                    ctx,
                    &lambda,
                    ident.syntax(),
                    "final",
                    Severity::Error,
                    &what,
                    findings,
                );
            }
            None => continue,
        }
        let Some(body) = lambda.body().map(unwrap_parens) else {
            continue;
        };
        match body {
            Expr::Lambda(inner) => match inner.param() {
                Some(ast::Param::IdentParam(param)) => {
                    if let Some(ident) = param.ident() {
                        check_param(
                            ctx,
                            &lambda,
                            ident.syntax(),
                            "prev",
                            Severity::Info,
                            &what,
                            findings,
                        );
                    }
                }
                Some(ast::Param::Pattern(pattern)) => {
                    findings.report(
                        first_line(ctx, pattern.syntax().text_range()),
                        format!("{what} takes an attribute pattern as its second argument; Nix expects `prev`"),
                    );
                }
                None => {}
            },
            _ => {
                findings.report(
                    first_line(ctx, lambda.syntax().text_range()),
                    format!("{what} takes one argument; an overlay is `final: prev: {{ … }}`"),
                );
            }
        }
    }
}

fn check_param(
    ctx: &LintCtx<'_>,
    overlay: &ast::Lambda,
    ident: &SyntaxNode,
    expected: &str,
    severity: Severity,
    what: &str,
    findings: &mut Findings,
) {
    let name = ident.text().to_string();
    if accepted(&name, expected) {
        return;
    }
    let finding = findings
        .report(
            ident.text_range(),
            format!("{what} names its argument `{name}`; Nix expects `{expected}` (or `_{expected}`, `_`)"),
        )
        .severity(severity);
    if let Some(fix) = rename_fix(ctx, overlay, ident, &name, expected) {
        finding.fix(fix);
    }
}

fn rename_fix(
    ctx: &LintCtx<'_>,
    overlay: &ast::Lambda,
    ident: &SyntaxNode,
    old: &str,
    new: &str,
) -> Option<Fix> {
    let scope = ctx.scope();
    let id = scope.binding_defined_at(ident.text_range())?;
    let overlay_range = overlay.syntax().text_range();
    // The new name must not already mean something inside the overlay.
    let captured = scope.references().iter().any(|reference| {
        overlay_range.contains_range(reference.range) && ctx.text_of(reference.range) == new
    }) || scope
        .bindings()
        .iter()
        .any(|binding| binding.name == new && overlay_range.contains_range(binding.name_range));
    if captured {
        return None;
    }
    let uses: Vec<TextRange> = scope.uses(id).map(|reference| reference.range).collect();
    for range in &uses {
        // `inherit super;` names an attribute after the argument: renaming it changes the set.
        let inherited = ctx
            .root
            .covering_element(*range)
            .ancestors()
            .take(2)
            .any(|ancestor| ancestor.kind() == SyntaxKind::NODE_INHERIT);
        if inherited {
            return None;
        }
    }
    let title = format!("Rename `{old}` to `{new}`");
    let mut edits = vec![TextEdit::replace(ident.text_range(), new)];
    if uses.is_empty() {
        return Some(Fix::safe(title, edits));
    }
    edits.extend(uses.into_iter().map(|range| TextEdit::replace(range, new)));
    Some(Fix::unsafe_(title, edits))
}

fn first_line(ctx: &LintCtx<'_>, range: TextRange) -> TextRange {
    match ctx.text_of(range).find('\n') {
        Some(newline) => TextRange::at(range.start(), (newline as u32).into()),
        None => range,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_fix, check_unsafe_fix};

    use super::OVERLAY_SIGNATURE;

    #[test]
    fn accepted_names() {
        // Nix `checkOverlay`/`argHasName`: `final`, `_final` and `_` are all accepted.
        check(
            &OVERLAY_SIGNATURE,
            r#"#- /flake.nix
{
  outputs = { self }: {
    overlays.a = final: prev: { };
    overlays.b = _final: _prev: { };
    overlays.c = _: _: { };
    overlays.d = import ./overlay.nix;
    overlays.e = self.lib.composeManyExtensions [ ];
  };
}
"#,
        );
    }

    #[test]
    fn wrong_names_and_shapes() {
        check(
            &OVERLAY_SIGNATURE,
            r#"#- /flake.nix
{
  outputs = { self }: {
    overlays.default = self: super: { };
#                      ^^^^ error[overlay-signature]: Overlay `default` names its argument `self`; Nix expects `final` (or `_final`, `_`)
#                            ^^^^^ info[overlay-signature]: Overlay `default` names its argument `super`; Nix expects `prev` (or `_prev`, `_`)
    overlays.pattern = { final, prev }: { };
#                      ^^^^^^^^^^^^^^^ error[overlay-signature]: Overlay `pattern` takes an attribute pattern; Nix expects two arguments `final: prev:`
    overlays.set = { hello = 1; };
#                  ^^^^^^^^^^^^^^ error[overlay-signature]: Overlay `set` must be a function `final: prev: { … }`
    overlay = final: { };
#             ^^^^^^^^^^ error[overlay-signature]: The overlay takes one argument; an overlay is `final: prev: { … }`
  };
}
"#,
        );
    }

    #[test]
    fn unused_arguments_are_renamed_safely() {
        check_fix(
            &OVERLAY_SIGNATURE,
            "#- /flake.nix\n{ outputs = _: { overlays.default = self: super: { }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlays.default = final: prev: { }; }; }\n",
        );
    }

    #[test]
    fn used_arguments_are_renamed_with_their_uses() {
        check_fix(
            &OVERLAY_SIGNATURE,
            "#- /flake.nix\n{ outputs = _: { overlays.default = self: super: { a = super.a; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlays.default = final: super: { a = super.a; }; }; }\n",
        );
        check_unsafe_fix(
            &OVERLAY_SIGNATURE,
            "#- /flake.nix\n{ outputs = _: { overlays.default = self: super: { a = super.a; b = self.c; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlays.default = final: prev: { a = prev.a; b = final.c; }; }; }\n",
        );
    }

    #[test]
    fn captures_and_inherits_withhold_the_rename() {
        check_unsafe_fix(
            &OVERLAY_SIGNATURE,
            "#- /flake.nix\n{ outputs = _: { overlays.default = f: p: { inherit p; x = f; prev = 1; y = let prev = 2; in p; }; }; }\n",
            "#- /flake.nix\n{ outputs = _: { overlays.default = final: p: { inherit p; x = final; prev = 1; y = let prev = 2; in p; }; }; }\n",
        );
    }

    #[test]
    fn overlays_outside_flakes_are_not_checked() {
        check(
            &OVERLAY_SIGNATURE,
            "{ outputs = _: { overlays.default = self: super: { }; }; }\n",
        );
    }
}
