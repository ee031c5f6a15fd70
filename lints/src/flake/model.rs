//! A model of flake.nix: its description, its inputs (both forms, `follows` and nested
//! overrides), the parameters of `outputs`, and the outputs attribute set seen through the common
//! wrappers (`let`, `//`, flake-utils, `genAttrs` helpers, flake-parts), far enough to know which
//! output families and systems are defined and where.
//!
//! Reading never fails: what cannot be understood statically is recorded as opaque, so that lints
//! asking "is X missing?" can stay quiet.

use std::collections::HashMap;

use syntax::ast::{self, Expr, HasEntry};
use syntax::helpers::{
    attr_name, dotted_name, ident_token, string_value, unroll_apply, unwrap_parens,
};
use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange};

use crate::flake::flakeref::{FlakeRef, FlakeRefError};
use crate::flake::lock::SourceValue;

/// The top-level attributes Nix accepts in flake.nix.
pub const TOP_LEVEL_KEYS: &[&str] = &["description", "inputs", "outputs", "nixConfig"];

/// The systems of flake-utils' `eachDefaultSystem` and of `github:nix-systems/default`.
pub const DEFAULT_SYSTEMS: &[&str] = &[
    "aarch64-darwin",
    "aarch64-linux",
    "x86_64-darwin",
    "x86_64-linux",
];

/// Output families whose second level is a system (`packages.<system>.<name>`).
pub const PER_SYSTEM_FAMILIES: &[&str] = &[
    "packages",
    "devShells",
    "checks",
    "apps",
    "formatter",
    "legacyPackages",
    "bundlers",
    "defaultPackage",
    "defaultApp",
    "devShell",
    "defaultBundler",
];

/// A value whose shape the model understands, for attributes that Nix requires to be literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A list whose items are all string literals.
    StrList(Vec<String>),
    /// Anything else: an interpolated string, a float, an attribute set, a variable, …
    Other,
}

impl Literal {
    pub fn read(expr: &Expr) -> Literal {
        match unwrap_parens(expr.clone()) {
            Expr::Str(string) => string_value(&string).map_or(Literal::Other, Literal::Str),
            Expr::Literal(literal) => {
                let Some(token) = literal.syntax().first_token() else {
                    return Literal::Other;
                };
                if token.kind() == SyntaxKind::TOKEN_INTEGER {
                    token.text().parse().map_or(Literal::Other, Literal::Int)
                } else {
                    Literal::Other
                }
            }
            Expr::Ident(ident) => match ident_token(&ident).as_ref().map(|token| token.text()) {
                Some("true") => Literal::Bool(true),
                Some("false") => Literal::Bool(false),
                _ => Literal::Other,
            },
            Expr::List(list) => {
                let mut items = Vec::new();
                for item in list.items() {
                    match unwrap_parens(item) {
                        Expr::Str(string) => match string_value(&string) {
                            Some(value) => items.push(value),
                            None => return Literal::Other,
                        },
                        _ => return Literal::Other,
                    }
                }
                Literal::StrList(items)
            }
            _ => Literal::Other,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(text) => Some(text),
            _ => None,
        }
    }
}

/// One attribute of the root set.
#[derive(Clone, Debug)]
pub struct TopLevelKey {
    /// `None` for a dynamic key.
    pub name: Option<String>,
    /// The first attribute of the key's path.
    pub range: TextRange,
    /// The whole `key = value;` entry.
    pub entry: TextRange,
}

#[derive(Clone, Debug)]
pub struct Description {
    /// `None` when the value is not a string literal.
    pub value: Option<String>,
    pub range: TextRange,
    pub key_range: TextRange,
}

/// An attribute of an input: `url`, `flake`, `follows`, `type`, `owner`, …
#[derive(Clone, Debug)]
pub struct InputAttr {
    pub name: String,
    pub name_range: TextRange,
    pub value: Literal,
    pub value_range: TextRange,
}

/// `inputs.x.inputs.y.follows = "target"`: the nested input path (`["y"]`), the target and the
/// range of the target string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedFollows {
    pub path: Vec<String>,
    pub target: String,
    pub range: TextRange,
}

/// Any override of an input's own input: `inputs.x.inputs.y.<anything>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NestedOverride {
    pub path: Vec<String>,
    /// The last name of the path, where it is first written.
    pub name_range: TextRange,
}

/// A declared input of the flake.
#[derive(Clone, Debug)]
pub struct FlakeInput {
    pub name: String,
    /// Where diagnostics about the input go: its name in `inputs.x…` or `inputs = { x = …; }`.
    pub name_range: TextRange,
    /// The URL and the range of its value; for a non-literal URL, the expression's text.
    pub url: Option<(String, TextRange)>,
    pub url_is_literal: bool,
    /// `flake = false;` as a literal boolean.
    pub flake: Option<bool>,
    /// `follows = "a/b"` as written, and the range of the string.
    pub follows: Option<(String, TextRange)>,
    pub nested_follows: Vec<NestedFollows>,
    pub overrides: Vec<NestedOverride>,
    /// Every direct attribute except `inputs` (including `url`, `flake` and `follows`).
    pub attrs: Vec<InputAttr>,
    /// The first entry that declares the input.
    pub range: TextRange,
    /// Every entry that declares part of the input (`inputs.x.url = …; inputs.x.flake = …;`).
    pub entries: Vec<TextRange>,
    /// `inputs.x = <not an attribute set>`: the value's range.
    pub not_a_set: Option<TextRange>,
}

impl FlakeInput {
    fn new(name: String, name_range: TextRange, entry: TextRange) -> FlakeInput {
        FlakeInput {
            name,
            name_range,
            url: None,
            url_is_literal: false,
            flake: None,
            follows: None,
            nested_follows: Vec::new(),
            overrides: Vec::new(),
            attrs: Vec::new(),
            range: entry,
            entries: vec![entry],
            not_a_set: None,
        }
    }

    pub fn attr(&self, name: &str) -> Option<&InputAttr> {
        self.attrs.iter().find(|attr| attr.name == name)
    }

    /// The flake reference of the input: its literal `url`, or its attribute form (`type`,
    /// `owner`, …). `None` for a `follows` input, a non-literal URL or an input without either.
    pub fn flake_ref(&self) -> Option<Result<FlakeRef, FlakeRefError>> {
        if self.follows.is_some() {
            return None;
        }
        if let Some((url, _)) = &self.url {
            return self.url_is_literal.then(|| FlakeRef::parse(url));
        }
        self.attr("type")?;
        let mut attrs = Vec::new();
        for attr in &self.attrs {
            if matches!(attr.name.as_str(), "flake" | "follows" | "url") {
                continue;
            }
            let value = match &attr.value {
                Literal::Str(text) => SourceValue::Str(text.clone()),
                Literal::Int(number) => SourceValue::Int(*number),
                Literal::Bool(flag) => SourceValue::Bool(*flag),
                _ => return None,
            };
            attrs.push((attr.name.clone(), value));
        }
        Some(FlakeRef::from_attrs(&attrs))
    }
}

/// A parameter in the pattern of `outputs`.
#[derive(Clone, Debug)]
pub struct Formal {
    pub name: String,
    pub range: TextRange,
    /// The whole pattern entry (`name ? default`).
    pub entry_range: TextRange,
    pub has_default: bool,
}

/// The parameter of the `outputs` function.
#[derive(Clone, Debug)]
pub struct OutputsParams {
    pub lambda_range: TextRange,
    /// `outputs = inputs: …`.
    pub ident: Option<(String, TextRange)>,
    /// The pattern `{ … }`, when there is one.
    pub pattern_range: Option<TextRange>,
    pub formals: Vec<Formal>,
    /// `{ … }@inputs` or `inputs@{ … }`.
    pub bind: Option<(String, TextRange)>,
    pub ellipsis: bool,
}

