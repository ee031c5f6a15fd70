use rustc_hash::FxHashMap as HashMap;
use std::any::{Any, TypeId};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use syntax::{SyntaxKind, SyntaxNode, TextRange};

use crate::config::Config;
use crate::diagnostic::{Fix, Related, Severity, Tag};
use crate::fetchers::{self, Call};
use crate::module_context::{self, Key};
use crate::scope::{EntryUses, ScopeIndex};

/// What a lint is about, for grouping in docs and output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Syntax,
    Style,
    Correctness,
    Reproducibility,
    Flake,
    Security,
    Performance,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Style => "style",
            Category::Correctness => "correctness",
            Category::Reproducibility => "reproducibility",
            Category::Flake => "flake",
            Category::Security => "security",
            Category::Performance => "performance",
        }
    }
}

/// Which fixes a lint can offer, for docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixability {
    None,
    Safe,
    Unsafe,
    /// Safe in some cases and unsafe in others; the docs say which.
    SafeOrUnsafe,
}

impl Fixability {
    pub fn as_str(self) -> &'static str {
        match self {
            Fixability::None => "none",
            Fixability::Safe => "safe",
            Fixability::Unsafe => "unsafe",
            Fixability::SafeOrUnsafe => "safe or unsafe",
        }
    }
}

/// A lint: its identity, its documentation and the function that checks one node.
pub struct Lint {
    /// A stable code such as `NIX001`; accepted as an alias of the name.
    pub code: &'static str,
    /// The kebab-case name: the lint's identity in configuration and suppression comments.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// Lints off by default run only when configured with a level.
    pub default_enabled: bool,
    pub fixability: Fixability,
    pub tags: &'static [Tag],
    /// The node kinds the engine dispatches to `check`.
    pub kinds: &'static [SyntaxKind],
    /// How far from the node it visits `check` may read, which decides whether its findings
    /// outlive an edit elsewhere in the file.
    pub reach: Reach,
    /// Markdown with the headings `## What it does`, `## Why is this bad?` and `## Example`.
    pub docs: &'static str,
    /// Options users can set under `[lints.<name>]`, with their defaults.
    pub options: &'static [LintOption],
    pub check: fn(&LintCtx<'_>, &SyntaxNode, &mut Findings),
}

/// How far from the visited node a lint's `check` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Anywhere in the file: the lint runs over the whole file on every check.
    File,
    /// When the file's body is a large non-`rec` attribute set (all-packages.nix), a visit of a
    /// node inside one entry of that set reads only that entry and what lies outside every entry:
    /// the set's braces and what encloses the set. Never another entry: not its siblings, not the
    /// uses of an enclosing binding elsewhere, not the whole text. Since no entry of a non-`rec`
    /// set binds a name the others see, names inside an entry resolve the same whatever the other
    /// entries hold, so after an edit inside one entry the findings inside every other entry stay
    /// as they were (see `incremental.rs`). flake.nix is always checked whole, so a lint that
    /// reads further only in flake.nix is of this reach too.
    Entry,
    /// Like [`Reach::Entry`], except that a visit of an entry of the body set itself (not of a
    /// node inside one) may read the set's other entries: those visits run again after every
    /// edit. For lints that visit entries (`NODE_ATTRPATH_VALUE`, `NODE_INHERIT`) alone, so that
    /// a finding made at the start of an entry of the set is one of those visits.
    Set,
    /// Like [`Reach::Entry`], except that a visit may also read the other entries whose text holds
    /// one of these words. After an edit whose old or new text holds one of them, or a `\` or
    /// `''` that may spell one in a string, the lint runs over the whole file again.
    EntryAndEntriesHolding(&'static [&'static str]),
}

impl Reach {
    /// Whether findings of the lint inside an entry may outlive an edit of another entry.
    pub fn keeps_findings(self) -> bool {
        self != Reach::File
    }
}

/// An option of a lint, set in configuration as `[lints.<name>] <option> = <value>`.
#[derive(Debug)]
pub struct LintOption {
    pub name: &'static str,
    pub default: OptionDefault,
    /// One sentence for docs.
    pub doc: &'static str,
}

/// The default of a lint option, which also fixes its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionDefault {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl OptionDefault {
    pub fn type_name(self) -> &'static str {
        match self {
            OptionDefault::Bool(_) => "a boolean",
            OptionDefault::Int(_) => "an integer",
            OptionDefault::Str(_) => "a string",
        }
    }

    pub fn to_toml(self) -> String {
        match self {
            OptionDefault::Bool(value) => value.to_string(),
            OptionDefault::Int(value) => value.to_string(),
            OptionDefault::Str(value) => format!("{value:?}"),
        }
    }
}

