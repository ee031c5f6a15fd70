//! NIX302: a flake without a description.

use syntax::helpers::prepend_entry;
use syntax::{SyntaxNode, TextEdit};

use crate::diagnostic::Fix;
use crate::flake::model::{root_set, FlakeModel};
use crate::lint::{declare_lint, Findings, LintCtx};

declare_lint! {
    /// ## What it does
    /// Checks that flake.nix has a non-empty `description`.
    ///
    /// ## Why is this bad?
    /// `nix flake metadata`, `nix flake show`, registries and FlakeHub show the description to
    /// say what the flake is; without one, users have to read the code.
    ///
    /// ## Example
    /// ```nix
    /// {
    ///   outputs = { self }: { };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nix
    /// {
    ///   description = "Tools for frobnicating widgets";
    ///   outputs = { self }: { };
    /// }
    /// ```
    ///
    /// The fix inserts a placeholder description as the first attribute, to be written by hand;
    /// it is unsafe for that reason.
    pub(crate) static MISSING_DESCRIPTION = {
        code: "NIX302",
        name: "missing-description",
        category: Flake,
        severity: Info,
        fix: Unsafe,
        tags: [],
        kinds: [NODE_ROOT],
        check: check_root,
    };
}

const PLACEHOLDER: &str = "description = \"TODO: describe this flake\";";

fn check_root(ctx: &LintCtx<'_>, node: &SyntaxNode, findings: &mut Findings) {
    if !ctx.is_flake() {
        return;
    }
    let (Some(model), Some(set)) = (FlakeModel::read(node), root_set(node)) else {
        return;
    };
    if let Some(description) = &model.description {
        if description
            .value
            .as_deref()
            .is_some_and(|value| value.trim().is_empty())
        {
            findings.report(description.range, "The flake's `description` is empty");
        }
        return;
    }
    let Some(brace) = set.l_curly_token() else {
        return;
    };
    let finding = findings.report(brace.text_range(), "The flake has no `description`");
    if let Some((offset, text)) = prepend_entry(ctx.text, &set, PLACEHOLDER) {
        finding.fix(Fix::unsafe_(
            "Add a description",
            vec![TextEdit::insert(offset, text)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{check, check_unsafe_fix};

    use super::MISSING_DESCRIPTION;

    #[test]
    fn missing_and_empty() {
        check(
            &MISSING_DESCRIPTION,
            r#"#- /flake.nix
{ outputs = _: { }; }
^ info[missing-description]: The flake has no `description`
"#,
        );
        check(
            &MISSING_DESCRIPTION,
            r#"#- /flake.nix
{ description = " "; outputs = _: { }; }
#               ^^^ info[missing-description]: The flake's `description` is empty
"#,
        );
    }

    #[test]
    fn described_flakes_and_other_files() {
        check(
            &MISSING_DESCRIPTION,
            "#- /flake.nix\n{ description = \"x\"; outputs = _: { }; }\n",
        );
        check(&MISSING_DESCRIPTION, "{ outputs = _: { }; }\n");
    }

    #[test]
    fn placeholder_goes_first() {
        check_unsafe_fix(
            &MISSING_DESCRIPTION,
            "#- /flake.nix\n{\n  inputs.a.url = \"github:o/r\";\n  outputs = _: { };\n}\n",
            "#- /flake.nix\n{\n  description = \"TODO: describe this flake\";\n  inputs.a.url = \"github:o/r\";\n  outputs = _: { };\n}\n",
        );
        check_unsafe_fix(
            &MISSING_DESCRIPTION,
            "#- /flake.nix\n{ outputs = _: { }; }\n",
            "#- /flake.nix\n{ description = \"TODO: describe this flake\"; outputs = _: { }; }\n",
        );
    }
}
