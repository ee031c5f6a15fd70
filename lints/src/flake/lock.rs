//! The model of a flake.lock file: nodes, their inputs and sources, with the byte range of
//! everything a diagnostic may point at. Reading never fails; what is wrong with the file is
//! kept as [`LockProblem`]s.

use std::collections::HashSet;

use syntax::TextRange;

use super::json::{self, Json, JsonValue};
use crate::Severity;

/// The lock versions Nix reads.
pub const SUPPORTED_VERSIONS: std::ops::RangeInclusive<i64> = 5..=7;

/// A parsed flake.lock.
#[derive(Clone, Debug, Default)]
pub struct Lock {
    pub version: Option<i64>,
    pub version_range: Option<TextRange>,
    /// The key of the root node (`"root"` in every lock Nix writes).
    pub root: Option<String>,
    pub nodes: Vec<LockNode>,
    /// What is wrong with the file itself.
    pub problems: Vec<LockProblem>,
    /// The range of the whole document, for problems about it as a whole.
    pub range: TextRange,
}

#[derive(Clone, Debug)]
pub struct LockNode {
    pub key: String,
    pub key_range: TextRange,
    pub range: TextRange,
    pub inputs: Vec<NodeInput>,
    pub locked: Option<Source>,
    pub original: Option<Source>,
    /// `"flake": false` marks a non-flake input.
    pub is_flake: bool,
}

/// One entry of a node's `inputs`.
#[derive(Clone, Debug)]
pub struct NodeInput {
    pub name: String,
    pub name_range: TextRange,
    pub value_range: TextRange,
    pub target: InputTarget,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputTarget {
    /// The key of another node.
    Node(String),
    /// A `follows` path of input names, resolved from the root node.
    Follows(Vec<String>),
}

/// A `locked` or `original` attribute set: string, number and boolean attributes.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub range: TextRange,
    pub attrs: Vec<(String, SourceValue, TextRange)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Source {
    pub fn get(&self, name: &str) -> Option<&SourceValue> {
        self.attrs
            .iter()
            .find(|(key, _, _)| key == name)
            .map(|(_, value, _)| value)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            SourceValue::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            SourceValue::Int(value) => Some(*value),
            _ => None,
        }
    }

    pub fn range_of(&self, name: &str) -> Option<TextRange> {
        self.attrs
            .iter()
            .find(|(key, _, _)| key == name)
            .map(|(_, _, range)| *range)
    }

    pub fn kind(&self) -> Option<&str> {
        self.str("type")
    }
}

/// Something wrong with the lock file itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockProblem {
    pub range: TextRange,
    pub message: String,
    pub severity: Severity,
}

/// Why an input could not be followed to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// A node key or input name that does not exist.
    Dangling(String),
    /// A `follows` chain that comes back to where it started.
    Cycle(Vec<String>),
}

impl Lock {
    /// Reads a flake.lock text. Never fails.
    pub fn parse(text: &str) -> Lock {
        let whole = TextRange::up_to(syntax::TextSize::of(text));
        let json = match json::parse(text) {
            Ok(json) => json,
            Err(error) => {
                return Lock {
                    problems: vec![LockProblem {
                        range: error.range,
                        message: format!("flake.lock is not valid JSON: {}", error.message),
                        severity: Severity::Error,
                    }],
                    range: whole,
                    ..Lock::default()
                };
            }
        };
        let mut lock = Lock {
            range: whole,
            ..Lock::default()
        };
        if json.as_object().is_none() {
            lock.problem(
                json.range,
                format!("expected an object, found {}", json.kind_name()),
            );
            return lock;
        }
        match json.member("version") {
            None => lock.problem(json.range, "flake.lock has no `version`".to_owned()),
            Some(member) => match member.value.as_i64() {
                Some(version) => {
                    lock.version = Some(version);
                    lock.version_range = Some(member.value.range);
                }
                None => lock.problem(
                    member.value.range,
                    "`version` must be an integer".to_owned(),
                ),
            },
        }
        match json.member("root") {
            None => lock.problem(json.range, "flake.lock has no `root`".to_owned()),
            Some(member) => match member.value.as_str() {
                Some(root) => lock.root = Some(root.to_owned()),
                None => lock.problem(member.value.range, "`root` must be a string".to_owned()),
            },
        }
        match json.member("nodes") {
            None => lock.problem(json.range, "flake.lock has no `nodes`".to_owned()),
            Some(member) => match member.value.as_object() {
                Some(nodes) => {
                    for node in nodes {
                        lock.read_node(node);
                    }
                }
                None => lock.problem(member.value.range, "`nodes` must be an object".to_owned()),
            },
        }
        if let (Some(root), Some(member)) = (&lock.root, json.member("root")) {
            if lock.node(root).is_none() && json.member("nodes").is_some() {
                let range = member.value.range;
                lock.problem(range, format!("the root node `{root}` is not in `nodes`"));
            }
        }
        lock.check_references();
        lock
    }

