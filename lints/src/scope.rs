//! Name resolution and liveness, computed once per file and shared by the lints that need them.
//!
//! Every identifier in expression position is resolved to the binding it names, to a `with` that
//! may provide it, to a builtin of Nix's global scope, or to nothing. Bindings come from `let`,
//! `rec` sets, lambda parameters, patterns (entries, whose defaults see the other entries, and `@`
//! binds) and `inherit`. Liveness follows uses to a fixpoint: a `let` binding used only by dead
//! bindings is dead too.
//!
//! The walk reads the green tree ([`syntax::green::Preorder`]): it keeps only ranges and names, so
//! it builds no node of the syntax tree. It is iterative, so deeply nested files cannot overflow
//! the stack.
//!
//! After an edit of a large set (all-packages.nix) the index is built without walking the entries
//! the edit left alone ([`ScopeIndex::build_skipping`]): nothing inside them can resolve
//! differently, and what they use of the scopes around the set ([`EntryUses`], kept from the
//! check before) counts as if walked. Lints that read the uses of an enclosing binding or `with`
//! ask [`ScopeIndex::is_used`], [`ScopeIndex::is_live`], [`ScopeIndex::has_with_names_in`] and
//! [`ScopeIndex::refers_to_underscored_in`], which count those entries too.

use rustc_hash::FxHashMap as HashMap;

use std::sync::Arc;
use syntax::ast;
use syntax::green::{self, GreenEvent, GreenNodeAt, Preorder};
use syntax::helpers::attr_name;

use syntax::{AstNode, SyntaxKind, SyntaxNode, TextRange, TextSize};

/// Names that Nix's global scope provides without `builtins.` (Nix 2.8 and later).
pub const GLOBAL_BUILTINS: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "builtins",
    "derivation",
    "derivationStrict",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
];

/// The attributes of `builtins` (Nix 2.8, plus those added since), each of which the global
/// scope also has as `__name`.
pub const BUILTIN_ATTRS: &[&str] = &[
    "abort",
    "add",
    "addDrvOutputDependencies",
    "addErrorContext",
    "all",
    "any",
    "appendContext",
    "attrNames",
    "attrValues",
    "baseNameOf",
    "bitAnd",
    "bitOr",
    "bitXor",
    "break",
    "builtins",
    "catAttrs",
    "ceil",
    "compareVersions",
    "concatLists",
    "concatMap",
    "concatStringsSep",
    "convertHash",
    "currentSystem",
    "currentTime",
    "deepSeq",
    "derivation",
    "derivationStrict",
    "dirOf",
    "div",
    "elem",
    "elemAt",
    "false",
    "fetchClosure",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fetchurl",
    "filter",
    "filterSource",
    "findFile",
    "flakeRefToString",
    "floor",
    "foldl'",
    "fromJSON",
    "fromTOML",
    "functionArgs",
    "genList",
    "genericClosure",
    "getAttr",
    "getContext",
    "getEnv",
    "getFlake",
    "groupBy",
    "hasAttr",
    "hasContext",
    "hashFile",
    "hashString",
    "head",
    "import",
    "intersectAttrs",
    "isAttrs",
    "isBool",
    "isFloat",
    "isFunction",
    "isInt",
    "isList",
    "isNull",
    "isPath",
    "isString",
    "langVersion",
    "length",
    "lessThan",
    "listToAttrs",
    "map",
    "mapAttrs",
    "match",
    "mul",
    "nixPath",
    "nixVersion",
    "null",
    "outputOf",
    "parseDrvName",
    "parseFlakeRef",
    "partition",
    "path",
    "pathExists",
    "placeholder",
    "readDir",
    "readFile",
    "readFileType",
    "removeAttrs",
    "replaceStrings",
    "scopedImport",
    "seq",
    "sort",
    "split",
    "splitVersion",
    "storeDir",
    "storePath",
    "stringLength",
    "sub",
    "substring",
    "tail",
    "throw",
    "toFile",
    "toJSON",
    "toPath",
    "toString",
    "toXML",
    "trace",
    "traceVerbose",
    "true",
    "tryEval",
    "typeOf",
    "unsafeDiscardOutputDependency",
    "unsafeDiscardStringContext",
    "unsafeGetAttrPos",
    "warn",
    "zipAttrsWith",
];

/// Whether a name is provided by Nix's global scope: the names above, and the `__name` alias of
/// every builtin.
pub fn is_global_builtin(name: &str) -> bool {
    GLOBAL_BUILTINS.contains(&name)
        || name
            .strip_prefix("__")
            .is_some_and(|rest| BUILTIN_ATTRS.contains(&rest))
        || name == "__curPos"
}

