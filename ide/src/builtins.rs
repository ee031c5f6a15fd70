//! The builtins nixwise knows without asking Nix: names, parameters and, for constants, the type
//! of their value. Hover and completion use them when no `nix` binary gives the full documentation.

use lints::scope::GLOBAL_BUILTINS;

/// One attribute of `builtins`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    pub name: &'static str,
    /// The names of the parameters of a function, in order; empty for a constant.
    pub params: &'static [&'static str],
    /// For a constant (`nixVersion`, `true`), what kind of value it is.
    pub constant: Option<&'static str>,
}

impl Builtin {
    pub fn arity(&self) -> usize {
        self.params.len()
    }

    /// Whether the name is also in scope without `builtins.` (`map`, `toString`, `true`).
    pub fn is_global(&self) -> bool {
        GLOBAL_BUILTINS.contains(&self.name)
    }

    /// A one-line signature: `map f list`, or `nixVersion: string`.
    pub fn signature(&self) -> String {
        match self.constant {
            Some(kind) => format!("builtins.{}: {kind}", self.name),
            None => {
                let mut signature = format!("builtins.{}", self.name);
                for param in self.params {
                    signature.push(' ');
                    signature.push_str(param);
                }
                signature
            }
        }
    }
}

/// Every builtin, sorted by name.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "abort",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "add",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "addDrvOutputDependencies",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "addErrorContext",
        params: &["context", "value"],
        constant: None,
    },
    Builtin {
        name: "all",
        params: &["pred", "list"],
        constant: None,
    },
    Builtin {
        name: "any",
        params: &["pred", "list"],
        constant: None,
    },
    Builtin {
        name: "appendContext",
        params: &["s", "context"],
        constant: None,
    },
    Builtin {
        name: "attrNames",
        params: &["set"],
        constant: None,
    },
    Builtin {
        name: "attrValues",
        params: &["set"],
        constant: None,
    },
    Builtin {
        name: "baseNameOf",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "bitAnd",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "bitOr",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "bitXor",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "break",
        params: &["v"],
        constant: None,
    },
    Builtin {
        name: "builtins",
        params: &[],
        constant: Some("attribute set"),
    },
    Builtin {
        name: "catAttrs",
        params: &["attr", "list"],
        constant: None,
    },
    Builtin {
        name: "ceil",
        params: &["double"],
        constant: None,
    },
    Builtin {
        name: "compareVersions",
        params: &["s1", "s2"],
        constant: None,
    },
    Builtin {
        name: "concatLists",
        params: &["lists"],
        constant: None,
    },
    Builtin {
        name: "concatMap",
        params: &["f", "list"],
        constant: None,
    },
    Builtin {
        name: "concatStringsSep",
        params: &["separator", "list"],
        constant: None,
    },
    Builtin {
        name: "convertHash",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "currentSystem",
        params: &[],
        constant: Some("string"),
    },
    Builtin {
        name: "currentTime",
        params: &[],
        constant: Some("integer"),
    },
    Builtin {
        name: "deepSeq",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "derivation",
        params: &["attrs"],
        constant: None,
    },
    Builtin {
        name: "derivationStrict",
        params: &["attrs"],
        constant: None,
    },
    Builtin {
        name: "dirOf",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "div",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "elem",
        params: &["x", "xs"],
        constant: None,
    },
    Builtin {
        name: "elemAt",
        params: &["xs", "n"],
        constant: None,
    },
    Builtin {
        name: "false",
        params: &[],
        constant: Some("Boolean"),
    },
    Builtin {
        name: "fetchClosure",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "fetchGit",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "fetchMercurial",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "fetchTarball",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "fetchTree",
        params: &["input"],
        constant: None,
    },
    Builtin {
        name: "fetchurl",
        params: &["url"],
        constant: None,
    },
    Builtin {
        name: "filter",
        params: &["f", "list"],
        constant: None,
    },
    Builtin {
        name: "filterSource",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "findFile",
        params: &["search-path", "lookup-path"],
        constant: None,
    },
    Builtin {
        name: "flakeRefToString",
        params: &["attrs"],
        constant: None,
    },
    Builtin {
        name: "floor",
        params: &["double"],
        constant: None,
    },
    Builtin {
        name: "foldl'",
        params: &["op", "nul", "list"],
        constant: None,
    },
    Builtin {
        name: "fromJSON",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "fromTOML",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "functionArgs",
        params: &["f"],
        constant: None,
    },
    Builtin {
        name: "genList",
        params: &["generator", "length"],
        constant: None,
    },
    Builtin {
        name: "genericClosure",
        params: &["attrset"],
        constant: None,
    },
    Builtin {
        name: "getAttr",
        params: &["s", "set"],
        constant: None,
    },
    Builtin {
        name: "getContext",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "getEnv",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "getFlake",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "groupBy",
        params: &["f", "list"],
        constant: None,
    },
    Builtin {
        name: "hasAttr",
        params: &["s", "set"],
        constant: None,
    },
    Builtin {
        name: "hasContext",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "hashFile",
        params: &["type", "p"],
        constant: None,
    },
    Builtin {
        name: "hashString",
        params: &["type", "s"],
        constant: None,
    },
    Builtin {
        name: "head",
        params: &["list"],
        constant: None,
    },
    Builtin {
        name: "import",
        params: &["path"],
        constant: None,
    },
    Builtin {
        name: "intersectAttrs",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "isAttrs",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isBool",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isFloat",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isFunction",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isInt",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isList",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isNull",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isPath",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "isString",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "langVersion",
        params: &[],
        constant: Some("integer"),
    },
    Builtin {
        name: "length",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "lessThan",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "listToAttrs",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "map",
        params: &["f", "list"],
        constant: None,
    },
    Builtin {
        name: "mapAttrs",
        params: &["f", "attrset"],
        constant: None,
    },
    Builtin {
        name: "match",
        params: &["regex", "str"],
        constant: None,
    },
    Builtin {
        name: "mul",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "nixPath",
        params: &[],
        constant: Some("list"),
    },
    Builtin {
        name: "nixVersion",
        params: &[],
        constant: Some("string"),
    },
    Builtin {
        name: "null",
        params: &[],
        constant: Some("null"),
    },
    Builtin {
        name: "outputOf",
        params: &["derivation-reference", "output-name"],
        constant: None,
    },
    Builtin {
        name: "parseDrvName",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "parseFlakeRef",
        params: &["flake-ref"],
        constant: None,
    },
    Builtin {
        name: "partition",
        params: &["pred", "list"],
        constant: None,
    },
    Builtin {
        name: "path",
        params: &["args"],
        constant: None,
    },
    Builtin {
        name: "pathExists",
        params: &["path"],
        constant: None,
    },
    Builtin {
        name: "placeholder",
        params: &["output"],
        constant: None,
    },
    Builtin {
        name: "readDir",
        params: &["path"],
        constant: None,
    },
    Builtin {
        name: "readFile",
        params: &["path"],
        constant: None,
    },
    Builtin {
        name: "readFileType",
        params: &["p"],
        constant: None,
    },
    Builtin {
        name: "removeAttrs",
        params: &["set", "list"],
        constant: None,
    },
    Builtin {
        name: "replaceStrings",
        params: &["from", "to", "s"],
        constant: None,
    },
    Builtin {
        name: "scopedImport",
        params: &["scope", "path"],
        constant: None,
    },
    Builtin {
        name: "seq",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "sort",
        params: &["comparator", "list"],
        constant: None,
    },
    Builtin {
        name: "split",
        params: &["regex", "str"],
        constant: None,
    },
    Builtin {
        name: "splitVersion",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "storeDir",
        params: &[],
        constant: Some("string"),
    },
    Builtin {
        name: "storePath",
        params: &["path"],
        constant: None,
    },
    Builtin {
        name: "stringLength",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "sub",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "substring",
        params: &["start", "len", "s"],
        constant: None,
    },
    Builtin {
        name: "tail",
        params: &["list"],
        constant: None,
    },
    Builtin {
        name: "throw",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "toFile",
        params: &["name", "s"],
        constant: None,
    },
    Builtin {
        name: "toJSON",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "toPath",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "toString",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "toXML",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "trace",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "traceVerbose",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "true",
        params: &[],
        constant: Some("Boolean"),
    },
    Builtin {
        name: "tryEval",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "typeOf",
        params: &["e"],
        constant: None,
    },
    Builtin {
        name: "unsafeDiscardOutputDependency",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "unsafeDiscardStringContext",
        params: &["s"],
        constant: None,
    },
    Builtin {
        name: "unsafeGetAttrPos",
        params: &["name", "set"],
        constant: None,
    },
    Builtin {
        name: "warn",
        params: &["e1", "e2"],
        constant: None,
    },
    Builtin {
        name: "zipAttrsWith",
        params: &["f", "list"],
        constant: None,
    },
];

/// The builtin of that name (without `builtins.` or `__`).
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .binary_search_by(|builtin| builtin.name.cmp(name))
        .ok()
        .map(|at| &BUILTINS[at])
}

#[cfg(test)]
mod tests {
    use super::*;
    use lints::scope::BUILTIN_ATTRS;

    #[test]
    fn the_table_matches_the_names_of_the_scope_analysis_and_is_sorted() {
        let names: Vec<&str> = BUILTINS.iter().map(|builtin| builtin.name).collect();
        assert_eq!(names, BUILTIN_ATTRS);
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn signatures_and_lookup() {
        assert_eq!(
            find("map").map(Builtin::signature).as_deref(),
            Some("builtins.map f list")
        );
        assert_eq!(find("map").map(Builtin::arity), Some(2));
        assert!(find("map").is_some_and(Builtin::is_global));
        assert!(!find("attrNames").is_some_and(Builtin::is_global));
        assert_eq!(
            find("nixVersion").map(Builtin::signature).as_deref(),
            Some("builtins.nixVersion: string")
        );
        assert_eq!(find("noSuchBuiltin"), None);
    }
}