/// The value of a lint option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl From<OptionDefault> for OptionValue {
    fn from(default: OptionDefault) -> OptionValue {
        match default {
            OptionDefault::Bool(value) => OptionValue::Bool(value),
            OptionDefault::Int(value) => OptionValue::Int(value),
            OptionDefault::Str(value) => OptionValue::Str(value.to_owned()),
        }
    }
}

impl OptionValue {
    /// Reads a configured value of the same type as `default`.
    pub(crate) fn from_toml(value: &toml::Value, default: OptionDefault) -> Option<OptionValue> {
        match (default, value) {
            (OptionDefault::Bool(_), toml::Value::Boolean(value)) => {
                Some(OptionValue::Bool(*value))
            }
            (OptionDefault::Int(_), toml::Value::Integer(value)) => Some(OptionValue::Int(*value)),
            (OptionDefault::Str(_), toml::Value::String(value)) => {
                Some(OptionValue::Str(value.clone()))
            }
            _ => None,
        }
    }
}

impl Lint {
    /// The documentation without the leading space that `///` comments leave on every line.
    pub fn docs_text(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The first sentence of `## What it does`, for one-line summaries.
    pub fn summary(&self) -> String {
        let docs = self.docs_text();
        let body = docs.split("## What it does").nth(1).unwrap_or(&docs);
        let paragraph: Vec<&str> = body
            .trim_start()
            .lines()
            .take_while(|line| !line.trim().is_empty())
            .collect();
        paragraph.join(" ")
    }
}

impl std::fmt::Debug for Lint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.code)
    }
}

/// A fact's type and the node it is about.
type MemoKey = (TypeId, SyntaxKind, TextRange);

/// Where the scope index the lints of one walk read comes from.
#[derive(Clone, Copy)]
pub(crate) enum ScopeSource<'a> {
    /// Built over the whole file at the first lint that asks.
    Build,
    /// Built before the walk, shared with other walks.
    Built(&'a ScopeIndex),
    /// Built at the first lint that asks without walking these entries
    /// ([`ScopeIndex::build_skipping`]).
    Skipping(&'a [(TextRange, Arc<EntryUses>)]),
}

/// What a lint knows about the file it checks.
pub struct LintCtx<'a> {
    pub text: &'a str,
    pub root: &'a SyntaxNode,
    /// The file's name (`flake.nix`, `default.nix`), when it has one.
    pub file_name: Option<&'a str>,
    config: &'a Config,
    /// The lint being run, so that it can read its own options.
    current: Cell<Option<&'static Lint>>,
    scope: OnceCell<ScopeIndex>,
    /// Where [`LintCtx::scope`] comes from.
    scope_source: ScopeSource<'a>,
    /// Facts about one node that several visits need, computed at the first (see `memo`).
    memo: RefCell<HashMap<MemoKey, Rc<dyn Any>>>,
    /// Facts about the node the engine is visiting, read by several of the lints that visit it.
    visit: RefCell<Visit<'a>>,
}

/// What the lints visiting one node share: each fact is read at the first lint that asks and
/// forgotten when the engine moves on. Nine lints read the last key of every binding, and four
/// the whole call at every apply; each reading walks rowan cursors, which allocate.
#[derive(Default)]
struct Visit<'a> {
    /// The node being visited; facts about any other node are read afresh.
    at: Option<(SyntaxKind, TextRange)>,
    last_key: Option<Option<Key<'a>>>,
    call: Option<Option<Rc<Call>>>,
}