/// An index into [`ScopeIndex::bindings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub u32);

/// Where a binding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `let x = …;` (also `let x.y = …;`).
    Let,
    /// `let inherit x;` or `let inherit (e) x;`.
    LetInherit,
    /// `rec { x = …; }`.
    Rec,
    /// `rec { inherit x; }` or `rec { inherit (e) x; }`.
    RecInherit,
    /// `x: …`.
    LambdaParam,
    /// `{ x ? d, … }: …`.
    PatternEntry,
    /// `args@{ … }: …` or `{ … }@args: …`.
    PatternBind,
}

/// A name that a piece of code defines.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
    /// The name where it is first defined.
    pub name_range: TextRange,
    /// Every place that defines it: `a.b = 1; a.c = 2;` defines `a` twice. For `let` and `rec`
    /// these are the attribute names; for parameters, the parameter.
    pub definitions: Vec<TextRange>,
    /// The node that introduces the scope: the `let`, `rec` set or lambda.
    pub scope_node: TextRange,
}

/// What an identifier refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Binding(BindingId),
    /// Not bound lexically, under this `with` (the innermost): it may come from there.
    With(TextRange),
    /// A builtin of the global scope.
    Builtin,
    /// Bound nowhere: evaluation fails with "undefined variable".
    Undefined,
}

/// One identifier in expression position (or the name of an `inherit` without a source).
#[derive(Clone, Debug)]
pub struct Reference {
    pub range: TextRange,
    pub resolution: Resolution,
}

/// What the code of one entry of a large set uses of what encloses the set, kept so that an index
/// can be built without walking the entry again (see [`ScopeIndex::build_skipping`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryUses {
    /// Each use of an enclosing binding or `with`, once per identifier.
    outer: Vec<OuterUse>,
    /// Whether a name of the entry's code may come from a `with`, the entry's own or an enclosing
    /// one.
    with_names: bool,
    /// The names of the entry's references that begin with `_`, which a parameter renamed to
    /// `_x` could capture.
    underscored: Vec<String>,
}

/// A use of a binding or `with` that encloses the set, named by where it is: the edit that
/// leaves the entry alone leaves these where they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OuterUse {
    /// A reference to the binding first defined at this name.
    Binding(TextRange),
    /// An identifier in text the parser could not read that may refer to this binding.
    Unparsed(TextRange),
    /// An identifier that may come from the `with` that starts here.
    With(TextSize),
}

/// Name resolution and liveness for one file.
#[derive(Debug, Default)]
pub struct ScopeIndex {
    bindings: Vec<Binding>,
    references: Vec<Reference>,
    /// References to each binding, as indices into `references`.
    uses: Vec<Vec<u32>>,
    /// Liveness of each binding.
    live: Vec<bool>,
    /// For each `with` (by range), how many identifiers may resolve to it.
    with_uses: HashMap<TextRange, u32>,
    /// Bindings by the range of any of their definitions.
    by_definition: HashMap<TextRange, BindingId>,
    /// For each binding, how many identifiers in text the parser could not read (inside an
    /// error node) may refer to it.
    unparsed_uses: Vec<u32>,
    /// Identifiers in text the parser could not read, by position, with what they may refer to.
    unparsed: Vec<(TextSize, Resolution)>,
    /// For each binding, how many uses the entries that were not walked hold.
    skipped_uses: Vec<u32>,
    /// The entries that were not walked, sorted, with what they use.
    skipped: Vec<(TextRange, Arc<EntryUses>)>,
}