impl OutputsParams {
    pub fn formal(&self, name: &str) -> Option<&Formal> {
        self.formals.iter().find(|formal| formal.name == name)
    }

    /// The name through which all inputs are reachable: the `@` bind or the plain parameter.
    pub fn all_inputs_name(&self) -> Option<&str> {
        self.bind
            .as_ref()
            .or(self.ident.as_ref())
            .map(|(name, _)| name.as_str())
    }

    /// An expression for input `name` in the body of `outputs`, when one is in scope.
    pub fn input_expr(&self, name: &str) -> Option<String> {
        if self.formal(name).is_some() {
            return Some(name.to_owned());
        }
        self.all_inputs_name().map(|all| format!("{all}.{name}"))
    }
}

/// A system name written in the flake: in a list or as a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemName {
    pub name: String,
    /// `None` for systems implied by a wrapper (`eachDefaultSystem`, `import systems`).
    pub range: Option<TextRange>,
    /// Written as a string (`"x86_64-linux"`) rather than a bare key.
    pub quoted: bool,
}

/// How the systems of one part of an output family are given.
#[derive(Clone, Debug)]
pub struct FamilyPart {
    /// The literal system key (`packages.x86_64-linux`), or `None` when the part stands for every
    /// system of a wrapper or helper (or a dynamic key such as `${system}`).
    pub system: Option<SystemName>,
    /// The names defined in this part (`default`, `hello`), when they are known statically.
    pub names: Option<Vec<(String, TextRange)>>,
    /// The literal attribute set that holds the names, for inserts.
    pub set: Option<TextRange>,
    /// An expression for this part's own attribute set, usable inside `set`
    /// (`self.packages.x86_64-linux`, `self.packages.${system}`, `self'.packages`).
    pub self_expr: Option<String>,
}

/// Where an output family is defined.
#[derive(Clone, Debug)]
pub struct OutputFamily {
    pub name: String,
    /// The family's key (the first attribute of the path that names it).
    pub key_range: TextRange,
    /// The whole `key = value;` entry.
    pub entry_range: TextRange,
    /// The key is a path of static names, so it can be renamed textually.
    pub key_is_plain: bool,
    /// Defined inside a per-system wrapper (flake-utils `eachSystem`, flake-parts `perSystem`).
    pub per_system: bool,
    /// The attribute set that holds the entry.
    pub set: TextRange,
    pub parts: Vec<FamilyPart>,
    /// The value could not be read (names and systems unknown).
    pub opaque: bool,
}

/// A value under `overlays.<name>` or `overlay`.
#[derive(Clone, Debug)]
pub struct OverlayDef {
    /// `None` for the deprecated `overlay`.
    pub name: Option<String>,
    pub key_range: TextRange,
    /// The value, with let-bound names resolved when they are let bindings of `outputs`.
    pub value: Expr,
}

/// An attribute set where per-system outputs are written once for every system.
#[derive(Clone, Debug)]
pub struct PerSystemSet {
    pub set: TextRange,
    pub wrapper: Wrapper,
    /// The name of the system variable in scope (`system`), when there is one.
    pub system_var: Option<String>,
    /// Parameters of flake-parts' `perSystem` function (`pkgs`, `self'`, `config`, `system`).
    pub formals: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    FlakeUtils,
    FlakeParts,
}

/// A let-bound function that maps a function over the systems (`forAllSystems`).
#[derive(Clone, Debug)]
pub struct SystemsHelper {
    pub name: String,
    /// The function given to the helper receives the system itself (the helper is
    /// `genAttrs systems`), rather than something built from it.
    pub passes_system: bool,
}

/// The `outputs` attribute.
#[derive(Clone, Debug)]
pub struct Outputs {
    pub key_range: TextRange,
    pub entry_range: TextRange,
    pub value_range: TextRange,
    /// `None` when `outputs` is not a function.
    pub params: Option<OutputsParams>,
    pub families: Vec<OutputFamily>,
    pub overlays: Vec<OverlayDef>,
    /// Systems declared by wrappers and helpers, with their ranges when written literally.
    pub systems: Vec<SystemName>,
    /// A wrapper or helper takes a system list the model cannot read.
    pub systems_unknown: bool,
    /// Part of the outputs could not be read: a family may be defined where the model cannot see.
    pub opaque: bool,
    /// The literal attribute sets holding top-level outputs, outermost first.
    pub top_sets: Vec<TextRange>,
    pub per_system_sets: Vec<PerSystemSet>,
    /// `forAllSystems`-style helpers in scope of the top-level sets.
    pub helpers: Vec<SystemsHelper>,
}

impl Outputs {
    pub fn families_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a OutputFamily> {
        self.families
            .iter()
            .filter(move |family| family.name == name)
    }

    pub fn has_family(&self, name: &str) -> bool {
        self.families_named(name).next().is_some()
    }

    /// Whether any per-system family (packages, devShells, …) is defined.
    pub fn has_per_system_outputs(&self) -> bool {
        self.families
            .iter()
            .any(|family| PER_SYSTEM_FAMILIES.contains(&family.name.as_str()))
    }

    /// The declared system set S: systems of wrappers and helpers, plus the literal system keys
    /// of per-system families, without duplicates, in order of appearance.
    pub fn declared_systems(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let keys = self
            .families
            .iter()
            .filter(|family| PER_SYSTEM_FAMILIES.contains(&family.name.as_str()))
            .flat_map(|family| family.parts.iter())
            .filter_map(|part| part.system.as_ref());
        for system in self.systems.iter().chain(keys) {
            if !names.contains(&system.name) {
                names.push(system.name.clone());
            }
        }
        names
    }
}

/// A `nixConfig` setting.
#[derive(Clone, Debug)]
pub struct ConfigEntry {
    /// The setting's name; `None` for a dynamic key.
    pub name: Option<String>,
    pub name_range: TextRange,
    pub value: Literal,
    pub value_range: TextRange,
    pub entry_range: TextRange,
    /// The key is written below `nixConfig` as more than one name (`a.b = …`), which Nix rejects.
    pub nested: bool,
}

/// What flake.nix declares, read from its syntax tree.
#[derive(Clone, Debug)]
pub struct FlakeModel {
    /// The root attribute set.
    pub set: TextRange,
    pub rec_root: bool,
    pub top_level: Vec<TopLevelKey>,
    pub description: Option<Description>,
    pub inputs: Vec<FlakeInput>,
    /// Where `inputs` are declared: the ranges of the `inputs` keys.
    pub inputs_keys: Vec<TextRange>,
    /// The attribute set of `inputs = { … };`, for inserts.
    pub inputs_set: Option<TextRange>,
    pub outputs: Option<Outputs>,
    pub nix_config: Vec<ConfigEntry>,
    /// `nixConfig = <not an attribute set>`.
    pub nix_config_not_a_set: Option<TextRange>,
}

/// The root attribute set of a file, through parentheses.
pub fn root_set(root: &SyntaxNode) -> Option<ast::AttrSet> {
    match unwrap_parens(ast::Root::cast(root.clone())?.expr()?) {
        Expr::AttrSet(set) => Some(set),
        _ => None,
    }
}

/// The static names of an attribute path with the range of each, or `None` when a part is dynamic.
fn path_parts(attrpath: &ast::Attrpath) -> Vec<Option<(String, TextRange)>> {
    attrpath
        .attrs()
        .map(|attr| attr_name(&attr).map(|name| (name, attr.syntax().text_range())))
        .collect()
}

type Parts = Vec<(String, TextRange)>;

fn static_parts(attrpath: &ast::Attrpath) -> Option<Parts> {
    path_parts(attrpath).into_iter().collect()
}

