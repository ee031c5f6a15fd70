//! Module context for the security lints: the option path a binding sets, seen through nested
//! attribute sets and the module system's wrappers, and the values behind those wrappers.
//!
//! `users.users.alice = lib.mkIf cfg.enable { password = "x"; };` sets the option
//! `users.users.alice.password` to `"x"`: [`optpath`] gives the path and [`unwrap`] the value.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use syntax::ast::{self, BinOpKind, Expr, HasEntry};
use syntax::green::GreenNodeAt;
use syntax::helpers::{dotted_name, ident_token, unroll_apply, unwrap_parens};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange};

/// The option path a binding sets.
#[derive(Clone, Debug)]
pub(crate) struct OptPath {
    /// Path components; a `${…}` component is `*`. A leading `config` is dropped.
    pub segments: Vec<String>,
    /// Whether a leading `config` was dropped.
    pub config_dropped: bool,
    /// The outermost attribute set the path was read through.
    pub root: SyntaxNode,
}

impl OptPath {
    /// The dotted path, as messages show it.
    pub fn dotted(&self) -> String {
        self.segments.join(".")
    }

    /// Whether the path ends with `pattern`, compared component by component: `*` in the pattern
    /// matches any one component, and a component with `|` any of its alternatives. A suffix is
    /// enough, so a module nested in a flake output (`nixosModules.x = { networking… }`) counts.
    pub fn matches(&self, pattern: &[&str]) -> bool {
        self.segments.len() >= pattern.len()
            && self.matches_at(self.segments.len() - pattern.len(), pattern)
    }

    /// Whether the whole path is `pattern` (see [`OptPath::matches`]).
    pub fn matches_exactly(&self, pattern: &[&str]) -> bool {
        self.segments.len() == pattern.len() && self.matches_at(0, pattern)
    }

    fn matches_at(&self, start: usize, pattern: &[&str]) -> bool {
        self.segments[start..]
            .iter()
            .zip(pattern)
            .all(|(segment, want)| *want == "*" || want.split('|').any(|alt| alt == segment))
    }
}

/// Wrappers of the module system that return their last argument (or `{ }` / nothing), with
/// how many arguments they take.
const WRAPPERS: &[(&str, usize)] = &[
    ("mkForce", 1),
    ("mkDefault", 1),
    ("mkOptionDefault", 1),
    ("mkVMOverride", 1),
    ("mkImageMediaOverride", 1),
    ("mkBefore", 1),
    ("mkAfter", 1),
    ("mkOverride", 2),
    ("mkOrder", 2),
    ("mkIf", 2),
    ("optionalAttrs", 2),
];

/// Functions that declare an option: values inside them are defaults and examples, not settings.
const DECLARATIONS: &[&str] = &[
    "mkOption",
    "mkEnableOption",
    "mkPackageOption",
    "mkSinkUndeclaredOptions",
];

/// Whether `name` is `f`, `lib.f`, or a longer path to `lib.f` (`pkgs.lib.f`, `lib.modules.f`).
fn is_lib_function(name: &str, function: &str) -> bool {
    if name == function {
        return true;
    }
    let Some(prefix) = name
        .strip_suffix(function)
        .and_then(|prefix| prefix.strip_suffix('.'))
    else {
        return false;
    };
    matches!(
        prefix.rsplit('.').next(),
        Some("lib" | "modules" | "attrsets")
    )
}

/// The wrapper a function name stands for, with its arity.
fn wrapper_arity(name: &str) -> Option<usize> {
    WRAPPERS
        .iter()
        .find(|(wrapper, _)| is_lib_function(name, wrapper))
        .map(|(_, arity)| *arity)
}

/// The values an expression sets, through parentheses, the wrappers `mkForce`, `mkDefault`,
/// `mkOverride n`, `mkIf c`, `mkBefore`, `mkAfter` (and their relatives), every element of
/// `mkMerge [ … ]` and both sides of `//`. `lib.mkForce false` gives `false`.
pub(crate) fn unwrap(expr: Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    let mut pending = vec![expr];
    // Bounded by the size of the tree: each step descends into a child.
    while let Some(expr) = pending.pop() {
        let expr = unwrap_parens(expr);
        if let Expr::BinOp(binop) = &expr {
            if binop.operator() == Some(BinOpKind::Update) {
                pending.extend(binop.rhs());
                pending.extend(binop.lhs());
                continue;
            }
        }
        let Expr::Apply(apply) = &expr else {
            out.push(expr);
            continue;
        };
        let Some((function, args)) = unroll_apply(apply) else {
            out.push(expr);
            continue;
        };
        let name = dotted_name(&function).unwrap_or_default();
        if is_lib_function(&name, "mkMerge") && args.len() == 1 {
            if let Expr::List(list) = unwrap_parens(args[0].clone()) {
                let mut items: Vec<Expr> = list.items().collect();
                items.reverse();
                pending.extend(items);
                continue;
            }
        }
        match wrapper_arity(&name) {
            Some(arity) if arity == args.len() => {
                pending.extend(args.last().cloned());
            }
            _ => out.push(expr),
        }
    }
    out
}