impl<'a> LintCtx<'a> {
    pub(crate) fn new(
        text: &'a str,
        root: &'a SyntaxNode,
        file_name: Option<&'a str>,
        config: &'a Config,
    ) -> LintCtx<'a> {
        LintCtx {
            text,
            root,
            file_name,
            config,
            current: Cell::new(None),
            scope: OnceCell::new(),
            scope_source: ScopeSource::Build,
            memo: RefCell::default(),
            visit: RefCell::default(),
        }
    }

    /// Called by the engine before the lints visit `node`.
    pub(crate) fn begin_visit(&self, node: &SyntaxNode) {
        *self.visit.borrow_mut() = Visit {
            at: Some((node.kind(), node.text_range())),
            ..Visit::default()
        };
    }

    fn is_visiting(&self, node: &SyntaxNode) -> bool {
        self.visit.borrow().at == Some((node.kind(), node.text_range()))
    }

    /// The static text of the last component of a binding's attribute path
    /// ([`module_context::last_key`]), read once per visited binding.
    pub(crate) fn last_key(&self, binding: &syntax::ast::AttrpathValue) -> Option<Key<'a>> {
        use syntax::AstNode;
        self.visit_fact(
            binding.syntax(),
            |visit| &mut visit.last_key,
            || {
                module_context::last_key(binding).map(|key| match key {
                    module_context::KeyAt::Ident(range) => Key::Text(&self.text[range]),
                    module_context::KeyAt::Text(text) => Key::Owned(text.into()),
                })
            },
        )
    }

    /// The call whose outermost apply is `node` ([`fetchers::call_at`]), read once per visited
    /// apply.
    pub(crate) fn call_at(&self, node: &SyntaxNode) -> Option<Rc<Call>> {
        self.visit_fact(
            node,
            |visit| &mut visit.call,
            || fetchers::call_at(node).map(Rc::new),
        )
    }

    /// A fact about `node` kept in its `slot` of [`Visit`] when `node` is the visited node, and
    /// read afresh for any other.
    fn visit_fact<T: Clone>(
        &self,
        node: &SyntaxNode,
        slot: for<'v> fn(&'v mut Visit<'a>) -> &'v mut Option<T>,
        read: impl FnOnce() -> T,
    ) -> T {
        if !self.is_visiting(node) {
            return read();
        }
        let known = slot(&mut self.visit.borrow_mut()).clone();
        if let Some(known) = known {
            return known;
        }
        let fact = read();
        *slot(&mut self.visit.borrow_mut()) = Some(fact.clone());
        fact
    }

    /// A fact about `node` computed once per file and type `T`: lints that visit each entry of a
    /// set and need to know about all its entries ask here, so a set is read once, not once per
    /// entry, which was quadratic in the size of the set.
    pub(crate) fn memo<T: 'static>(&self, node: &SyntaxNode, compute: impl FnOnce() -> T) -> Rc<T> {
        let key = (TypeId::of::<T>(), node.kind(), node.text_range());
        let known = self.memo.borrow().get(&key).cloned();
        if let Some(value) = known.and_then(|known| known.downcast::<T>().ok()) {
            return value;
        }
        let value = Rc::new(compute());
        self.memo.borrow_mut().insert(key, value.clone());
        value
    }

    pub(crate) fn set_current(&self, lint: &'static Lint) {
        self.current.set(Some(lint));
    }

    /// A boolean option of the running lint (its default when unset).
    pub fn bool_option(&self, name: &str) -> bool {
        matches!(self.option(name), Some(OptionValue::Bool(true)))
    }

    /// An integer option of the running lint.
    pub fn int_option(&self, name: &str) -> i64 {
        match self.option(name) {
            Some(OptionValue::Int(value)) => value,
            _ => 0,
        }
    }

    /// A string option of the running lint.
    pub fn str_option(&self, name: &str) -> String {
        match self.option(name) {
            Some(OptionValue::Str(value)) => value,
            _ => String::new(),
        }
    }

    fn option(&self, name: &str) -> Option<OptionValue> {
        self.config.option(self.current.get()?, name)
    }

    /// Name resolution and liveness for the file, built on first use and shared by all lints.
    pub fn scope(&self) -> &ScopeIndex {
        match self.scope_source {
            ScopeSource::Built(scope) => scope,
            ScopeSource::Build => self.scope.get_or_init(|| ScopeIndex::build(self.root)),
            ScopeSource::Skipping(skipped) => self
                .scope
                .get_or_init(|| ScopeIndex::build_skipping(self.root, skipped.to_vec())),
        }
    }

    /// Answers [`LintCtx::scope`] from `source`.
    pub(crate) fn with_scope(mut self, source: ScopeSource<'a>) -> LintCtx<'a> {
        self.scope_source = source;
        self
    }

    /// The index this context built, if a lint asked for one.
    pub(crate) fn into_built_scope(self) -> Option<ScopeIndex> {
        self.scope.into_inner()
    }

    /// Whether the file is a flake: named `flake.nix`.
    pub fn is_flake(&self) -> bool {
        self.file_name == Some("flake.nix")
    }

    /// The text of a node or range.
    pub fn text_of(&self, range: TextRange) -> &str {
        &self.text[range]
    }
}