    fn problem(&mut self, range: TextRange, message: String) {
        self.problems.push(LockProblem {
            range,
            message,
            severity: Severity::Error,
        });
    }

    fn read_node(&mut self, member: &json::Member) {
        let Some(_) = member.value.as_object() else {
            self.problem(
                member.value.range,
                format!("node `{}` must be an object", member.key),
            );
            return;
        };
        let mut node = LockNode {
            key: member.key.clone(),
            key_range: member.key_range,
            range: member.value.range,
            inputs: Vec::new(),
            locked: None,
            original: None,
            is_flake: member
                .value
                .get("flake")
                .and_then(Json::as_bool)
                .unwrap_or(true),
        };
        if let Some(inputs) = member.value.get("inputs") {
            match inputs.as_object() {
                Some(entries) => {
                    for entry in entries {
                        let target = match &entry.value.value {
                            JsonValue::String(key) => Some(InputTarget::Node(key.clone())),
                            JsonValue::Array(path) => path
                                .iter()
                                .map(|step| step.as_str().map(str::to_owned))
                                .collect::<Option<Vec<String>>>()
                                .map(InputTarget::Follows),
                            _ => None,
                        };
                        match target {
                            Some(target) => node.inputs.push(NodeInput {
                                name: entry.key.clone(),
                                name_range: entry.key_range,
                                value_range: entry.value.range,
                                target,
                            }),
                            None => self.problem(
                                entry.value.range,
                                format!(
                                    "input `{}` must be a node key or a list of input names",
                                    entry.key
                                ),
                            ),
                        }
                    }
                }
                None => self.problem(
                    inputs.range,
                    format!("`inputs` of node `{}` must be an object", member.key),
                ),
            }
        }
        node.locked = member
            .value
            .get("locked")
            .and_then(|locked| self.read_source(locked));
        node.original = member
            .value
            .get("original")
            .and_then(|original| self.read_source(original));
        // Version 5 kept `lastModified` and `narHash` in `info`; later versions in `locked`.
        if let Some(info) = member
            .value
            .get("info")
            .and_then(|info| self.read_source(info))
        {
            let locked = node.locked.get_or_insert_with(|| Source {
                range: info.range,
                attrs: Vec::new(),
            });
            for attr in info.attrs {
                if locked.get(&attr.0).is_none() {
                    locked.attrs.push(attr);
                }
            }
        }
        self.nodes.push(node);
    }

    fn read_source(&mut self, json: &Json) -> Option<Source> {
        let Some(members) = json.as_object() else {
            self.problem(
                json.range,
                format!("expected an object, found {}", json.kind_name()),
            );
            return None;
        };
        let mut source = Source {
            range: json.range,
            attrs: Vec::new(),
        };
        for member in members {
            let value = match &member.value.value {
                JsonValue::String(text) => SourceValue::Str(text.clone()),
                JsonValue::Bool(value) => SourceValue::Bool(*value),
                JsonValue::Number(_) => match member.value.as_i64() {
                    Some(value) => SourceValue::Int(value),
                    None => continue,
                },
                _ => continue,
            };
            source
                .attrs
                .push((member.key.clone(), value, member.value.range));
        }
        Some(source)
    }