/// Whether a string's tree is complete: only literal text and `${…}` between its quotes. An
/// unterminated string holds an error node, on which rnix's string helpers panic.
pub(crate) fn is_complete_string(string: &ast::Str) -> bool {
    string
        .syntax()
        .children()
        .all(|child| child.kind() == SyntaxKind::NODE_INTERPOL)
}

/// The value of a string literal without `${…}`, or `None` (also for a broken string).
pub(crate) fn string_text(string: &ast::Str) -> Option<String> {
    if !is_complete_string(string) {
        return None;
    }
    syntax::helpers::string_value(string)
}

/// The static name of an attribute (`a`, `"a"`, `${"a"}`), or `None` (also for broken strings).
pub(crate) fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Str(string) if !is_complete_string(string) => None,
        ast::Attr::Dynamic(dynamic) => match dynamic.expr().map(unwrap_parens) {
            Some(Expr::Str(string)) => string_text(&string),
            _ => None,
        },
        _ => syntax::helpers::attr_name(attr),
    }
}

/// The static names of an attribute path, or `None` if any part is dynamic or broken.
pub(crate) fn attrpath_names(attrpath: &ast::Attrpath) -> Option<Vec<String>> {
    attrpath.attrs().map(|attr| attr_name(&attr)).collect()
}

/// One component of an attribute path: its static name, or `*` for `${…}`.
fn segment(attr: &ast::Attr) -> String {
    attr_name(attr).unwrap_or_else(|| "*".to_owned())
}

/// The static text of the last component of a binding's attribute path, without allocating for
/// the common identifier case: read from the green tree, as every binding of every file is read.
pub(crate) fn last_key(binding: &ast::AttrpathValue) -> Option<KeyAt> {
    let node = binding.syntax();
    let binding = GreenNodeAt::of(node.green(), node.text_range().start());
    let attr = binding
        .child_of_kind(SyntaxKind::NODE_ATTRPATH)?
        .attrs()
        .last()?;
    if attr.kind == SyntaxKind::NODE_IDENT {
        // Its first token, as `ident_token` reads it.
        return attr
            .child_tokens()
            .next()
            .map(|(_, range)| KeyAt::Ident(range));
    }
    attr_name(&ast::Attr::cast(attr.detached())?).map(KeyAt::Text)
}

/// Where [`last_key`] found the key: an identifier, whose text is the file's at its range, or
/// the static text of a string.
pub(crate) enum KeyAt {
    Ident(TextRange),
    Text(String),
}

/// The text of an attribute name: a slice of the file's text, or the value of a string key.
/// Cloned by every lint that reads it, so cloning costs no allocation and no atomic operation.
#[derive(Clone)]
pub(crate) enum Key<'a> {
    Text(&'a str),
    Owned(Rc<str>),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Text(text) => text,
            Key::Owned(text) => text,
        }
    }
}