impl ScopeIndex {
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.0 as usize]
    }

    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// The references that resolve to a binding.
    pub fn uses(&self, id: BindingId) -> impl Iterator<Item = &Reference> {
        self.uses[id.0 as usize]
            .iter()
            .map(|&index| &self.references[index as usize])
    }

    /// Whether anything refers to a binding, or may: an identifier of the same name in text the
    /// parser could not read counts, since what it is cannot be known. Uses in entries that were
    /// not walked count, though [`ScopeIndex::uses`] does not list them.
    pub fn is_used(&self, id: BindingId) -> bool {
        !self.uses[id.0 as usize].is_empty()
            || self.unparsed_uses[id.0 as usize] > 0
            || self.skipped_uses[id.0 as usize] > 0
    }

    /// Whether a reference inside `range` may come from a `with`, including those in entries that
    /// were not walked.
    pub fn has_with_names_in(&self, range: TextRange) -> bool {
        self.references_in(range)
            .any(|reference| matches!(reference.resolution, Resolution::With(_)))
            || self.skipped_in(range).any(|(_, uses)| uses.with_names)
    }

    /// Whether a reference inside `range` of `text` (the indexed text) is written `name`, which
    /// begins with `_`: of the entries that were not walked, only such names are known.
    pub fn refers_to_underscored_in(&self, text: &str, range: TextRange, name: &str) -> bool {
        debug_assert!(name.starts_with('_'));
        self.references_in(range)
            .any(|reference| text[reference.range] == *name)
            || self
                .skipped_in(range)
                .any(|(_, uses)| uses.underscored.iter().any(|used| used == name))
    }

    /// The references that start inside `range`, in order.
    fn references_in(&self, range: TextRange) -> impl Iterator<Item = &Reference> {
        let first = self
            .references
            .partition_point(|reference| reference.range.start() < range.start());
        self.references[first..]
            .iter()
            .take_while(move |reference| reference.range.start() < range.end())
    }

    /// The entries that were not walked inside `range`.
    fn skipped_in(&self, range: TextRange) -> impl Iterator<Item = &(TextRange, Arc<EntryUses>)> {
        let first = self
            .skipped
            .partition_point(|(entry, _)| entry.start() < range.start());
        self.skipped[first..]
            .iter()
            .take_while(move |(entry, _)| range.contains_range(*entry))
    }

    /// What the code of `entry`, a node this index walked whose enclosing scopes end outside it,
    /// uses of what encloses it; `text` is the indexed text.
    pub fn entry_uses(&self, text: &str, entry: TextRange) -> EntryUses {
        let outer_binding = |id: BindingId| {
            let binding = &self.bindings[id.0 as usize];
            (!entry.contains_range(binding.scope_node)).then_some(binding.name_range)
        };
        let outer_with = |with: TextRange| (!entry.contains_range(with)).then_some(with.start());
        let mut uses = EntryUses::default();
        for reference in self.references_in(entry) {
            let name = &text[reference.range];
            if name.starts_with('_') && !uses.underscored.iter().any(|used| used == name) {
                uses.underscored.push(name.to_owned());
            }
            match reference.resolution {
                Resolution::Binding(id) => {
                    uses.outer.extend(outer_binding(id).map(OuterUse::Binding))
                }
                Resolution::With(with) => {
                    uses.with_names = true;
                    uses.outer.extend(outer_with(with).map(OuterUse::With));
                }
                Resolution::Builtin | Resolution::Undefined => {}
            }
        }
        let first = self.unparsed.partition_point(|(at, _)| *at < entry.start());
        for (_, resolution) in self.unparsed[first..]
            .iter()
            .take_while(|(at, _)| *at < entry.end())
        {
            match *resolution {
                Resolution::Binding(id) => {
                    uses.outer.extend(outer_binding(id).map(OuterUse::Unparsed))
                }
                Resolution::With(with) => uses.outer.extend(outer_with(with).map(OuterUse::With)),
                Resolution::Builtin | Resolution::Undefined => {}
            }
        }
        uses
    }

    /// Whether a binding is used by code that is itself live. Only `let` bindings can be dead
    /// while used: by other dead bindings of a `let`.
    pub fn is_live(&self, id: BindingId) -> bool {
        self.live[id.0 as usize]
    }

    /// The binding defined at a name (a `let` attribute, a parameter, an inherited name).
    pub fn binding_defined_at(&self, range: TextRange) -> Option<BindingId> {
        self.by_definition.get(&range).copied()
    }

    /// What the identifier at `range` refers to, if it is a reference.
    pub fn resolve(&self, range: TextRange) -> Option<Resolution> {
        let index = self
            .references
            .binary_search_by_key(&range.start(), |reference| reference.range.start())
            .ok()?;
        Some(self.references[index].resolution)
    }

    /// How many identifiers may come from the `with` at `range`.
    pub fn with_use_count(&self, range: TextRange) -> u32 {
        self.with_uses.get(&range).copied().unwrap_or(0)
    }

    pub fn build(root: &SyntaxNode) -> ScopeIndex {
        Builder::default().build(root, Vec::new())
    }

    /// The index of the file without walking the `skipped` entries (sorted nodes of one large
    /// non-`rec` set whose enclosing scopes are as when their uses were read), whose uses of
    /// what encloses the set count as if walked. Inside those entries nothing is resolved, and
    /// [`ScopeIndex::uses`] lists none of their references.
    pub fn build_skipping(
        root: &SyntaxNode,
        skipped: Vec<(TextRange, Arc<EntryUses>)>,
    ) -> ScopeIndex {
        Builder::default().build(root, skipped)
    }
}