impl FlakeModel {
    /// Reads a flake.nix tree; `None` when its root is not an attribute set.
    pub fn read(root: &SyntaxNode) -> Option<FlakeModel> {
        let set = root_set(root)?;
        let mut model = FlakeModel {
            set: set.syntax().text_range(),
            rec_root: syntax::helpers::rec_token(&set).is_some(),
            top_level: Vec::new(),
            description: None,
            inputs: Vec::new(),
            inputs_keys: Vec::new(),
            inputs_set: None,
            outputs: None,
            nix_config: Vec::new(),
            nix_config_not_a_set: None,
        };
        for entry in set.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => model.read_top_entry(&binding),
                ast::Entry::Inherit(inherit) => {
                    for attr in inherit.attrs() {
                        model.top_level.push(TopLevelKey {
                            name: attr_name(&attr),
                            range: attr.syntax().text_range(),
                            entry: inherit.syntax().text_range(),
                        });
                    }
                }
            }
        }
        Some(model)
    }

    pub fn input(&self, name: &str) -> Option<&FlakeInput> {
        self.inputs.iter().find(|input| input.name == name)
    }

    pub fn params(&self) -> Option<&OutputsParams> {
        self.outputs.as_ref()?.params.as_ref()
    }

    fn read_top_entry(&mut self, binding: &ast::AttrpathValue) {
        let Some(attrpath) = binding.attrpath() else {
            return;
        };
        let entry = binding.syntax().text_range();
        let parts = path_parts(&attrpath);
        let Some(first_attr) = attrpath.attrs().next() else {
            return;
        };
        let first = parts.first().cloned().flatten();
        self.top_level.push(TopLevelKey {
            name: first.as_ref().map(|(name, _)| name.clone()),
            range: first_attr.syntax().text_range(),
            entry,
        });
        let Some((first, first_range)) = first else {
            return;
        };
        let Some(value) = binding.value() else {
            return;
        };
        match first.as_str() {
            "description" if parts.len() == 1 => {
                let value_string = match unwrap_parens(value.clone()) {
                    Expr::Str(string) => string_value(&string),
                    _ => None,
                };
                self.description = Some(Description {
                    value: value_string,
                    range: value.syntax().text_range(),
                    key_range: first_range,
                });
            }
            "inputs" => {
                self.inputs_keys.push(first_range);
                let Some(rest) = parts[1..].iter().cloned().collect::<Option<Parts>>() else {
                    return;
                };
                self.read_inputs(&rest, value, entry);
            }
            "outputs" if parts.len() == 1 => {
                self.outputs = Some(read_outputs(first_range, entry, value));
            }
            "nixConfig" => {
                let rest: Vec<Option<(String, TextRange)>> = parts[1..].to_vec();
                if rest.is_empty() {
                    match unwrap_parens(value.clone()) {
                        Expr::AttrSet(config) => {
                            for entry in config.attrpath_values() {
                                let Some(path) = entry.attrpath() else {
                                    continue;
                                };
                                let Some(value) = entry.value() else { continue };
                                self.push_config(&path_parts(&path), path, &value, &entry);
                            }
                        }
                        _ => self.nix_config_not_a_set = Some(value.syntax().text_range()),
                    }
                } else {
                    let names: Vec<ast::Attr> = attrpath.attrs().skip(1).collect();
                    let Some(first_name) = names.first() else {
                        return;
                    };
                    self.nix_config.push(ConfigEntry {
                        name: rest[0].as_ref().map(|(name, _)| name.clone()),
                        name_range: first_name.syntax().text_range(),
                        value: Literal::read(&value),
                        value_range: value.syntax().text_range(),
                        entry_range: entry,
                        nested: rest.len() > 1,
                    });
                }
            }
            _ => {}
        }
    }

    fn push_config(
        &mut self,
        parts: &[Option<(String, TextRange)>],
        path: ast::Attrpath,
        value: &Expr,
        entry: &ast::AttrpathValue,
    ) {
        let Some(first) = path.attrs().next() else {
            return;
        };
        self.nix_config.push(ConfigEntry {
            name: parts.first().cloned().flatten().map(|(name, _)| name),
            name_range: first.syntax().text_range(),
            value: Literal::read(value),
            value_range: value.syntax().text_range(),
            entry_range: entry.syntax().text_range(),
            nested: parts.len() > 1,
        });
    }

    /// `inputs.<path> = value;` where `path` is what follows `inputs`.
    fn read_inputs(&mut self, path: &[(String, TextRange)], value: Expr, entry: TextRange) {
        let Some(((name, name_range), rest)) = path.split_first() else {
            let Expr::AttrSet(set) = unwrap_parens(value) else {
                return;
            };
            self.inputs_set = Some(set.syntax().text_range());
            for binding in set.attrpath_values() {
                let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value()) else {
                    continue;
                };
                let Some(parts) = static_parts(&attrpath) else {
                    continue;
                };
                self.read_inputs(&parts, value, binding.syntax().text_range());
            }
            return;
        };
        let index = match self.inputs.iter().position(|input| input.name == *name) {
            Some(index) => {
                let input = &mut self.inputs[index];
                if !input.entries.contains(&entry) {
                    input.entries.push(entry);
                }
                index
            }
            None => {
                self.inputs
                    .push(FlakeInput::new(name.clone(), *name_range, entry));
                self.inputs.len() - 1
            }
        };
        read_input_attrs(&mut self.inputs[index], rest, value);
    }
}

/// An attribute (or, with an empty path, an attribute set of attributes) of one input.
fn read_input_attrs(input: &mut FlakeInput, path: &[(String, TextRange)], value: Expr) {
    let Some(((name, name_range), rest)) = path.split_first() else {
        match unwrap_parens(value.clone()) {
            Expr::AttrSet(set) => {
                for binding in set.attrpath_values() {
                    let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value())
                    else {
                        continue;
                    };
                    if let Some(parts) = static_parts(&attrpath) {
                        read_input_attrs(input, &parts, value);
                    }
                }
            }
            _ => input.not_a_set = Some(value.syntax().text_range()),
        }
        return;
    };
    if name == "inputs" {
        read_nested(input, &[], rest, value);
        return;
    }
    if !rest.is_empty() {
        // `inputs.x.url.y = …` is not an input attribute Nix knows; keep it for the schema lint.
        input.attrs.push(InputAttr {
            name: name.clone(),
            name_range: *name_range,
            value: Literal::Other,
            value_range: value.syntax().text_range(),
        });
        return;
    }
    let literal = Literal::read(&value);
    let value_range = value.syntax().text_range();
    match name.as_str() {
        "url" => {
            input.url_is_literal = matches!(literal, Literal::Str(_));
            let text = match &literal {
                Literal::Str(text) => text.clone(),
                _ => value.syntax().to_string(),
            };
            input.url = Some((text, value_range));
        }
        "flake" => {
            if let Literal::Bool(flag) = literal {
                input.flake = Some(flag);
            }
        }
        "follows" => {
            if let Literal::Str(text) = &literal {
                input.follows = Some((text.clone(), value_range));
            }
        }
        _ => {}
    }
    input.attrs.push(InputAttr {
        name: name.clone(),
        name_range: *name_range,
        value: literal,
        value_range,
    });
}