/// From an attribute set, climbs through parentheses, wrappers, `mkMerge` lists and `//` to the
/// binding whose value it is. `None` when the set is not the value of a binding in another set.
fn enclosing_binding(set: &SyntaxNode) -> Option<ast::AttrpathValue> {
    let mut current = set.clone();
    loop {
        let parent = current.parent()?;
        match parent.kind() {
            SyntaxKind::NODE_PAREN => current = parent,
            SyntaxKind::NODE_BIN_OP => {
                let binop = ast::BinOp::cast(parent.clone())?;
                if binop.operator() != Some(BinOpKind::Update) {
                    return None;
                }
                current = parent;
            }
            SyntaxKind::NODE_ATTRPATH_VALUE => {
                let binding = ast::AttrpathValue::cast(parent)?;
                let is_value = binding.value()?.syntax() == &current;
                return is_value.then_some(binding);
            }
            SyntaxKind::NODE_LIST => {
                // An element of `mkMerge [ … ]`.
                let mut list = parent;
                let apply = loop {
                    let above = list.parent()?;
                    if above.kind() == SyntaxKind::NODE_PAREN {
                        list = above;
                    } else {
                        break ast::Apply::cast(above)?;
                    }
                };
                if apply.argument()?.syntax() != &list || is_applied(&apply) {
                    return None;
                }
                let name = dotted_name(&apply.lambda()?)?;
                if !is_lib_function(&name, "mkMerge") {
                    return None;
                }
                current = apply.syntax().clone();
            }
            SyntaxKind::NODE_APPLY => {
                let apply = ast::Apply::cast(parent.clone())?;
                if apply.argument()?.syntax() != &current || is_applied(&apply) {
                    return None;
                }
                let (function, args) = unroll_apply(&apply)?;
                let arity = wrapper_arity(&dotted_name(&function)?)?;
                if arity != args.len() {
                    return None;
                }
                current = parent;
            }
            _ => return None,
        }
    }
}

/// Whether an apply is itself the function of a larger apply (`f a` in `f a b`).
fn is_applied(apply: &ast::Apply) -> bool {
    apply
        .syntax()
        .parent()
        .and_then(ast::Apply::cast)
        .and_then(|outer| outer.lambda())
        .is_some_and(|lambda| lambda.syntax() == apply.syntax())
}

/// The option path a binding of an attribute set sets: the static attribute paths of all
/// enclosing bindings, through attribute sets, wrappers (see [`unwrap`]) and `//`, with a leading
/// `config` dropped. `None` for bindings of `let`, and inside option declarations (`options = …`
/// at the top of a module, or the arguments of `mkOption`), whose `default` and `example` values
/// are not settings.
pub(crate) fn optpath(binding: &ast::AttrpathValue) -> Option<OptPath> {
    let mut segments: Vec<String> = binding.attrpath()?.attrs().map(|a| segment(&a)).collect();
    let mut set = binding.syntax().parent()?;
    if set.kind() != SyntaxKind::NODE_ATTR_SET {
        return None;
    }
    while let Some(outer) = enclosing_binding(&set) {
        let Some(outer_set) = outer.syntax().parent() else {
            break;
        };
        if outer_set.kind() != SyntaxKind::NODE_ATTR_SET {
            break;
        }
        let mut prefix: Vec<String> = outer.attrpath()?.attrs().map(|a| segment(&a)).collect();
        prefix.append(&mut segments);
        segments = prefix;
        set = outer_set;
    }
    if segments.first().is_some_and(|first| first == "options") || in_declaration(&set) {
        return None;
    }
    let config_dropped = segments.len() > 1 && segments[0] == "config";
    if config_dropped {
        segments.remove(0);
    }
    Some(OptPath {
        segments,
        config_dropped,
        root: set,
    })
}

/// Whether a node is inside the arguments of `mkOption` (or a relative).
fn in_declaration(node: &SyntaxNode) -> bool {
    node.ancestors()
        .filter(|ancestor| ancestor.kind() == SyntaxKind::NODE_APPLY)
        .filter_map(ast::Apply::cast)
        .filter(|apply| !is_applied(apply))
        .any(|apply| {
            unroll_apply(&apply)
                .and_then(|(function, _)| dotted_name(&function))
                .is_some_and(|name| DECLARATIONS.iter().any(|f| is_lib_function(&name, f)))
        })
}

/// Whether the file looks like a NixOS (or home-manager, nix-darwin, flake) module: its body,
/// through parentheses, function heads, `let`, `with` and `assert`, is an attribute set or a
/// wrapper such as `mkIf`/`mkMerge` around one.
pub(crate) fn is_module_file(root: &SyntaxNode) -> bool {
    let Some(mut expr) = ast::Root::cast(root.clone()).and_then(|root| root.expr()) else {
        return false;
    };
    // Bounded by the depth of the tree.
    loop {
        expr = unwrap_parens(expr);
        let next = match &expr {
            Expr::AttrSet(_) => return true,
            Expr::Lambda(lambda) => lambda.body(),
            Expr::LetIn(let_in) => let_in.body(),
            Expr::With(with) => with.body(),
            Expr::Assert(assert) => assert.body(),
            Expr::Apply(apply) => {
                let name = unroll_apply(apply)
                    .and_then(|(function, _)| dotted_name(&function))
                    .unwrap_or_default();
                return is_lib_function(&name, "mkMerge") || wrapper_arity(&name).is_some();
            }
            _ => return false,
        };
        match next {
            Some(next) => expr = next,
            None => return false,
        }
    }
}