/// What one lint found in one node, before configuration decides its final severity.
#[derive(Clone, Debug)]
pub struct Finding {
    pub range: TextRange,
    pub message: String,
    /// A severity for this finding only (for example an error inside a flake); `None` keeps the
    /// lint's default.
    pub severity: Option<Severity>,
    pub extra_tags: Vec<Tag>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn severity(&mut self, severity: Severity) -> &mut Finding {
        self.severity = Some(severity);
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Finding {
        self.fixes.push(fix);
        self
    }

    pub fn related(&mut self, range: TextRange, message: impl Into<String>) -> &mut Finding {
        self.related.push(Related {
            range,
            message: message.into(),
        });
        self
    }

    pub fn tag(&mut self, tag: Tag) -> &mut Finding {
        self.extra_tags.push(tag);
        self
    }
}

/// Collects the findings of one lint.
#[derive(Default, Debug)]
pub struct Findings {
    pub(crate) items: Vec<Finding>,
}

impl Findings {
    pub fn report(&mut self, range: TextRange, message: impl Into<String>) -> &mut Finding {
        self.items.push(Finding {
            range,
            message: message.into(),
            severity: None,
            extra_tags: Vec::new(),
            related: Vec::new(),
            fixes: Vec::new(),
        });
        self.items.last_mut().expect("an item was just pushed")
    }
}

/// The check of a lint that visits no nodes: syntax errors come from the parser, and the
/// flake.lock lints read the lock (see `flake::check`).
pub(crate) fn no_nodes(_: &LintCtx<'_>, _: &SyntaxNode, _: &mut Findings) {}

/// Declares a lint. The doc comment is the lint's documentation; it must have the headings
/// `## What it does`, `## Why is this bad?` and `## Example`.
macro_rules! declare_lint {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            category: $category:ident,
            severity: $severity:ident,
            $(default_enabled: $enabled:literal,)?
            fix: $fix:ident,
            tags: [$($tag:ident),* $(,)?],
            kinds: [$($kind:ident),* $(,)?],
            $(reach: $reach:ident $(($words:expr))?,)?
            $(options: [$($option:expr),* $(,)?],)?
            check: $check:path $(,)?
        };
    ) => {
        $vis static $ident: $crate::Lint = $crate::Lint {
            code: $code,
            name: $name,
            category: $crate::Category::$category,
            default_severity: $crate::Severity::$severity,
            default_enabled: declare_lint!(@enabled $($enabled)?),
            fixability: $crate::Fixability::$fix,
            tags: &[$($crate::Tag::$tag),*],
            kinds: &[$(syntax::SyntaxKind::$kind),*],
            reach: declare_lint!(@reach $($reach $(($words))?)?),
            docs: concat!($($doc, "\n"),*),
            options: &[$($($option),*)?],
            check: $check,
        };
    };
    (@reach) => { $crate::Reach::File };
    (@reach $reach:ident) => { $crate::Reach::$reach };
    (@reach $reach:ident ($words:expr)) => { $crate::Reach::$reach($words) };
    (@enabled) => { true };
    (@enabled $enabled:literal) => { $enabled };
}
pub(crate) use declare_lint;

#[cfg(test)]
mod tests {
    use syntax::ast;
    use syntax::AstNode;

    use super::LintCtx;
    use crate::config::Config;

    #[test]
    fn facts_of_the_visited_node_are_not_given_for_another() {
        let text = r#"{ a.first = fetchurl { }; "second" = fetchgit { }; }"#;
        let parse = syntax::parse(text);
        let root = parse.root();
        let config = Config::default();
        let ctx = LintCtx::new(text, &root, None, &config);
        let bindings: Vec<ast::AttrpathValue> = root
            .descendants()
            .filter_map(ast::AttrpathValue::cast)
            .collect();
        let applies: Vec<_> = root
            .descendants()
            .filter(|node| node.kind() == syntax::SyntaxKind::NODE_APPLY)
            .collect();
        let key = |binding| ctx.last_key(binding).map(|key| key.as_str().to_owned());
        let call = |apply| {
            ctx.call_at(apply)
                .and_then(|call| call.name().map(str::to_owned))
        };

        ctx.begin_visit(bindings[0].syntax());
        assert_eq!(key(&bindings[0]).as_deref(), Some("first"));
        assert_eq!(key(&bindings[0]).as_deref(), Some("first"));
        assert_eq!(key(&bindings[1]).as_deref(), Some("second"));
        ctx.begin_visit(bindings[1].syntax());
        assert_eq!(key(&bindings[1]).as_deref(), Some("second"));

        ctx.begin_visit(&applies[0]);
        assert_eq!(call(&applies[0]).as_deref(), Some("fetchurl"));
        assert_eq!(call(&applies[1]).as_deref(), Some("fetchgit"));
        assert_eq!(call(&applies[0]).as_deref(), Some("fetchurl"));
        ctx.begin_visit(&applies[1]);
        assert_eq!(call(&applies[1]).as_deref(), Some("fetchgit"));
    }
}