/// A scope on the walk's stack.
struct Scope {
    /// The depth of the node whose entry pushed this scope, which is left at that depth.
    depth: usize,
    /// That node's range.
    range: TextRange,
    kind: ScopeKind,
    names: HashMap<String, BindingId>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    /// `let` or `rec`: its own `inherit x;` names look past it.
    Recursive,
    Lambda,
    /// Active only inside the `with`'s body.
    With {
        body: TextRange,
    },
}

/// Who owns a reference for liveness: the `let` bindings whose value holds it.
#[derive(Default)]
struct Builder<'a> {
    index: ScopeIndex,
    /// The nodes entered and not yet left, the root first.
    ancestors: Vec<GreenNodeAt<'a>>,
    scopes: Vec<Scope>,
    /// Owners of the code being walked, by the depth of the node that owns it: bindings of a `let`
    /// whose definition encloses it.
    owners: Vec<(usize, Vec<BindingId>)>,
    /// Liveness edges: owner binding -> used binding; `None` owner is live code.
    edges: Vec<(Option<Vec<BindingId>>, BindingId)>,
}

impl<'a> Builder<'a> {
    /// Walks the green tree: nothing of the walk outlives it but ranges and names, so no node of
    /// the syntax tree is built.
    fn build(
        mut self,
        root: &'a SyntaxNode,
        skipped: Vec<(TextRange, Arc<EntryUses>)>,
    ) -> ScopeIndex {
        let mut walk = Preorder::new(GreenNodeAt::of(root.green(), root.text_range().start()));
        while let Some(event) = walk.next() {
            match event {
                GreenEvent::Enter(node) => {
                    self.ancestors.push(node);
                    let range = node.range;
                    let is_skipped = !skipped.is_empty()
                        && skipped
                            .binary_search_by_key(&range.start(), |(entry, _)| entry.start())
                            .is_ok_and(|index| skipped[index].0 == range);
                    if is_skipped {
                        // Its `Leave` pops nothing: the entry pushed nothing.
                        walk.skip_subtree();
                    } else {
                        self.enter(node);
                    }
                }
                GreenEvent::Leave(_) => self.leave(),
            }
        }
        self.index
            .references
            .sort_by_key(|reference| reference.range.start());
        let mut uses = vec![Vec::new(); self.index.bindings.len()];
        for (position, reference) in self.index.references.iter().enumerate() {
            if let Resolution::Binding(id) = reference.resolution {
                uses[id.0 as usize].push(position as u32);
            }
        }
        self.index.uses = uses;
        self.index
            .unparsed_uses
            .resize(self.index.bindings.len(), 0);
        self.index.skipped_uses.resize(self.index.bindings.len(), 0);
        self.index.unparsed.sort_by_key(|(at, _)| *at);
        self.add_skipped_uses(&skipped);
        self.index.skipped = skipped;
        self.index.live = self.liveness();
        self.index
    }

    /// The depth of the node being entered or left: the root's is 1.
    fn depth(&self) -> usize {
        self.ancestors.len()
    }