/// A setting in a module: a binding, the option path it sets and the values behind its wrappers.
pub(crate) struct Setting {
    pub binding: ast::AttrpathValue,
    pub path: OptPath,
    pub values: Vec<Expr>,
}

impl Setting {
    /// The range of the binding's attribute path, where setting lints report.
    pub fn key_range(&self) -> syntax::TextRange {
        self.binding
            .attrpath()
            .map_or(self.binding.syntax().text_range(), |path| {
                path.syntax().text_range()
            })
    }
}

/// The setting a binding makes, in a module file (see [`is_module_file`]); `None` elsewhere, for
/// `let` bindings and inside option declarations.
pub(crate) fn setting_at(ctx: &crate::lint::LintCtx<'_>, node: &SyntaxNode) -> Option<Setting> {
    let binding = ast::AttrpathValue::cast(node.clone())?;
    if !is_module_file(ctx.root) {
        return None;
    }
    let path = optpath(&binding)?;
    let values = unwrap(binding.value()?);
    Some(Setting {
        binding,
        path,
        values,
    })
}

/// The value of a string literal, when the expression is one without `${…}`.
pub(crate) fn literal_string(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Str(string) => string_text(string),
        _ => None,
    }
}

/// Whether an expression is the identifier `true` or `false` (as `value`).
pub(crate) fn is_bool(expr: &Expr, value: bool) -> bool {
    matches!(expr, Expr::Ident(ident)
        if ident_token(ident).is_some_and(|token| token.text() == if value { "true" } else { "false" }))
}

/// Whether an expression is a path literal that Nix copies into the store when it is used as a
/// string: `./x`, `/x`, `~/x` (not `<x>`).
pub(crate) fn is_path_literal(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::PathRel(_) | Expr::PathAbs(_) | Expr::PathHome(_)
    )
}

/// The value of the binding `key = …;` of an attribute set, when the key is written statically
/// as a single component.
pub(crate) fn binding_value(set: &impl HasEntry, key: &str) -> Option<Expr> {
    set.attrpath_values().find_map(|binding| {
        let mut attrs = binding.attrpath()?.attrs();
        let first = attrs.next()?;
        (attrs.next().is_none() && attr_name(&first).as_deref() == Some(key))
            .then(|| binding.value())
            .flatten()
    })
}

/// Whether an attribute set defines `key`, by a binding (`key = …;`, `key.x = …;`) or `inherit`.
pub(crate) fn defines_key(set: &impl HasEntry, key: &str) -> bool {
    set.entries().any(|entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .and_then(|attr| attr_name(&attr))
            .is_some_and(|name| name == key),
        ast::Entry::Inherit(inherit) => inherit
            .attrs()
            .any(|attr| attr_name(&attr).is_some_and(|name| name == key)),
    })
}

/// Whether an attribute set has a key that is not static (`${x} = …;`), so its keys are unknown.
pub(crate) fn has_dynamic_key(set: &impl HasEntry) -> bool {
    set.entries().any(|entry| match entry {
        ast::Entry::AttrpathValue(binding) => binding
            .attrpath()
            .and_then(|path| path.attrs().next())
            .is_none_or(|attr| attr_name(&attr).is_none()),
        ast::Entry::Inherit(_) => false,
    })
}

/// A configured regular expression, compiled once per pattern for the whole process. An invalid
/// pattern gives `None`, and the caller falls back to its default. Shared behind an `Arc`: a cloned
/// `Regex` starts a cache of its own, and building that cache on every call cost more than all
/// other lint work together.
pub(crate) fn cached_regex(pattern: &str) -> Option<Arc<Regex>> {
    type Cache = HashMap<String, Option<Arc<Regex>>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked while inserting; the map is still sound.
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(regex) = cache.get(pattern) {
        return regex.clone();
    }
    let regex = Regex::new(pattern).ok().map(Arc::new);
    cache.insert(pattern.to_owned(), regex.clone());
    regex
}

/// A pattern for the names of options: a configured regex, or a lint's default, which `matches`
/// answers for ASCII names without a regex. Compiling the default regex took 0.3 ms and 300 page
/// faults of every run with a binding in it, more than the rest of a check of a small file.
#[derive(Clone)]
pub(crate) enum NamePattern {
    Configured(Arc<Regex>),
    Default {
        /// The regex `matches` stands for, compiled only for a name that is not ASCII, which
        /// case-insensitive matching folds by Unicode's rules.
        pattern: &'static str,
        matches: fn(&str) -> bool,
    },
}