/// `inputs.x.inputs.<path> = value`, with `prefix` the nested inputs already passed.
fn read_nested(
    input: &mut FlakeInput,
    prefix: &[String],
    path: &[(String, TextRange)],
    value: Expr,
) {
    let Some(((name, name_range), rest)) = path.split_first() else {
        if let Expr::AttrSet(set) = unwrap_parens(value) {
            for binding in set.attrpath_values() {
                let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value()) else {
                    continue;
                };
                if let Some(parts) = static_parts(&attrpath) {
                    read_nested(input, prefix, &parts, value);
                }
            }
        }
        return;
    };
    let mut nested_path = prefix.to_vec();
    nested_path.push(name.clone());
    if !input
        .overrides
        .iter()
        .any(|existing| existing.path == nested_path)
    {
        input.overrides.push(NestedOverride {
            path: nested_path.clone(),
            name_range: *name_range,
        });
    }
    match rest.split_first() {
        None => {
            // `y = { follows = …; inputs… }`
            if let Expr::AttrSet(set) = unwrap_parens(value) {
                for binding in set.attrpath_values() {
                    let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value())
                    else {
                        continue;
                    };
                    if let Some(parts) = static_parts(&attrpath) {
                        let mut full = vec![(name.clone(), *name_range)];
                        full.extend(parts);
                        read_nested(input, prefix, &full, value);
                    }
                }
            }
        }
        Some(((attr, _), tail)) if attr == "follows" && tail.is_empty() => {
            if let Literal::Str(target) = Literal::read(&value) {
                input.nested_follows.push(NestedFollows {
                    path: nested_path,
                    target,
                    range: value.syntax().text_range(),
                });
            }
        }
        Some(((attr, _), tail)) if attr == "inputs" => {
            read_nested(input, &nested_path, tail, value);
        }
        Some(_) => {}
    }
}

fn read_params(lambda: &ast::Lambda) -> OutputsParams {
    let mut params = OutputsParams {
        lambda_range: lambda.syntax().text_range(),
        ident: None,
        pattern_range: None,
        formals: Vec::new(),
        bind: None,
        ellipsis: false,
    };
    match lambda.param() {
        Some(ast::Param::IdentParam(param)) => {
            params.ident = param
                .ident()
                .map(|ident| (ident.syntax().to_string(), ident.syntax().text_range()));
        }
        Some(ast::Param::Pattern(pattern)) => {
            params.pattern_range = Some(pattern.syntax().text_range());
            params.ellipsis = pattern.ellipsis_token().is_some();
            params.bind = pattern
                .pat_bind()
                .and_then(|bind| bind.ident())
                .map(|ident| (ident.syntax().to_string(), ident.syntax().text_range()));
            for entry in pattern.pat_entries() {
                let Some(ident) = entry.ident() else { continue };
                params.formals.push(Formal {
                    name: ident.syntax().to_string(),
                    range: ident.syntax().text_range(),
                    entry_range: entry.syntax().text_range(),
                    has_default: entry.default().is_some(),
                });
            }
        }
        None => {}
    }
    params
}

/// The names of a pattern's entries, or the ident parameter.
fn lambda_param_names(lambda: &ast::Lambda) -> (Option<String>, Vec<String>) {
    match lambda.param() {
        Some(ast::Param::IdentParam(param)) => {
            (param.ident().map(|i| i.syntax().to_string()), Vec::new())
        }
        Some(ast::Param::Pattern(pattern)) => (
            pattern
                .pat_bind()
                .and_then(|bind| bind.ident())
                .map(|ident| ident.syntax().to_string()),
            pattern
                .pat_entries()
                .filter_map(|entry| entry.ident())
                .map(|ident| ident.syntax().to_string())
                .collect(),
        ),
        None => (None, Vec::new()),
    }
}

fn read_outputs(key_range: TextRange, entry_range: TextRange, value: Expr) -> Outputs {
    let mut outputs = Outputs {
        key_range,
        entry_range,
        value_range: value.syntax().text_range(),
        params: None,
        families: Vec::new(),
        overlays: Vec::new(),
        systems: Vec::new(),
        systems_unknown: false,
        opaque: false,
        top_sets: Vec::new(),
        per_system_sets: Vec::new(),
        helpers: Vec::new(),
    };
    let Expr::Lambda(lambda) = unwrap_parens(value) else {
        outputs.opaque = true;
        return outputs;
    };
    let params = read_params(&lambda);
    let self_expr = if params.formal("self").is_some() {
        Some("self".to_owned())
    } else {
        params.all_inputs_name().map(|all| format!("{all}.self"))
    };
    outputs.params = Some(params);
    let Some(body) = lambda.body() else {
        outputs.opaque = true;
        return outputs;
    };
    let mut reader = Reader {
        outputs: &mut outputs,
        lets: Vec::new(),
        self_expr,
        depth: 0,
    };
    reader.body(body, &Context::Top);
    outputs
}

/// Where the reader is: at top-level outputs, or in a per-system body.
#[derive(Clone, Debug)]
enum Context {
    Top,
    PerSystem {
        system_var: Option<String>,
        /// flake-parts: how to refer to the per-system outputs (`self'` or `config`).
        own: Option<String>,
    },
}

struct Reader<'a> {
    outputs: &'a mut Outputs,
    /// Let bindings in scope, innermost last.
    lets: Vec<HashMap<String, Expr>>,
    /// An expression for the flake's own outputs (`self`).
    self_expr: Option<String>,
    depth: u32,
}

/// Bounds the resolution of let-bound names through each other.
const MAX_DEPTH: u32 = 24;