    /// Reports dangling and cyclic references once each.
    fn check_references(&mut self) {
        let mut found = Vec::new();
        for node in &self.nodes {
            for input in &node.inputs {
                let result = match &input.target {
                    InputTarget::Node(key) => {
                        if self.node(key).is_some() {
                            Ok(())
                        } else {
                            Err(ResolveError::Dangling(key.clone()))
                        }
                    }
                    InputTarget::Follows(path) => self.resolve_path(path).map(|_| ()),
                };
                match result {
                    Ok(()) => {}
                    Err(ResolveError::Dangling(key)) => found.push(LockProblem {
                        range: input.value_range,
                        message: format!(
                            "input `{}` of node `{}` refers to `{key}`, which does not exist",
                            input.name, node.key
                        ),
                        severity: Severity::Error,
                    }),
                    Err(ResolveError::Cycle(path)) => found.push(LockProblem {
                        range: input.value_range,
                        message: format!(
                            "input `{}` of node `{}` follows a cycle: {}",
                            input.name,
                            node.key,
                            path.join(" -> ")
                        ),
                        severity: Severity::Error,
                    }),
                }
            }
        }
        self.problems.extend(found);
    }

    pub fn node(&self, key: &str) -> Option<&LockNode> {
        self.nodes.iter().find(|node| node.key == key)
    }

    pub fn root_node(&self) -> Option<&LockNode> {
        self.node(self.root.as_deref()?)
    }

    /// The node that the root's input `name` resolves to.
    pub fn resolve_root_input(&self, name: &str) -> Result<&LockNode, ResolveError> {
        self.resolve_path(&[name.to_owned()])
    }

    /// Follows a path of input names from the root node, through `follows` lists, to a node.
    pub fn resolve_path(&self, path: &[String]) -> Result<&LockNode, ResolveError> {
        let mut seen = HashSet::new();
        self.resolve_from_root(path, &mut seen, 0)
    }