impl NamePattern {
    /// The configured pattern if it is not the default and compiles, else the default.
    pub(crate) fn new(
        configured: &str,
        pattern: &'static str,
        matches: fn(&str) -> bool,
    ) -> NamePattern {
        let configured = (configured != pattern)
            .then(|| cached_regex(configured))
            .flatten();
        match configured {
            Some(regex) => NamePattern::Configured(regex),
            None => NamePattern::Default { pattern, matches },
        }
    }

    pub(crate) fn is_match(&self, name: &str) -> bool {
        match self {
            NamePattern::Configured(regex) => regex.is_match(name),
            NamePattern::Default { matches, .. } if name.is_ascii() => matches(name),
            NamePattern::Default { pattern, .. } => {
                cached_regex(pattern).is_some_and(|regex| regex.is_match(name))
            }
        }
    }
}

/// Whether `name` ends with one of `words` (lower case), ignoring ASCII case.
pub(crate) fn ends_with_word(name: &str, words: &[&str]) -> bool {
    words
        .iter()
        .any(|word| strip_word_suffix(name, word).is_some())
}

/// `name` without `word` (lower case) at its end, ignoring ASCII case; `None` if it does not end
/// with it.
pub(crate) fn strip_word_suffix<'a>(name: &'a str, word: &str) -> Option<&'a str> {
    let start = name.len().checked_sub(word.len())?;
    let (rest, end) = (name.get(..start)?, name.get(start..)?);
    end.eq_ignore_ascii_case(word).then_some(rest)
}

/// An allow-list of option paths: comma-separated globs whose components are names, `*` (any one
/// component) or `**` (any number of components).
pub(crate) struct AllowList {
    patterns: Vec<Vec<String>>,
}

impl AllowList {
    pub fn parse(text: &str) -> AllowList {
        let patterns = text
            .split(',')
            .map(str::trim)
            .filter(|pattern| !pattern.is_empty())
            .map(|pattern| pattern.split('.').map(str::to_owned).collect())
            .collect();
        AllowList { patterns }
    }

    pub fn allows(&self, path: &[String]) -> bool {
        self.patterns
            .iter()
            .any(|pattern| glob_matches(pattern, path))
    }
}