impl Reader<'_> {
    fn resolve(&self, name: &str) -> Option<Expr> {
        self.lets
            .iter()
            .rev()
            .find_map(|bindings| bindings.get(name).cloned())
    }

    /// Follows parentheses and let-bound identifiers.
    fn resolve_expr(&self, expr: Expr) -> Expr {
        let mut expr = unwrap_parens(expr);
        for _ in 0..MAX_DEPTH {
            let Expr::Ident(ident) = &expr else { break };
            let Some(bound) = self.resolve(&ident.syntax().to_string()) else {
                break;
            };
            expr = unwrap_parens(bound);
        }
        expr
    }

    fn push_let(&mut self, let_in: &ast::LetIn) {
        // In the order of the text: which helper a fix uses must not depend on a hash.
        let mut bindings = Vec::new();
        for binding in let_in.attrpath_values() {
            let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value()) else {
                continue;
            };
            if let Some(parts) = static_parts(&attrpath) {
                if parts.len() == 1 {
                    bindings.push((parts[0].0.clone(), value));
                }
            }
        }
        let helpers: Vec<SystemsHelper> = bindings
            .iter()
            .filter_map(|(name, value)| {
                self.helper_of(value)
                    .map(|(passes_system, _)| SystemsHelper {
                        name: name.clone(),
                        passes_system,
                    })
            })
            .collect();
        self.lets.push(bindings.into_iter().collect());
        for helper in helpers {
            if let Some(value) = self.resolve(&helper.name) {
                if let Some((_, list)) = self.helper_of(&value) {
                    self.add_systems(list);
                }
            }
            self.outputs.helpers.push(helper);
        }
    }

    /// Whether a let-bound value is a `genAttrs systems`-style helper: whether it passes the
    /// system itself, and its list of systems.
    fn helper_of(&self, value: &Expr) -> Option<(bool, Expr)> {
        let mut expr = unwrap_parens(value.clone());
        let mut params = 0;
        while let Expr::Lambda(lambda) = &expr {
            params += 1;
            expr = unwrap_parens(lambda.body()?);
        }
        while let Expr::LetIn(let_in) = &expr {
            expr = unwrap_parens(let_in.body()?);
        }
        let Expr::Apply(apply) = expr else {
            return None;
        };
        let (function, args) = unroll_apply(&apply)?;
        let name = dotted_name(&function)?;
        let last = name.rsplit('.').next().unwrap_or(&name);
        if last != "genAttrs" {
            return None;
        }
        let list = args.first()?.clone();
        // `genAttrs systems` (partial) hands the system to the caller's function; `f: genAttrs
        // systems (system: f …)` hands over whatever it builds.
        let passes_system = params == 0 && args.len() == 1;
        Some((passes_system, list))
    }

    fn helper_named(&self, name: &str) -> Option<SystemsHelper> {
        self.outputs
            .helpers
            .iter()
            .rev()
            .find(|helper| helper.name == name)
            .cloned()
    }

    /// Adds the systems of a list expression to S.
    fn add_systems(&mut self, list: Expr) {
        match self.systems_of(list) {
            Some(systems) => {
                for system in systems {
                    if !self.outputs.systems.contains(&system) {
                        self.outputs.systems.push(system);
                    }
                }
            }
            None => self.outputs.systems_unknown = true,
        }
    }

    /// The systems of a list expression: a literal list, a let-bound list, `import systems`,
    /// `flake-utils.lib.defaultSystems`.
    fn systems_of(&self, list: Expr) -> Option<Vec<SystemName>> {
        match self.resolve_expr(list) {
            Expr::List(list) => {
                let mut systems = Vec::new();
                for item in list.items() {
                    let Expr::Str(string) = unwrap_parens(item) else {
                        return None;
                    };
                    systems.push(SystemName {
                        name: string_value(&string)?,
                        range: Some(string.syntax().text_range()),
                        quoted: true,
                    });
                }
                Some(systems)
            }
            Expr::Apply(apply) => {
                let (function, args) = unroll_apply(&apply)?;
                let import = dotted_name(&function)?;
                if import != "import" && import != "builtins.import" {
                    return None;
                }
                let source = dotted_name(args.first()?)?;
                let last = source.rsplit('.').next().unwrap_or(&source);
                (last == "systems" && args.len() == 1).then(default_systems)
            }
            other @ (Expr::Select(_) | Expr::Ident(_)) => {
                let name = dotted_name(&other)?;
                name.ends_with("defaultSystems").then(default_systems)
            }
            _ => None,
        }
    }

    /// An outputs body: the expression after `outputs = args:`.
    fn body(&mut self, expr: Expr, context: &Context) {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.outputs.opaque = true;
            self.depth -= 1;
            return;
        }
        match unwrap_parens(expr) {
            Expr::LetIn(let_in) => {
                self.push_let(&let_in);
                match let_in.body() {
                    Some(body) => self.body(body, context),
                    None => self.outputs.opaque = true,
                }
                self.lets.pop();
            }
            Expr::With(with) => match with.body() {
                Some(body) => self.body(body, context),
                None => self.outputs.opaque = true,
            },
            Expr::BinOp(binop) if binop.operator() == Some(ast::BinOpKind::Update) => {
                for side in [binop.lhs(), binop.rhs()] {
                    match side {
                        Some(side) => self.body(side, context),
                        None => self.outputs.opaque = true,
                    }
                }
            }
            Expr::AttrSet(set) => self.attr_set(&set, context),
            Expr::Apply(apply) => self.apply(&apply, context),
            Expr::Ident(ident) => match self.resolve(&ident.syntax().to_string()) {
                Some(bound) => self.body(bound, context),
                None => self.outputs.opaque = true,
            },
            _ => self.outputs.opaque = true,
        }
        self.depth -= 1;
    }

    fn apply(&mut self, apply: &ast::Apply, context: &Context) {
        let Some((function, args)) = unroll_apply(apply) else {
            self.outputs.opaque = true;
            return;
        };
        let Some(name) = dotted_name(&function) else {
            self.outputs.opaque = true;
            return;
        };
        let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
        if self.helper_named(&last).is_some() && !name.contains('.') {
            // A helper at the top builds `{ <system> = …; }`, not outputs.
            self.outputs.opaque = true;
            return;
        }
        match (last.as_str(), args.as_slice()) {
            ("eachSystem" | "eachSystemPassThrough", [list, function]) => {
                self.add_systems(list.clone());
                self.per_system_function(function.clone(), last.ends_with("PassThrough"));
            }
            ("eachDefaultSystem" | "eachDefaultSystemPassThrough", [function]) => {
                for system in default_systems() {
                    if !self.outputs.systems.contains(&system) {
                        self.outputs.systems.push(system);
                    }
                }
                self.per_system_function(function.clone(), last.ends_with("PassThrough"));
            }
            ("mkFlake", [_, module]) => self.flake_parts_module(module.clone()),
            ("recursiveUpdate", [left, right]) => {
                self.body(left.clone(), context);
                self.body(right.clone(), context);
            }
            ("mergeAttrsList" | "foldl'" | "foldr" | "foldl", [.., list]) => {
                match unwrap_parens(list.clone()) {
                    Expr::List(list) => {
                        for item in list.items() {
                            self.body(item, context);
                        }
                    }
                    _ => self.outputs.opaque = true,
                }
            }
            _ => self.outputs.opaque = true,
        }
    }

    /// The `system: { … }` function of flake-utils.
    fn per_system_function(&mut self, function: Expr, pass_through: bool) {
        let Expr::Lambda(lambda) = self.resolve_expr(function) else {
            self.outputs.opaque = true;
            return;
        };
        let (system_var, _) = lambda_param_names(&lambda);
        let Some(body) = lambda.body() else {
            self.outputs.opaque = true;
            return;
        };
        let context = if pass_through {
            Context::Top
        } else {
            Context::PerSystem {
                system_var,
                own: None,
            }
        };
        self.body(body, &context);
    }

    /// The module given to flake-parts' `mkFlake`.
    fn flake_parts_module(&mut self, module: Expr) {
        let mut expr = self.resolve_expr(module);
        if let Expr::Lambda(lambda) = &expr {
            match lambda.body() {
                Some(body) => expr = unwrap_parens(body),
                None => {
                    self.outputs.opaque = true;
                    return;
                }
            }
        }
        while let Expr::LetIn(let_in) = &expr {
            self.push_let(let_in);
            match let_in.body() {
                Some(body) => expr = unwrap_parens(body),
                None => break,
            }
        }
        let Expr::AttrSet(set) = expr else {
            self.outputs.opaque = true;
            return;
        };
        for binding in set.attrpath_values() {
            let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value()) else {
                continue;
            };
            let Some(parts) = static_parts(&attrpath) else {
                self.outputs.opaque = true;
                continue;
            };
            match parts[0].0.as_str() {
                "systems" if parts.len() == 1 => self.add_systems(value),
                "imports" => {
                    // Modules in other files may define any output.
                    let empty = matches!(unwrap_parens(value), Expr::List(list) if list.items().next().is_none());
                    if !empty {
                        self.outputs.opaque = true;
                    }
                }
                "perSystem" if parts.len() == 1 => {
                    let Expr::Lambda(lambda) = self.resolve_expr(value) else {
                        self.outputs.opaque = true;
                        continue;
                    };
                    let (_, formals) = lambda_param_names(&lambda);
                    let own = if formals.iter().any(|formal| formal == "self'") {
                        Some("self'".to_owned())
                    } else if formals.iter().any(|formal| formal == "config") {
                        Some("config".to_owned())
                    } else {
                        None
                    };
                    let system_var = formals
                        .iter()
                        .any(|formal| formal == "system")
                        .then(|| "system".to_owned());
                    let Some(body) = lambda.body() else { continue };
                    let body = self.resolve_expr(body);
                    if let Expr::AttrSet(body_set) = &body {
                        self.outputs.per_system_sets.push(PerSystemSet {
                            set: body_set.syntax().text_range(),
                            wrapper: Wrapper::FlakeParts,
                            system_var: system_var.clone(),
                            formals,
                        });
                    }
                    self.body(body, &Context::PerSystem { system_var, own });
                }
                "flake" if parts.len() == 1 => self.body(value, &Context::Top),
                "flake" => self.top_entry(&parts[1..], value, &binding, &set, true),
                _ => {}
            }
        }
    }

    fn attr_set(&mut self, set: &ast::AttrSet, context: &Context) {
        let range = set.syntax().text_range();
        match context {
            Context::Top => self.outputs.top_sets.push(range),
            Context::PerSystem { system_var, own } => {
                if own.is_none()
                    && !self
                        .outputs
                        .per_system_sets
                        .iter()
                        .any(|existing| existing.set == range)
                {
                    self.outputs.per_system_sets.push(PerSystemSet {
                        set: range,
                        wrapper: Wrapper::FlakeUtils,
                        system_var: system_var.clone(),
                        formals: Vec::new(),
                    });
                }
            }
        }
        for entry in set.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    let (Some(attrpath), Some(value)) = (binding.attrpath(), binding.value())
                    else {
                        continue;
                    };
                    let parts = path_parts(&attrpath);
                    let Some(Some(_)) = parts.first() else {
                        self.outputs.opaque = true;
                        continue;
                    };
                    // Dynamic parts below the family keep their place as `None` names.
                    let plain = parts.iter().all(Option::is_some);
                    let parts: Vec<(String, TextRange)> = parts
                        .into_iter()
                        .zip(attrpath.attrs())
                        .map(|(part, attr)| {
                            part.unwrap_or_else(|| (String::new(), attr.syntax().text_range()))
                        })
                        .collect();
                    match context {
                        Context::Top => self.top_entry(&parts, value, &binding, set, plain),
                        Context::PerSystem { system_var, own } => self
                            .per_system_entry(&parts, value, &binding, set, plain, system_var, own),
                    }
                }
                ast::Entry::Inherit(inherit) => {
                    for attr in inherit.attrs() {
                        if let Some(name) = attr_name(&attr) {
                            self.outputs.families.push(OutputFamily {
                                name,
                                key_range: attr.syntax().text_range(),
                                entry_range: inherit.syntax().text_range(),
                                key_is_plain: false,
                                per_system: matches!(context, Context::PerSystem { .. }),
                                set: range,
                                parts: Vec::new(),
                                opaque: true,
                            });
                        }
                    }
                }
            }
        }
    }

    /// `family.<rest> = value` in a top-level outputs set. Dynamic names are empty strings.
    fn top_entry(
        &mut self,
        parts: &[(String, TextRange)],
        value: Expr,
        binding: &ast::AttrpathValue,
        set: &ast::AttrSet,
        plain: bool,
    ) {
        let Some(((family, key_range), rest)) = parts.split_first() else {
            return;
        };
        let mut out = OutputFamily {
            name: family.clone(),
            key_range: *key_range,
            entry_range: binding.syntax().text_range(),
            key_is_plain: plain,
            per_system: false,
            set: set.syntax().text_range(),
            parts: Vec::new(),
            opaque: false,
        };
        if family == "overlay" && rest.is_empty() {
            self.outputs.overlays.push(OverlayDef {
                name: None,
                key_range: *key_range,
                value: self.resolve_expr(value.clone()),
            });
        }
        if family == "overlays" {
            match rest.first() {
                Some((name, range)) if rest.len() == 1 => self.outputs.overlays.push(OverlayDef {
                    name: (!name.is_empty()).then(|| name.clone()),
                    key_range: *range,
                    value: self.resolve_expr(value.clone()),
                }),
                None => {
                    if let Expr::AttrSet(overlays) = self.resolve_expr(value.clone()) {
                        for overlay in overlays.attrpath_values() {
                            let (Some(attrpath), Some(overlay_value)) =
                                (overlay.attrpath(), overlay.value())
                            else {
                                continue;
                            };
                            let Some(parts) = static_parts(&attrpath) else {
                                continue;
                            };
                            if parts.len() == 1 {
                                self.outputs.overlays.push(OverlayDef {
                                    name: Some(parts[0].0.clone()),
                                    key_range: parts[0].1,
                                    value: self.resolve_expr(overlay_value),
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !PER_SYSTEM_FAMILIES.contains(&family.as_str()) {
            self.outputs.families.push(out);
            return;
        }
        match rest.split_first() {
            Some(((system, system_range), names)) => {
                let system_name = (!system.is_empty()).then(|| SystemName {
                    name: system.clone(),
                    range: Some(*system_range),
                    quoted: is_quoted_attr(binding, *system_range),
                });
                let system_text = system_key_text(binding, *system_range);
                let mut part = FamilyPart {
                    system: system_name,
                    names: None,
                    set: None,
                    self_expr: self
                        .self_expr
                        .as_ref()
                        .zip(system_text)
                        .map(|(own, system)| format!("{own}.{family}.{system}")),
                };
                match names.first() {
                    Some((name, range)) if !name.is_empty() => {
                        part.names = Some(vec![(name.clone(), *range)])
                    }
                    Some(_) => {}
                    None => self.fill_names(&mut part, value),
                }
                out.parts.push(part);
            }
            None => match self.resolve_expr(value.clone()) {
                Expr::AttrSet(systems) => {
                    for system_binding in systems.attrpath_values() {
                        let (Some(attrpath), Some(system_value)) =
                            (system_binding.attrpath(), system_binding.value())
                        else {
                            continue;
                        };
                        let parts = path_parts(&attrpath);
                        let Some(first_attr) = attrpath.attrs().next() else {
                            continue;
                        };
                        let first_range = first_attr.syntax().text_range();
                        let system_text = system_key_text(&system_binding, first_range);
                        let mut part = FamilyPart {
                            system: parts.first().cloned().flatten().map(|(name, range)| {
                                SystemName {
                                    name,
                                    range: Some(range),
                                    quoted: matches!(first_attr, ast::Attr::Str(_)),
                                }
                            }),
                            names: None,
                            set: None,
                            self_expr: self
                                .self_expr
                                .as_ref()
                                .zip(system_text)
                                .map(|(own, system)| format!("{own}.{family}.{system}")),
                        };
                        match parts.get(1) {
                            Some(Some((name, range))) => {
                                part.names = Some(vec![(name.clone(), *range)])
                            }
                            Some(None) => {}
                            None => self.fill_names(&mut part, system_value),
                        }
                        out.parts.push(part);
                    }
                }
                Expr::Apply(apply) => {
                    if !self.helper_part(&apply, family, &mut out) {
                        out.opaque = true;
                    }
                }
                _ => out.opaque = true,
            },
        }
        self.outputs.families.push(out);
    }

    /// `packages = forAllSystems (system: { … })` or `packages = genAttrs [ … ] (system: …)`.
    fn helper_part(&mut self, apply: &ast::Apply, family: &str, out: &mut OutputFamily) -> bool {
        let Some((function, args)) = unroll_apply(apply) else {
            return false;
        };
        let Some(name) = dotted_name(&function) else {
            return false;
        };
        let last = name.rsplit('.').next().unwrap_or(&name);
        let (passes_system, function_arg) =
            if let (Some(helper), false) = (self.helper_named(last), name.contains('.')) {
                match args.as_slice() {
                    [function] => (helper.passes_system, function.clone()),
                    _ => return false,
                }
            } else {
                match (last, args.as_slice()) {
                    ("genAttrs", [list, function]) | ("eachSystemMap", [list, function]) => {
                        self.add_systems(list.clone());
                        (true, function.clone())
                    }
                    ("eachDefaultSystemMap", [function]) => {
                        for system in default_systems() {
                            if !self.outputs.systems.contains(&system) {
                                self.outputs.systems.push(system);
                            }
                        }
                        (true, function.clone())
                    }
                    _ => return false,
                }
            };
        let mut part = FamilyPart {
            system: None,
            names: None,
            set: None,
            self_expr: None,
        };
        if let Expr::Lambda(lambda) = self.resolve_expr(function_arg) {
            if passes_system {
                if let (Some(system), _) = lambda_param_names(&lambda) {
                    if matches!(lambda.param(), Some(ast::Param::IdentParam(_))) {
                        part.self_expr = self
                            .self_expr
                            .as_ref()
                            .map(|own| format!("{own}.{family}.${{{system}}}"));
                    }
                }
            }
            if let Some(body) = lambda.body() {
                self.fill_names(&mut part, body);
            }
        }
        out.parts.push(part);
        true
    }

    /// `family.<rest> = value` in a per-system set.
    #[allow(clippy::too_many_arguments)]
    fn per_system_entry(
        &mut self,
        parts: &[(String, TextRange)],
        value: Expr,
        binding: &ast::AttrpathValue,
        set: &ast::AttrSet,
        plain: bool,
        system_var: &Option<String>,
        own: &Option<String>,
    ) {
        let Some(((family, key_range), rest)) = parts.split_first() else {
            return;
        };
        let self_expr = match own {
            Some(own) => Some(format!("{own}.{family}")),
            None => self
                .self_expr
                .as_ref()
                .zip(system_var.as_ref())
                .map(|(own, system)| format!("{own}.{family}.${{{system}}}")),
        };
        let mut part = FamilyPart {
            system: None,
            names: None,
            set: None,
            self_expr,
        };
        match rest.first() {
            Some((name, range)) if !name.is_empty() => {
                part.names = Some(vec![(name.clone(), *range)])
            }
            Some(_) => {}
            None => self.fill_names(&mut part, value),
        }
        self.outputs.families.push(OutputFamily {
            name: family.clone(),
            key_range: *key_range,
            entry_range: binding.syntax().text_range(),
            key_is_plain: plain,
            per_system: true,
            set: set.syntax().text_range(),
            parts: vec![part],
            opaque: false,
        });
    }

    /// The names of a family part's value, when it is a literal attribute set (through `let`).
    fn fill_names(&self, part: &mut FamilyPart, value: Expr) {
        let mut expr = self.resolve_expr(value);
        for _ in 0..MAX_DEPTH {
            match expr {
                Expr::LetIn(let_in) => match let_in.body() {
                    Some(body) => expr = unwrap_parens(body),
                    None => return,
                },
                Expr::With(with) => match with.body() {
                    Some(body) => expr = unwrap_parens(body),
                    None => return,
                },
                _ => break,
            }
        }
        let Expr::AttrSet(set) = expr else { return };
        let mut names = Vec::new();
        for entry in set.entries() {
            match entry {
                ast::Entry::AttrpathValue(binding) => {
                    let Some(attr) = binding.attrpath().and_then(|path| path.attrs().next()) else {
                        continue;
                    };
                    match attr_name(&attr) {
                        Some(name) => {
                            if !names.iter().any(|(existing, _)| *existing == name) {
                                names.push((name, attr.syntax().text_range()));
                            }
                        }
                        // A dynamic name may be anything, `default` included.
                        None => return,
                    }
                }
                ast::Entry::Inherit(inherit) => {
                    for attr in inherit.attrs() {
                        match attr_name(&attr) {
                            Some(name) => names.push((name, attr.syntax().text_range())),
                            None => return,
                        }
                    }
                }
            }
        }
        part.names = Some(names);
        part.set = Some(set.syntax().text_range());
    }
}

fn default_systems() -> Vec<SystemName> {
    DEFAULT_SYSTEMS
        .iter()
        .map(|name| SystemName {
            name: (*name).to_owned(),
            range: None,
            quoted: true,
        })
        .collect()
}

/// Whether the attribute at `range` in a binding's path is a string (`"x86_64-linux"`).
fn is_quoted_attr(binding: &ast::AttrpathValue, range: TextRange) -> bool {
    binding
        .attrpath()
        .into_iter()
        .flat_map(|path| path.attrs())
        .any(|attr| attr.syntax().text_range() == range && matches!(attr, ast::Attr::Str(_)))
}

/// The source text of the system attribute at `range`, usable after a `.` in a select.
fn system_key_text(binding: &ast::AttrpathValue, range: TextRange) -> Option<String> {
    binding
        .attrpath()
        .into_iter()
        .flat_map(|path| path.attrs())
        .find(|attr| attr.syntax().text_range() == range)
        .map(|attr| attr.syntax().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> FlakeModel {
        let parse = syntax::parse(text);
        assert!(parse.errors().is_empty(), "{:?}", parse.errors());
        FlakeModel::read(&parse.root()).expect("a flake")
    }

    /// `family[system:name,name;…]` for every family, in order, with `*` for a wrapper's systems,
    /// `?` for unknown names, `~` marking per-system bodies and `!` an opaque value.
    fn families(model: &FlakeModel) -> String {
        let outputs = model.outputs.as_ref().expect("outputs");
        let mut out = Vec::new();
        for family in &outputs.families {
            let parts: Vec<String> = family
                .parts
                .iter()
                .map(|part| {
                    let system = part
                        .system
                        .as_ref()
                        .map_or("*", |system| system.name.as_str());
                    let names = part.names.as_ref().map_or("?".to_owned(), |names| {
                        names
                            .iter()
                            .map(|(name, _)| name.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    });
                    format!("{system}:{names}")
                })
                .collect();
            out.push(format!(
                "{}{}{}[{}]",
                if family.per_system { "~" } else { "" },
                family.name,
                if family.opaque { "!" } else { "" },
                parts.join(";")
            ));
        }
        out.join(" ")
    }

    fn systems(model: &FlakeModel) -> Vec<String> {
        model.outputs.as_ref().expect("outputs").declared_systems()
    }

    #[test]
    fn inputs_in_every_form() {
        let text = r#"{
  description = "demo";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.utils.url = "github:numtide/flake-utils";
  inputs.utils.inputs.systems.follows = "systems";
  inputs = {
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    src = { url = "git+https://example.org/src?ref=main"; flake = false; };
    alias.follows = "utils/systems";
    deep.inputs.a.inputs.b.follows = "nixpkgs";
    attrs = { type = "github"; owner = "o"; repo = "r"; ref = "v1"; };
  };
}"#;
        let model = read(text);
        assert_eq!(
            model.description.as_ref().and_then(|d| d.value.as_deref()),
            Some("demo")
        );
        let names: Vec<&str> = model
            .inputs
            .iter()
            .map(|input| input.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "nixpkgs",
                "utils",
                "home-manager",
                "src",
                "alias",
                "deep",
                "attrs"
            ]
        );
        let utils = model.input("utils").expect("utils");
        assert_eq!(utils.entries.len(), 2);
        assert_eq!(&text[utils.name_range], "utils");
        assert_eq!(
            utils.nested_follows,
            [NestedFollows {
                path: vec!["systems".to_owned()],
                target: "systems".to_owned(),
                range: utils.nested_follows[0].range,
            }]
        );
        let home = model.input("home-manager").expect("home-manager");
        assert_eq!(home.nested_follows[0].path, ["nixpkgs"]);
        assert_eq!(&text[home.nested_follows[0].range], "\"nixpkgs\"");
        assert_eq!(&text[home.name_range], "home-manager");
        let src = model.input("src").expect("src");
        assert_eq!(src.flake, Some(false));
        let flake_ref = src.flake_ref().expect("a ref").expect("valid");
        assert_eq!(flake_ref.ref_.as_deref(), Some("main"));
        let alias = model.input("alias").expect("alias");
        assert_eq!(
            alias.follows.as_ref().map(|(target, _)| target.as_str()),
            Some("utils/systems")
        );
        assert!(alias.flake_ref().is_none());
        let deep = model.input("deep").expect("deep");
        assert_eq!(deep.nested_follows[0].path, ["a", "b"]);
        assert_eq!(deep.overrides.len(), 2);
        let attrs = model.input("attrs").expect("attrs");
        assert_eq!(
            attrs.flake_ref().expect("a ref").expect("valid"),
            FlakeRef::parse("github:o/r/v1").expect("valid")
        );
        assert!(model.inputs_set.is_some());
    }

    #[test]
    fn non_literal_urls_and_values() {
        let model = read(
            r#"{ inputs.a.url = "github:o/${name}"; inputs.b = "github:o/r"; inputs.c.flake = "no"; outputs = _: { }; }"#,
        );
        let a = model.input("a").expect("a");
        assert!(!a.url_is_literal);
        assert!(a.flake_ref().is_none());
        assert!(model.input("b").expect("b").not_a_set.is_some());
        let c = model.input("c").expect("c");
        assert_eq!(c.flake, None);
        assert_eq!(
            c.attr("flake").map(|attr| &attr.value),
            Some(&Literal::Str("no".to_owned()))
        );
    }

    #[test]
    fn outputs_parameters() {
        let model = read("{ outputs = { self, nixpkgs, extra ? null, ... }@inputs: { }; }");
        let params = model.params().expect("a lambda");
        let names: Vec<&str> = params
            .formals
            .iter()
            .map(|formal| formal.name.as_str())
            .collect();
        assert_eq!(names, ["self", "nixpkgs", "extra"]);
        assert!(params.ellipsis);
        assert!(params.formals[2].has_default);
        assert_eq!(
            params.bind.as_ref().map(|(name, _)| name.as_str()),
            Some("inputs")
        );
        assert_eq!(params.input_expr("other").as_deref(), Some("inputs.other"));
        let model = read("{ outputs = inputs: { }; }");
        let params = model.params().expect("a lambda");
        assert_eq!(
            params.ident.as_ref().map(|(name, _)| name.as_str()),
            Some("inputs")
        );
        assert!(read("{ outputs = import ./outputs.nix; }")
            .params()
            .is_none());
    }

    #[test]
    fn plain_per_system_attribute_sets() {
        let model = read(
            r#"{
  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.hello = nixpkgs.legacyPackages.x86_64-linux.hello;
    packages."aarch64-linux" = { default = 1; hello = 2; };
    devShells = { x86_64-linux.default = 3; };
    overlays.default = final: prev: { };
    nixosModules = import ./modules;
  };
}"#,
        );
        assert_eq!(
            families(&model),
            "packages[x86_64-linux:hello] packages[aarch64-linux:default,hello] \
             devShells[x86_64-linux:default] overlays[] nixosModules[]"
        );
        assert_eq!(systems(&model), ["x86_64-linux", "aarch64-linux"]);
        let outputs = model.outputs.as_ref().expect("outputs");
        assert_eq!(outputs.overlays.len(), 1);
        assert!(!outputs.opaque);
        let part = &outputs.families[1].parts[0];
        assert_eq!(
            part.self_expr.as_deref(),
            Some("self.packages.\"aarch64-linux\"")
        );
        assert!(part.system.as_ref().is_some_and(|system| system.quoted));
    }

    #[test]
    fn flake_utils() {
        let model = read(
            r#"{
  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachSystem [ "x86_64-linux" "aarch64-darwin" ] (system:
      let pkgs = nixpkgs.legacyPackages.${system}; in {
        packages.default = pkgs.hello;
        devShells = { default = pkgs.mkShell { }; };
        formatter = pkgs.nixfmt-tree;
      }) // {
      overlays.default = final: prev: { };
    };
}"#,
        );
        assert_eq!(
            families(&model),
            "~packages[*:default] ~devShells[*:default] ~formatter[*:?] overlays[]"
        );
        assert_eq!(systems(&model), ["x86_64-linux", "aarch64-darwin"]);
        let outputs = model.outputs.as_ref().expect("outputs");
        assert_eq!(outputs.per_system_sets.len(), 1);
        assert_eq!(
            outputs.per_system_sets[0].system_var.as_deref(),
            Some("system")
        );
        assert_eq!(
            outputs.families[0].parts[0].self_expr.as_deref(),
            Some("self.packages.${system}")
        );
        assert_eq!(outputs.top_sets.len(), 1);
    }

    #[test]
    fn each_default_system() {
        let model = read(
            "{ outputs = { self, flake-utils, ... }: flake-utils.lib.eachDefaultSystem (system: { checks = { }; }); }",
        );
        assert_eq!(families(&model), "~checks[*:]");
        assert_eq!(systems(&model), DEFAULT_SYSTEMS);
    }

    #[test]
    fn for_all_systems_helpers() {
        let model = read(
            r#"{
  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      forEachSystem = f: nixpkgs.lib.genAttrs (import systems) (system: f nixpkgs.legacyPackages.${system});
    in {
      packages = forAllSystems (system: { default = 1; });
      devShells = forEachSystem (pkgs: { default = pkgs.mkShell { }; });
      checks = nixpkgs.lib.genAttrs [ "riscv64-linux" ] (system: { });
    };
}"#,
        );
        assert_eq!(
            families(&model),
            "packages[*:default] devShells[*:default] checks[*:]"
        );
        let outputs = model.outputs.as_ref().expect("outputs");
        let mut helpers: Vec<(&str, bool)> = outputs
            .helpers
            .iter()
            .map(|helper| (helper.name.as_str(), helper.passes_system))
            .collect();
        helpers.sort_unstable();
        assert_eq!(helpers, [("forAllSystems", true), ("forEachSystem", false)]);
        assert!(systems(&model).contains(&"x86_64-linux".to_owned()));
        assert!(systems(&model).contains(&"riscv64-linux".to_owned()));
        assert_eq!(
            outputs.families[0].parts[0].self_expr.as_deref(),
            Some("self.packages.${system}")
        );
        assert_eq!(outputs.families[1].parts[0].self_expr, None);
    }

    #[test]
    fn flake_parts() {
        let model = read(
            r#"{
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-darwin" ];
      perSystem = { config, self', pkgs, system, ... }: {
        packages.default = pkgs.hello;
        devShells.default = pkgs.mkShell { };
      };
      flake = {
        nixosModules.default = ./module.nix;
      };
      flake.overlays.default = final: prev: { };
    };
}"#,
        );
        assert_eq!(
            families(&model),
            "~packages[*:default] ~devShells[*:default] nixosModules[] overlays[]"
        );
        assert_eq!(systems(&model), ["x86_64-linux", "aarch64-darwin"]);
        let outputs = model.outputs.as_ref().expect("outputs");
        assert!(!outputs.opaque);
        assert_eq!(outputs.overlays.len(), 1);
        assert_eq!(outputs.per_system_sets[0].wrapper, Wrapper::FlakeParts);
        assert_eq!(
            outputs.families[0].parts[0].self_expr.as_deref(),
            Some("self'.packages")
        );
    }

    #[test]
    fn flake_parts_imports_are_opaque() {
        let model = read(
            "{ outputs = inputs: inputs.flake-parts.lib.mkFlake { inherit inputs; } { imports = [ ./parts ]; systems = import inputs.systems; }; }",
        );
        let outputs = model.outputs.as_ref().expect("outputs");
        assert!(outputs.opaque);
        assert_eq!(systems(&model), DEFAULT_SYSTEMS);
    }

    #[test]
    fn unknown_shapes_are_opaque() {
        let model = read("{ outputs = inputs: import ./outputs.nix inputs; }");
        assert!(model.outputs.as_ref().expect("outputs").opaque);
        let model = read("{ outputs = { self }: { packages = self.lib.mkPackages; }; }");
        assert_eq!(families(&model), "packages![]");
    }

    #[test]
    fn nix_config_in_both_forms() {
        let model = read(
            r#"{ nixConfig = { extra-substituters = [ "https://a" ]; bash-prompt = "> "; }; nixConfig.x.y = 1; outputs = _: { }; }"#,
        );
        let names: Vec<Option<&str>> = model
            .nix_config
            .iter()
            .map(|entry| entry.name.as_deref())
            .collect();
        assert_eq!(
            names,
            [Some("extra-substituters"), Some("bash-prompt"), Some("x")]
        );
        assert_eq!(
            model.nix_config[0].value,
            Literal::StrList(vec!["https://a".to_owned()])
        );
        assert!(model.nix_config[2].nested);
    }

    #[test]
    fn non_set_roots_have_no_model() {
        let parse = syntax::parse("let x = 1; in { }");
        assert!(FlakeModel::read(&parse.root()).is_none());
        let parse = syntax::parse("({ outputs = _: { }; })");
        assert!(FlakeModel::read(&parse.root()).is_some());
    }
}