    fn resolve_from_root<'a>(
        &'a self,
        path: &[String],
        seen: &mut HashSet<Vec<String>>,
        depth: usize,
    ) -> Result<&'a LockNode, ResolveError> {
        if depth > 64 || !seen.insert(path.to_vec()) {
            return Err(ResolveError::Cycle(path.to_vec()));
        }
        let root = self.root.as_deref().unwrap_or("root");
        let mut node = self
            .node(root)
            .ok_or_else(|| ResolveError::Dangling(root.to_owned()))?;
        for step in path {
            let input = node
                .inputs
                .iter()
                .find(|input| &input.name == step)
                .ok_or_else(|| ResolveError::Dangling(step.clone()))?;
            node = match &input.target {
                InputTarget::Node(key) => self
                    .node(key)
                    .ok_or_else(|| ResolveError::Dangling(key.clone()))?,
                InputTarget::Follows(target) => self.resolve_from_root(target, seen, depth + 1)?,
            };
        }
        Ok(node)
    }

    /// Whether a node is nixpkgs by its identity: GitHub `NixOS/nixpkgs` (any case), or a
    /// tarball from the places that serve nixpkgs.
    pub fn is_nixpkgs_by_identity(node: &LockNode) -> bool {
        let Some(source) = node.locked.as_ref().or(node.original.as_ref()) else {
            return false;
        };
        match source.kind() {
            Some("github") => {
                source
                    .str("owner")
                    .is_some_and(|owner| owner.eq_ignore_ascii_case("nixos"))
                    && source
                        .str("repo")
                        .is_some_and(|repo| repo.eq_ignore_ascii_case("nixpkgs"))
            }
            Some("tarball") | Some("file") => source.str("url").is_some_and(|url| {
                let url = url.to_ascii_lowercase();
                url.contains("flakehub.com/f/nixos/nixpkgs")
                    || url.contains("channels.nixos.org")
                    || url.contains("github.com/nixos/nixpkgs")
            }),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "nodes": {
    "home-manager": {
      "inputs": { "nixpkgs": ["nixpkgs"] },
      "locked": { "lastModified": 1700000000, "owner": "nix-community", "repo": "home-manager", "rev": "0123456789abcdef0123456789abcdef01234567", "type": "github" },
      "original": { "owner": "nix-community", "repo": "home-manager", "type": "github" }
    },
    "nixpkgs": {
      "locked": { "lastModified": 1700000000, "narHash": "sha256-x", "owner": "NixOS", "repo": "nixpkgs", "rev": "abc", "type": "github" },
      "original": { "owner": "NixOS", "ref": "nixos-unstable", "repo": "nixpkgs", "type": "github" }
    },
    "root": { "inputs": { "home-manager": "home-manager", "nixpkgs": "nixpkgs" } }
  },
  "root": "root",
  "version": 7
}"#;

    #[test]
    fn reads_nodes_inputs_and_sources() {
        let lock = Lock::parse(LOCK);
        assert!(lock.problems.is_empty(), "{:?}", lock.problems);
        assert_eq!(lock.version, Some(7));
        let nixpkgs = lock.resolve_root_input("nixpkgs").expect("resolves");
        assert_eq!(
            nixpkgs
                .original
                .as_ref()
                .and_then(|source| source.str("ref")),
            Some("nixos-unstable")
        );
        assert_eq!(
            nixpkgs
                .locked
                .as_ref()
                .and_then(|source| source.int("lastModified")),
            Some(1_700_000_000)
        );
        assert!(Lock::is_nixpkgs_by_identity(nixpkgs));
        let followed = lock
            .resolve_path(&["home-manager".to_owned(), "nixpkgs".to_owned()])
            .expect("follows");
        assert_eq!(followed.key, "nixpkgs");
        assert_eq!(
            &LOCK[lock.node("nixpkgs").expect("node").key_range],
            "\"nixpkgs\""
        );
    }

    #[test]
    fn dangling_references_are_problems_not_panics() {
        let lock = Lock::parse(
            r#"{"nodes": {"root": {"inputs": {"a": "missing", "b": ["nope", "x"]}}}, "root": "root", "version": 7}"#,
        );
        let messages: Vec<&str> = lock
            .problems
            .iter()
            .map(|problem| problem.message.as_str())
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("`missing`, which does not exist"));
        assert!(lock.resolve_root_input("a").is_err());
    }

    #[test]
    fn follows_cycles_are_problems() {
        let lock = Lock::parse(
            r#"{"nodes": {"root": {"inputs": {"a": ["b"], "b": ["a"]}}}, "root": "root", "version": 7}"#,
        );
        assert!(
            lock.problems
                .iter()
                .any(|problem| problem.message.contains("cycle")),
            "{:?}",
            lock.problems
        );
        assert!(matches!(
            lock.resolve_root_input("a"),
            Err(ResolveError::Cycle(_))
        ));
    }

    #[test]
    fn malformed_files() {
        assert!(Lock::parse("").problems[0]
            .message
            .contains("not valid JSON"));
        assert!(Lock::parse("[]").problems[0]
            .message
            .contains("expected an object"));
        let lock = Lock::parse(r#"{"version": "7"}"#);
        let messages: Vec<&str> = lock
            .problems
            .iter()
            .map(|problem| problem.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "`version` must be an integer",
                "flake.lock has no `root`",
                "flake.lock has no `nodes`"
            ]
        );
        let lock = Lock::parse(r#"{"version": 7, "root": "r", "nodes": {"x": 1}}"#);
        assert_eq!(lock.problems.len(), 2, "{:?}", lock.problems);
    }

    #[test]
    fn version_5_info_is_merged_into_locked() {
        let lock = Lock::parse(
            r#"{"nodes": {"n": {"info": {"lastModified": 5}, "locked": {"type": "github"}}, "root": {"inputs": {"n": "n"}}}, "root": "root", "version": 5}"#,
        );
        let node = lock.node("n").expect("node");
        assert_eq!(
            node.locked
                .as_ref()
                .and_then(|source| source.int("lastModified")),
            Some(5)
        );
    }
}