fn glob_matches(pattern: &[String], path: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| glob_matches(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((component, path_rest)) => {
                (first == "*" || first == component) && glob_matches(rest, path_rest)
            }
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option paths of every binding whose value is not an attribute set, with their values.
    fn paths(text: &str) -> Vec<String> {
        let root = syntax::parse(text).root();
        root.descendants()
            .filter_map(ast::AttrpathValue::cast)
            .filter_map(|binding| {
                let values = unwrap(binding.value()?);
                if values.iter().all(|value| matches!(value, Expr::AttrSet(_))) {
                    return None;
                }
                let path = optpath(&binding)?;
                let values: Vec<String> = values.iter().map(|v| v.syntax().to_string()).collect();
                Some(format!("{} = {}", path.dotted(), values.join(" | ")))
            })
            .collect()
    }

    #[test]
    fn paths_through_sets_and_attrpaths() {
        assert_eq!(
            paths("{ users.users.alice = { password = \"x\"; \"home\" = ./.; }; }"),
            [
                "users.users.alice.password = \"x\"",
                "users.users.alice.home = ./."
            ]
        );
        assert_eq!(
            paths("{ config, ... }: { config.networking = { firewall.enable = false; }; }"),
            ["networking.firewall.enable = false"]
        );
        assert_eq!(
            paths("{ users.users.${name}.password = \"x\"; }"),
            ["users.users.*.password = \"x\""]
        );
    }

    #[test]
    fn paths_through_wrappers() {
        assert_eq!(
            paths(
                "{ lib, ... }: { config = lib.mkIf true (lib.mkMerge [ { a.b = lib.mkForce false; } (mkIf x { c = mkOverride 10 1; }) ]); }"
            ),
            ["a.b = false", "c = 1"]
        );
        assert_eq!(
            paths("{ a = { b = 1; } // lib.optionalAttrs x { c = 2; }; }"),
            ["a.b = 1", "a.c = 2"]
        );
        assert_eq!(
            paths("{ a = mkMerge [ (mkBefore 1) (lib.mkAfter 2) ]; }"),
            ["a = 1 | 2"]
        );
    }

    #[test]
    fn no_paths_for_let_bindings_or_declarations() {
        assert_eq!(paths("let password = \"x\"; in { }"), Vec::<String>::new());
        assert_eq!(
            paths("let cfg = { users.x = 1; }; in cfg"),
            ["users.x = 1"],
            "a let binding is not an option, but a set in its value is read on its own"
        );
        assert_eq!(
            paths("{ options.a.password = mkOption { default = \"x\"; example = { password = \"y\"; }; }; }"),
            Vec::<String>::new()
        );
        assert_eq!(
            paths(
                "{ x = types.submodule { options.token = lib.mkOption { default = \"t\"; }; }; }"
            ),
            ["x = types.submodule { options.token = lib.mkOption { default = \"t\"; }; }"]
        );
    }

    #[test]
    fn paths_stop_at_calls_and_lists() {
        assert_eq!(
            paths("{ a = f { b = 1; }; c = [ { d = 2; } ]; }"),
            ["a = f { b = 1; }", "b = 1", "c = [ { d = 2; } ]", "d = 2"]
        );
    }

    #[test]
    fn lib_function_names() {
        assert!(is_lib_function("mkForce", "mkForce"));
        assert!(is_lib_function("lib.mkForce", "mkForce"));
        assert!(is_lib_function("pkgs.lib.mkForce", "mkForce"));
        assert!(!is_lib_function("my.mkForce", "mkForce"));
        assert!(!is_lib_function("xmkForce", "mkForce"));
        assert!(!is_lib_function("lib.xmkForce", "mkForce"));
    }

    #[test]
    fn module_files() {
        let module = |text: &str| is_module_file(&syntax::parse(text).root());
        assert!(module("{ }"));
        assert!(module("{ config, lib, ... }: let x = 1; in { }"));
        assert!(module("{ lib, ... }: with lib; mkIf true { }"));
        assert!(!module("{ pkgs }: pkgs.mkShell { }"));
        assert!(!module("import ./x.nix"));
    }

    #[test]
    fn allow_lists() {
        let path = |text: &str| text.split('.').map(str::to_owned).collect::<Vec<_>>();
        let allow = AllowList::parse("users.users.*.password, services.**.token,");
        assert!(allow.allows(&path("users.users.alice.password")));
        assert!(!allow.allows(&path("users.users.alice.initialPassword")));
        assert!(allow.allows(&path("services.token")));
        assert!(allow.allows(&path("services.a.b.token")));
        assert!(!AllowList::parse("").allows(&path("a")));
    }

    /// Broken and odd trees give no findings rather than a panic in any of the lints built on
    /// this module.
    #[test]
    fn lints_survive_broken_trees() {
        let inputs = [
            "{ users.users.alice.password = ",
            "{ networking.firewall = lib.mkIf { enable = false; }; }",
            "{ a = mkMerge [ ( ]; }",
            "{ ${ = 1; }",
            "import <nixpkgs> {",
            "fetchurl { url = \"http://",
            "{ services.openssh. = \"yes\"; }",
            "{ inputs..url = \"git://x\"; }",
            "builtins.getFlake",
            "{ src = ./.; } // stdenv.mkDerivation",
            "mkMerge",
            "",
        ];
        for input in inputs {
            for file_name in [None, Some("flake.nix")] {
                let report = crate::check(input, file_name, &crate::Config::default());
                assert!(
                    report.failures.is_empty(),
                    "{input:?} {file_name:?}: {:?}",
                    report.failures
                );
            }
        }
    }

    #[test]
    fn invalid_regex_falls_back() {
        let is_a = |name: &str| name == "a";
        let fallen_back = NamePattern::new("(", "^a$", is_a);
        assert!(fallen_back.is_match("a") && !fallen_back.is_match("b"));
        let configured = NamePattern::new("^b$", "^a$", is_a);
        assert!(configured.is_match("b") && !configured.is_match("a"));
    }

    /// A name that is not ASCII is matched by the default's regex, which folds case by Unicode's
    /// rules: the Kelvin sign is a `k` there.
    #[test]
    fn names_beyond_ascii_go_to_the_regex() {
        let pattern = NamePattern::new("(?i)key$", "(?i)key$", |name| name.ends_with("key"));
        assert!(pattern.is_match("apikey"));
        assert!(pattern.is_match("api\u{212A}ey"));
        assert!(!pattern.is_match("api\u{212A}ex"));
    }
}