    /// The ancestor `up` levels above the node being entered.
    fn ancestor(&self, up: usize) -> Option<GreenNodeAt<'a>> {
        let depth = self.depth();
        (up < depth).then(|| self.ancestors[depth - 1 - up])
    }

    /// Counts the uses of the entries that were not walked, as uses by live code: the entries of
    /// a set that a function, `let` body or `with` returns.
    fn add_skipped_uses(&mut self, skipped: &[(TextRange, Arc<EntryUses>)]) {
        if skipped.is_empty() {
            return;
        }
        let withs: HashMap<TextSize, TextRange> = self
            .index
            .with_uses
            .keys()
            .map(|with| (with.start(), *with))
            .collect();
        for (_, uses) in skipped {
            for used in &uses.outer {
                match *used {
                    OuterUse::Binding(name) | OuterUse::Unparsed(name) => {
                        let Some(id) = self.index.binding_defined_at(name) else {
                            continue;
                        };
                        if matches!(used, OuterUse::Binding(_)) {
                            self.index.skipped_uses[id.0 as usize] += 1;
                        } else {
                            self.index.unparsed_uses[id.0 as usize] += 1;
                        }
                        self.edges.push((None, id));
                    }
                    OuterUse::With(start) => {
                        if let Some(with) = withs.get(&start) {
                            *self.index.with_uses.entry(*with).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
    }

    /// Live bindings: those reached from live code through uses, to a fixpoint.
    fn liveness(&self) -> Vec<bool> {
        let count = self.index.bindings.len();
        let mut live = vec![false; count];
        // Bindings other than `let` ones are live by nature: parameters and `rec` attributes are
        // part of a function's or set's interface.
        for (position, binding) in self.index.bindings.iter().enumerate() {
            if !matches!(binding.kind, BindingKind::Let | BindingKind::LetInherit) {
                live[position] = true;
            }
        }
        let mut used_by: Vec<Vec<BindingId>> = vec![Vec::new(); count];
        let mut queue: Vec<BindingId> = Vec::new();
        for (owners, used) in &self.edges {
            match owners {
                None => queue.push(*used),
                Some(owners) => {
                    for owner in owners {
                        used_by[owner.0 as usize].push(*used);
                    }
                }
            }
        }
        // Parameters and `rec` attributes start live, and so do what they use.
        for (position, alive) in live.iter().enumerate() {
            if *alive {
                queue.extend(used_by[position].iter().copied());
            }
        }
        while let Some(id) = queue.pop() {
            if !live[id.0 as usize] {
                live[id.0 as usize] = true;
                queue.extend(used_by[id.0 as usize].iter().copied());
            }
        }
        live
    }

    fn add_binding(
        &mut self,
        name: String,
        kind: BindingKind,
        name_range: TextRange,
        scope_node: TextRange,
    ) -> BindingId {
        let id = BindingId(self.index.bindings.len() as u32);
        self.index.bindings.push(Binding {
            name,
            kind,
            name_range,
            definitions: vec![name_range],
            scope_node,
        });
        self.index.by_definition.insert(name_range, id);
        id
    }

    /// Collects the names a `let` or `rec` set defines: its bindings and `inherit`s.
    fn recursive_scope(&mut self, node: GreenNodeAt<'a>, is_let: bool) {
        let mut names: HashMap<String, BindingId> = HashMap::default();
        let (attr_kind, inherit_kind) = if is_let {
            (BindingKind::Let, BindingKind::LetInherit)
        } else {
            (BindingKind::Rec, BindingKind::RecInherit)
        };
        for entry in node.child_nodes() {
            match entry.kind {
                SyntaxKind::NODE_ATTRPATH_VALUE => {
                    let Some(first) = first_attr(entry) else {
                        continue;
                    };
                    let Some(name) = green_attr_name(first) else {
                        continue;
                    };
                    let range = first.range;
                    match names.get(&name) {
                        Some(&id) => {
                            self.index.bindings[id.0 as usize].definitions.push(range);
                            self.index.by_definition.insert(range, id);
                        }
                        None => {
                            let id = self.add_binding(name.clone(), attr_kind, range, node.range);
                            names.insert(name, id);
                        }
                    }
                }
                SyntaxKind::NODE_INHERIT => {
                    for attr in entry.attrs() {
                        let Some(name) = green_attr_name(attr) else {
                            continue;
                        };
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            names.entry(name.clone())
                        {
                            let id = self.add_binding(name, inherit_kind, attr.range, node.range);
                            slot.insert(id);
                        }
                    }
                }
                _ => {}
            }
        }
        self.push_scope(node, ScopeKind::Recursive, names);
    }

    fn push_scope(
        &mut self,
        node: GreenNodeAt<'a>,
        kind: ScopeKind,
        names: HashMap<String, BindingId>,
    ) {
        self.scopes.push(Scope {
            depth: self.depth(),
            range: node.range,
            kind,
            names,
        });
    }

    /// A parameter, pattern entry or `@` bind named by the identifier `ident`.
    fn add_parameter(
        &mut self,
        ident: GreenNodeAt<'a>,
        kind: BindingKind,
        lambda: TextRange,
        names: &mut HashMap<String, BindingId>,
    ) {
        let Some(token) = ident.first_token() else {
            return;
        };
        let id = self.add_binding(token.text().to_owned(), kind, ident.range, lambda);
        // The bind does not shadow an entry of the same name.
        if kind == BindingKind::PatternBind {
            names.entry(token.text().to_owned()).or_insert(id);
        } else {
            names.insert(token.text().to_owned(), id);
        }
    }

    fn lambda_scope(&mut self, node: GreenNodeAt<'a>) {
        let mut names = HashMap::default();
        let param = node.child_nodes().find(|child| {
            matches!(
                child.kind,
                SyntaxKind::NODE_IDENT_PARAM | SyntaxKind::NODE_PATTERN
            )
        });
        match param {
            Some(param) if param.kind == SyntaxKind::NODE_IDENT_PARAM => {
                if let Some(ident) = param.child_of_kind(SyntaxKind::NODE_IDENT) {
                    self.add_parameter(ident, BindingKind::LambdaParam, node.range, &mut names);
                }
            }
            Some(pattern) => {
                for entry in pattern.child_nodes() {
                    if entry.kind != SyntaxKind::NODE_PAT_ENTRY {
                        continue;
                    }
                    if let Some(ident) = entry.child_of_kind(SyntaxKind::NODE_IDENT) {
                        self.add_parameter(
                            ident,
                            BindingKind::PatternEntry,
                            node.range,
                            &mut names,
                        );
                    }
                }
                if let Some(ident) = pattern
                    .child_of_kind(SyntaxKind::NODE_PAT_BIND)
                    .and_then(|bind| bind.child_of_kind(SyntaxKind::NODE_IDENT))
                {
                    self.add_parameter(ident, BindingKind::PatternBind, node.range, &mut names);
                }
            }
            None => {}
        }
        self.push_scope(node, ScopeKind::Lambda, names);
    }

    fn enter(&mut self, node: GreenNodeAt<'a>) {
        match node.kind {
            SyntaxKind::NODE_LET_IN => self.recursive_scope(node, true),
            SyntaxKind::NODE_LEGACY_LET => self.recursive_scope(node, false),
            SyntaxKind::NODE_ATTR_SET => {
                let is_rec = node
                    .first_token()
                    .is_some_and(|token| green::token_kind(token) == SyntaxKind::TOKEN_REC);
                if is_rec {
                    self.recursive_scope(node, false);
                }
            }
            SyntaxKind::NODE_LAMBDA => self.lambda_scope(node),
            SyntaxKind::NODE_WITH => {
                // The body is the second expression: the first is the namespace.
                let body = node
                    .child_nodes()
                    .filter(|child| ast::Expr::can_cast(child.kind))
                    .nth(1);
                if let Some(body) = body {
                    self.index.with_uses.insert(node.range, 0);
                    self.push_scope(
                        node,
                        ScopeKind::With { body: body.range },
                        HashMap::default(),
                    );
                }
            }
            SyntaxKind::NODE_ATTRPATH_VALUE => self.enter_let_definition(node),
            SyntaxKind::NODE_INHERIT_FROM => self.enter_inherit_from(),
            SyntaxKind::NODE_IDENT => self.reference(node),
            SyntaxKind::NODE_ERROR => self.unparsed_identifiers(node),
            _ => {}
        }
    }

    fn leave(&mut self) {
        let depth = self.depth();
        if self.scopes.last().is_some_and(|scope| scope.depth == depth) {
            self.scopes.pop();
        }
        if self.owners.last().is_some_and(|(owner, _)| *owner == depth) {
            self.owners.pop();
        }
        self.ancestors.pop();
    }

    /// Code inside `let x = …;` belongs to `x` for liveness.
    fn enter_let_definition(&mut self, node: GreenNodeAt<'a>) {
        if self.ancestor(1).map(|parent| parent.kind) != Some(SyntaxKind::NODE_LET_IN) {
            return;
        }
        let Some(first) = first_attr(node) else {
            return;
        };
        if let Some(id) = self.index.binding_defined_at(first.range) {
            self.owners.push((self.depth(), vec![id]));
        }
    }

    /// The source of `let inherit (e) a b;` belongs to `a` and `b`: it is live if either is.
    fn enter_inherit_from(&mut self) {
        let (Some(inherit), Some(holder)) = (self.ancestor(1), self.ancestor(2)) else {
            return;
        };
        if inherit.kind != SyntaxKind::NODE_INHERIT || holder.kind != SyntaxKind::NODE_LET_IN {
            return;
        }
        let ids: Vec<BindingId> = inherit
            .attrs()
            .filter_map(|attr| self.index.binding_defined_at(attr.range))
            .collect();
        self.owners.push((self.depth(), ids));
    }

    /// Identifiers the parser left unread in an error node (text after a syntax error, or past
    /// the nesting limit) may be uses of whatever their names resolve to where the error node
    /// stands. They keep those bindings and `with`s alive, so that nothing is reported unused,
    /// and nothing removed, because its uses are in text that could not be parsed.
    fn unparsed_identifiers(&mut self, node: GreenNodeAt<'a>) {
        for (token, range) in node.child_tokens() {
            if green::token_kind(token) != SyntaxKind::TOKEN_IDENT {
                continue;
            }
            let resolution = self.resolve_name(token.text(), node.range, None);
            // Counted as live code: which binding's definition holds it cannot be known.
            self.note_use(resolution, false);
            self.index.unparsed.push((range.start(), resolution));
            if let Resolution::Binding(id) = resolution {
                let counts = &mut self.index.unparsed_uses;
                if counts.len() <= id.0 as usize {
                    counts.resize(id.0 as usize + 1, 0);
                }
                counts[id.0 as usize] += 1;
            }
        }
    }

    /// What `name`, used at `range`, refers to in the scopes of the walk, skipping the scope
    /// pushed at depth `skip_scope`.
    fn resolve_name(&self, name: &str, range: TextRange, skip_scope: Option<usize>) -> Resolution {
        let mut resolution = None;
        let mut innermost_with = None;
        for scope in self.scopes.iter().rev() {
            if skip_scope == Some(scope.depth) {
                continue;
            }
            match scope.kind {
                ScopeKind::With { body } => {
                    if innermost_with.is_none() && body.contains_range(range) {
                        innermost_with = Some(scope.range);
                    }
                }
                ScopeKind::Recursive | ScopeKind::Lambda => {
                    if let Some(&id) = scope.names.get(name) {
                        resolution = Some(Resolution::Binding(id));
                        break;
                    }
                }
            }
        }
        // The global scope is the outermost lexical scope, so its names win over any `with`:
        // `with { true = false; }; true` is `true`.
        match (resolution, innermost_with) {
            (Some(found), _) => found,
            (None, _) if is_global_builtin(name) => Resolution::Builtin,
            (None, Some(with)) => Resolution::With(with),
            (None, None) => Resolution::Undefined,
        }
    }

    /// Counts a use for liveness, as a use by the bindings whose definitions enclose it or, when
    /// `owned` is false, by live code; and for its `with`.
    fn note_use(&mut self, resolution: Resolution, owned: bool) {
        match resolution {
            Resolution::With(with) => *self.index.with_uses.entry(with).or_insert(0) += 1,
            Resolution::Binding(id) => {
                let owners = owned
                    .then(|| self.owners.last().map(|(_, owners)| owners.clone()))
                    .flatten();
                self.edges.push((owners, id));
            }
            Resolution::Builtin | Resolution::Undefined => {}
        }
    }

    fn reference(&mut self, node: GreenNodeAt<'a>) {
        let Some(parent) = self.ancestor(1) else {
            return;
        };
        // `inherit x;` refers to `x` in the scope around the `let` or `rec` set that holds it.
        let mut skip_scope = None;
        match parent.kind {
            SyntaxKind::NODE_ATTRPATH
            | SyntaxKind::NODE_IDENT_PARAM
            | SyntaxKind::NODE_PAT_BIND => return,
            SyntaxKind::NODE_PAT_ENTRY
                if parent
                    .child_nodes()
                    .next()
                    .is_some_and(|first| first.range == node.range) =>
            {
                return
            }
            SyntaxKind::NODE_INHERIT => {
                // `inherit (e) x;` names an attribute of `e`, not a variable.
                let from = parent
                    .child_nodes()
                    .find(|child| child.kind != SyntaxKind::NODE_ERROR);
                if from.is_some_and(|from| from.kind == SyntaxKind::NODE_INHERIT_FROM) {
                    return;
                }
                let holder = self.depth() - 2;
                if self.scopes.last().is_some_and(|scope| {
                    scope.depth == holder && scope.kind == ScopeKind::Recursive
                }) {
                    skip_scope = Some(holder);
                }
            }
            _ => {}
        }
        let Some(token) = node.first_token() else {
            return;
        };
        let range = node.range;
        let resolution = self.resolve_name(token.text(), range, skip_scope);
        self.note_use(resolution, true);
        self.index.references.push(Reference { range, resolution });
    }
}

/// The first attribute of a binding's path: `a` of `a.b = 1;`.
fn first_attr(binding: GreenNodeAt<'_>) -> Option<GreenNodeAt<'_>> {
    binding
        .child_of_kind(SyntaxKind::NODE_ATTRPATH)?
        .attrs()
        .next()
}

/// [`attr_name`] of an attribute of the green tree: an identifier's text, or what the typed AST
/// reads from a string.
fn green_attr_name(attr: GreenNodeAt<'_>) -> Option<String> {
    if attr.kind == SyntaxKind::NODE_IDENT {
        return attr.first_token().map(|token| token.text().to_owned());
    }
    attr_name(&ast::Attr::cast(attr.detached())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders every reference as `name@offset -> target`, and every dead binding.
    fn describe(text: &str) -> String {
        let root = syntax::parse(text).root();
        let index = ScopeIndex::build(&root);
        let mut out = Vec::new();
        for reference in index.references() {
            let name = &text[reference.range];
            let target = match reference.resolution {
                Resolution::Binding(id) => {
                    let binding = index.binding(id);
                    format!("{}@{}", binding.name, u32::from(binding.name_range.start()))
                }
                Resolution::With(range) => format!("with@{}", u32::from(range.start())),
                Resolution::Builtin => "builtin".to_owned(),
                Resolution::Undefined => "undefined".to_owned(),
            };
            out.push(format!(
                "{name}@{} -> {target}",
                u32::from(reference.range.start())
            ));
        }
        for (position, binding) in index.bindings().iter().enumerate() {
            if !index.is_live(BindingId(position as u32)) {
                out.push(format!("dead {}", binding.name));
            }
        }
        out.join("\n")
    }

    #[test]
    fn let_bindings_see_each_other_and_the_body() {
        assert_eq!(
            describe("let a = b; b = 1; in a"),
            "b@8 -> b@11\na@21 -> a@4"
        );
    }

    #[test]
    fn shadowing_picks_the_innermost() {
        assert_eq!(describe("let a = 1; in x: a: a"), "a@20 -> a@17\ndead a");
    }

    #[test]
    fn inherit_in_let_refers_past_the_let() {
        // `let a = 1; in let inherit a; in a`: the inner `inherit a` names the outer `a`.
        assert_eq!(
            describe("let a = 1; in let inherit a; in a"),
            "a@26 -> a@4\na@32 -> a@26"
        );
        assert_eq!(describe("rec { inherit a; }"), "a@14 -> undefined");
    }

    #[test]
    fn inherit_from_source_sees_the_let() {
        assert_eq!(
            describe("let s = { }; inherit (s) x; in x"),
            "s@22 -> s@4\nx@31 -> x@25"
        );
    }

    #[test]
    fn lexical_bindings_beat_with() {
        assert_eq!(
            describe("a: with a; [ a b ]"),
            "a@8 -> a@0\na@13 -> a@0\nb@15 -> with@3"
        );
    }

    /// Nix resolves the global scope lexically, before any `with`.
    #[test]
    fn builtins_win_over_with() {
        assert_eq!(
            describe("with { true = false; }; [ true map x __add __nope ]"),
            "false@14 -> builtin\ntrue@26 -> builtin\nmap@31 -> builtin\nx@35 -> with@0\n__add@37 -> builtin\n__nope@43 -> with@0"
        );
    }

    #[test]
    fn with_namespace_is_outside_the_with() {
        assert_eq!(
            describe("with x; with y; z"),
            "x@5 -> undefined\ny@13 -> with@0\nz@16 -> with@8"
        );
    }

    #[test]
    fn pattern_defaults_see_other_entries_and_the_bind() {
        assert_eq!(
            describe("args@{ a ? b, b ? args.c, ... }: a"),
            "b@11 -> b@14\nargs@18 -> args@0\na@33 -> a@7"
        );
    }

    #[test]
    fn builtins_and_undefined_names() {
        assert_eq!(
            describe("[ true map __currentSystem nope ]"),
            "true@2 -> builtin\nmap@7 -> builtin\n__currentSystem@11 -> builtin\nnope@27 -> undefined"
        );
    }

    #[test]
    fn attribute_names_and_select_paths_are_not_references() {
        assert_eq!(describe("{ a = 1; b.c = x.d; } ? e"), "x@15 -> undefined");
    }

    #[test]
    fn dynamic_keys_and_interpolations_are_uses() {
        assert_eq!(
            describe("let k = \"a\"; v = 1; in { ${k} = \"${toString v}\"; }"),
            "k@27 -> k@4\ntoString@35 -> builtin\nv@44 -> v@13"
        );
    }

    #[test]
    fn a_binding_used_only_by_a_dead_binding_is_dead() {
        assert_eq!(
            describe("let a = 1; b = a; c = b; in 2"),
            "a@15 -> a@4\nb@22 -> b@11\ndead a\ndead b\ndead c"
        );
        // A cycle that nothing live uses is dead as a whole.
        assert_eq!(
            describe("let a = b; b = a; in 1"),
            "b@8 -> b@11\na@15 -> a@4\ndead a\ndead b"
        );
    }

    #[test]
    fn inherit_from_keeps_its_source_alive_only_if_a_name_is_used() {
        assert_eq!(
            describe("let s = { }; inherit (s) x; in 1"),
            "s@22 -> s@4\ndead s\ndead x"
        );
    }

    #[test]
    fn rec_attributes_are_always_live() {
        assert_eq!(
            describe("let a = 1; in rec { b = a; c = 2; }"),
            "a@24 -> a@4"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let references = std::thread::Builder::new()
            .stack_size(syntax::WORKER_STACK_SIZE)
            .spawn(|| {
                let text = "x: ".to_owned() + &"x + ".repeat(100_000) + "x";
                let root = syntax::parse(&text).root();
                ScopeIndex::build(&root).references().len()
            })
            .expect("spawn a worker")
            .join()
            .expect("no stack overflow");
        assert_eq!(references, 100_001);
    }
}
