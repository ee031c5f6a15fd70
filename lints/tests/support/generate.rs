//! A deterministic generator of closed Nix expressions, one family of templates per lint with a
//! safe fix, with random names, values and nesting. Every expression evaluates without error, so
//! that `fix_safety.rs` can compare its value before and after the safe fixes.
#![allow(dead_code)]

/// A small deterministic random source (SplitMix64): the same seed gives the same expressions on
/// every machine.
pub struct Gen {
    state: u64,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen { state: seed }
    }

    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A name that is no keyword and no builtin: a word and a number.
    pub fn name(&mut self) -> String {
        let word = self.pick(&[
            "alpha", "beta", "cfg", "pkg", "src", "item", "count", "opts", "drv", "value", "x", "y",
        ]);
        format!("{word}{}", self.below(1000))
    }

    /// Distinct names.
    pub fn names(&mut self, n: usize) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        while names.len() < n {
            let name = self.name();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    pub fn int(&mut self) -> String {
        self.below(2000).to_string()
    }

    /// A closed value of bounded depth: literals, lists, sets, arithmetic, strings with
    /// interpolation.
    pub fn value(&mut self, depth: u32) -> String {
        let kinds = if depth == 0 { 6 } else { 9 };
        match self.below(kinds) {
            0 | 1 => self.int(),
            2 => format!("\"s{}\"", self.below(1000)),
            3 => self.pick(&["true", "false", "null"]).to_owned(),
            4 => format!("{}.{}", self.below(100), 1 + self.below(9)),
            5 => format!("\"{}-${{toString {}}}\"", self.name(), self.int()),
            6 => {
                let count = self.below(4);
                let items: Vec<String> = (0..count).map(|_| self.value(depth - 1)).collect();
                format!("[ {} ]", items.join(" "))
            }
            7 => {
                let count = self.below(4) as usize;
                let keys = self.names(count);
                let bindings: Vec<String> = keys
                    .iter()
                    .map(|key| format!("{key} = {};", self.value(depth - 1)))
                    .collect();
                format!("{{ {} }}", bindings.join(" "))
            }
            _ => format!("({} + {})", self.int(), self.int()),
        }
    }

    /// A small value, which can stand as an operand or a function argument as it is.
    pub fn atom(&mut self) -> String {
        self.value(1)
    }

    /// A closed set with the given keys and random values.
    pub fn set_with(&mut self, keys: &[String]) -> String {
        let bindings: Vec<String> = keys
            .iter()
            .map(|key| format!("{key} = {};", self.atom()))
            .collect();
        format!("{{ {} }}", bindings.join(" "))
    }

    /// Puts an expression in a random closed context that keeps its value visible: in lists,
    /// sets, `let`s, applied lambdas and `if`s, up to a few levels deep.
    pub fn nest(&mut self, expr: String) -> String {
        let mut expr = expr;
        for _ in 0..self.below(4) {
            expr = match self.below(6) {
                0 => format!("[ {} ({expr}) ]", self.atom()),
                1 => format!("{{ {} = {expr}; }}", self.name()),
                2 => {
                    let name = self.name();
                    format!("let {name} = {}; in [ {name} ({expr}) ]", self.atom())
                }
                3 => {
                    let name = self.name();
                    format!("({name}: [ {name} ({expr}) ]) {}", self.atom())
                }
                4 => format!("if {} then {expr} else {}", self.boolean(), self.atom()),
                _ => format!("{{ inner = {expr}; }}.inner"),
            };
        }
        expr
    }

    /// A closed boolean expression that is certainly a boolean to the lints: a comparison, a
    /// negation, `&&`, `||` or `?`.
    pub fn boolean(&mut self) -> String {
        match self.below(6) {
            0 => format!("{} == {}", self.int(), self.int()),
            1 => format!("{} < {}", self.int(), self.int()),
            2 => format!("{} != {}", self.atom(), self.atom()),
            3 => format!("{{ {} = 1; }} ? {}", self.name(), self.name()),
            4 => format!("!{}", self.pick(&["true", "false"])),
            _ => format!("{} >= {}", self.int(), self.int()),
        }
    }
}

/// How a family's texts are read, and what of them is compared before and after the fixes.
///
/// The safe fixes that rename flake outputs or NixOS options change the raw value on purpose:
/// what stays the same is what Nix or NixOS makes of it. For those, `view` is a Nix function
/// written down from Nix's and NixOS's own rules (the deprecated flake outputs are read as the
/// `default` of their families, a renamed option is an alias of its new name), applied to the
/// evaluated outputs or module; the two views must print the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An expression in `default.nix`, compared as it evaluates.
    Expression,
    /// A `flake.nix`: its outputs, given `self` and a stand-in nixpkgs input, through `view`.
    Flake { view: &'static str },
    /// A NixOS module in `configuration.nix`: the set it returns, through `view`.
    Module { view: &'static str },
}

/// The outputs as `nix build`, `nix run`, `nix develop`, `nix bundle`, `nix flake init` and the
/// overlay and module users read them: each deprecated name is the `default` of its family
/// (Nix 2.7 release notes); overlays are applied to a fixed `final` and `prev`.
pub const FLAKE_OUTPUTS_VIEW: &str = r#"o:
let
  inherit (builtins) mapAttrs isFunction;
  perSystem = new: old:
    if !(o ? ${old}) then { } else {
      ${new} = (o.${new} or { })
        // mapAttrs (system: value: (o.${new}.${system} or { }) // { default = value; }) o.${old};
    };
  single = new: old:
    if !(o ? ${old}) then { } else { ${new} = (o.${new} or { }) // { default = o.${old}; }; };
  normal =
    removeAttrs o [ "defaultPackage" "defaultApp" "defaultBundler" "devShell" "overlay" "nixosModule" "defaultTemplate" ]
    // perSystem "packages" "defaultPackage" // perSystem "apps" "defaultApp"
    // perSystem "bundlers" "defaultBundler" // perSystem "devShells" "devShell"
    // single "overlays" "overlay" // single "nixosModules" "nixosModule"
    // single "templates" "defaultTemplate";
  final = { from = "final"; hello = "final-hello"; };
  prev = { from = "prev"; hello = "prev-hello"; };
in
normal // (if normal ? overlays then {
  overlays = mapAttrs (name: overlay: if isFunction overlay then overlay final prev else overlay) normal.overlays;
} else { })"#;

/// Like [`FLAKE_OUTPUTS_VIEW`], but a `default` package counts only as "some other package of
/// the same system": the fix of missing-default-outputs may add one, and must change nothing
/// else.
pub const FLAKE_DEFAULTS_VIEW: &str = r#"o:
let
  inherit (builtins) mapAttrs attrNames any;
  pointsAtAPackage = packages:
    !(packages ? default)
    || any (name: name != "default" && packages.${name} == packages.default) (attrNames packages);
in
o // (if o ? packages then {
  packages = mapAttrs (system: packages: removeAttrs packages [ "default" ]) o.packages;
  defaultsPointAtPackages = mapAttrs (system: pointsAtAPackage) o.packages;
} else { })"#;

/// The module's `services.openssh` as NixOS 23.05 and later read it: the legacy names are
/// aliases (`mkRenamedOptionModule`) of their `settings` names, with the same values.
pub const OPENSSH_VIEW: &str = r#"module:
let
  inherit (builtins) attrNames filter listToAttrs isFunction;
  config = if isFunction module then module { config = { }; lib = { }; pkgs = { }; } else module;
  openssh = config.services.openssh;
  legacy = {
    passwordAuthentication = "PasswordAuthentication";
    permitRootLogin = "PermitRootLogin";
    kbdInteractiveAuthentication = "KbdInteractiveAuthentication";
  };
  present = filter (name: openssh ? ${name}) (attrNames legacy);
in
config // {
  services = config.services // {
    openssh = removeAttrs openssh (attrNames legacy) // {
      settings = (openssh.settings or { })
        // listToAttrs (map (name: { name = legacy.${name}; value = openssh.${name}; }) present);
    };
  };
}"#;

/// The systems the generated flakes use.
const SYSTEMS: &[&str] = &["x86_64-linux", "aarch64-linux", "aarch64-darwin"];

impl Gen {
    fn system(&mut self) -> &'static str {
        self.pick(SYSTEMS)
    }

    /// A flake whose outputs function is `outputs`, with a description so that only the lint
    /// under test has something to say.
    fn flake(&mut self, arguments: &str, body: &str) -> String {
        format!(
            "{{\n  description = \"{}\";\n  outputs = {arguments}:\n    {body};\n}}\n",
            self.name()
        )
    }
}

/// A family of expressions that trigger one lint with a safe fix.
pub struct Family {
    pub lint: &'static str,
    pub kind: FileKind,
    pub make: fn(&mut Gen) -> String,
}

pub const FAMILIES: &[Family] = &[
    Family {
        lint: "bool-comparison",
        kind: FileKind::Expression,
        make: |g| {
            let literal = g.pick(&["true", "false"]);
            let op = g.pick(&["==", "!="]);
            let boolean = g.boolean();
            let expr = if g.chance(50) {
                format!("({boolean}) {op} {literal}")
            } else {
                format!("{literal} {op} ({boolean})")
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "bool-simplification",
        kind: FileKind::Expression,
        make: |g| {
            let op = g.pick(&["==", "!=", "<", "<=", ">", ">="]);
            let expr = match g.below(5) {
                0 => format!("!{}", g.pick(&["true", "false"])),
                1 => format!("!(\"{}\" {op} \"{}\")", g.name(), g.name()),
                2 => format!("!({}.5 {op} {})", g.int(), g.int()),
                _ => format!("!({} {op} {})", g.int(), g.int()),
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "collapsible-let-in",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(4);
            let (a, b, c, d) = (&names[0], &names[1], &names[2], &names[3]);
            let expr = format!(
                "let {a} = {}; {b} = [ {a} ]; in let {c} = {{ v = {a}; w = {b}; }}; {d} = {}; in [ {a} {c} {d} ]",
                g.atom(),
                g.atom()
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "empty-inherit",
        kind: FileKind::Expression,
        make: |g| {
            let key = g.name();
            let inherit = if g.chance(50) {
                "inherit;".to_owned()
            } else {
                format!(
                    "inherit ({});",
                    g.pick(&["builtins", "{ }", "(throw \"never\")"])
                )
            };
            let expr = if g.chance(50) {
                format!("{{ {key} = {}; {inherit} }}", g.atom())
            } else {
                format!("let {inherit} {key} = {}; in {key}", g.atom())
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "empty-let-in",
        kind: FileKind::Expression,
        make: |g| {
            let value = g.value(2);
            g.nest(format!("let in {value}"))
        },
    },
    Family {
        lint: "empty-pattern",
        kind: FileKind::Expression,
        make: |g| {
            let key = g.name();
            let expr = format!("({{ ... }}: {}) {{ {key} = {}; }}", g.value(2), g.atom());
            g.nest(expr)
        },
    },
    Family {
        lint: "legacy-let-syntax",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(2);
            let expr = format!(
                "let {{ {} = {}; {} = [ {} ]; body = {{ first = {}; second = {}; }}; }}",
                names[0],
                g.atom(),
                names[1],
                names[0],
                names[0],
                names[1]
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "manual-inherit",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(3);
            let expr = format!(
                "let {a} = {}; {b} = {}; in {{ {a} = {a}; {c} = {}; {b} = {b}; }}",
                g.atom(),
                g.atom(),
                g.atom(),
                a = names[0],
                b = names[1],
                c = names[2]
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "manual-inherit-from",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(4);
            let source = g.set_with(&names[1..]);
            let (s, a, b) = (&names[0], &names[1], &names[2]);
            let expr = match g.below(3) {
                0 => format!("let {s} = {source}; in {{ {a} = {s}.{a}; {b} = {s}.{b}; }}"),
                1 => format!("let {s} = {{ inner = {source}; }}; {a} = {s}.inner.{a}; in [ {a} ]"),
                _ => format!("let {s} = {source}; in rec {{ {a} = {s}.{a}; {b} = [ {a} ]; }}"),
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "redundant-pattern-bind",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(2);
            let (args, key) = (&names[0], &names[1]);
            let pattern = if g.chance(50) {
                format!("{args} @ {{ ... }}")
            } else {
                format!("{{ ... }} @ {args}")
            };
            let expr = format!(
                "({pattern}: [ {args}.{key} {args} ]) {{ {key} = {}; }}",
                g.atom()
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "unquoted-uri",
        kind: FileKind::Expression,
        make: |g| {
            let scheme = g.pick(&["https", "http", "ftp", "mirror"]);
            let host = g.name();
            let expr = format!(
                "{scheme}://{host}.example.org/{}/{}-{}.tar.gz",
                g.name(),
                g.name(),
                g.below(100)
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "unneeded-rec",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(3);
            let outer = &names[0];
            let expr = format!(
                "let {outer} = {}; in rec {{ {} = {outer}; {} = {}; }}",
                g.atom(),
                names[1],
                names[2],
                g.value(2)
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "unused-with",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(2);
            let scope = match g.below(3) {
                0 => g.set_with(&names),
                1 => "builtins".to_owned(),
                _ => "(throw \"never looked up\")".to_owned(),
            };
            let local = g.name();
            let expr = format!(
                "with {scope}; let {local} = {}; in [ {local} (toString {local}) ]",
                g.int()
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "unused-let-binding",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(3);
            let expr = format!(
                "let {} = {}; {} = {}; {} = throw \"never evaluated\"; in {}",
                names[0],
                g.atom(),
                names[1],
                g.value(2),
                names[2],
                names[0]
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "unused-lambda-arg",
        kind: FileKind::Expression,
        make: |g| {
            let name = g.name();
            let expr = if g.chance(50) {
                format!("({name}: {}) {}", g.value(2), g.atom())
            } else {
                format!("map ({name}: {}) [ 1 2 3 ]", g.atom())
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "unused-pattern-binding",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(3);
            let (used, unused, other) = (&names[0], &names[1], &names[2]);
            let default = if g.chance(50) {
                format!(" ? {}", g.atom())
            } else {
                String::new()
            };
            let expr = format!(
                "({{ {used}, {unused}{default}, ... }}: [ {used} ]) {{ {used} = {}; {unused} = {}; {other} = {}; }}",
                g.atom(),
                g.atom(),
                g.atom()
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "useless-has-attr",
        kind: FileKind::Expression,
        make: |g| {
            let names = g.names(3);
            let (set, key, other) = (&names[0], &names[1], &names[2]);
            let present = if g.chance(50) { key } else { other };
            let path = if g.chance(30) {
                format!("{key}.inner")
            } else {
                key.clone()
            };
            let value = if path.contains('.') {
                format!("{{ inner = {}; }}", g.atom())
            } else {
                g.atom()
            };
            let default = if g.chance(50) {
                g.atom()
            } else {
                format!("{} + 1", g.int())
            };
            let expr = format!(
                "let {set} = {{ {present} = {value}; }}; in if {set} ? {path} then {set}.{path} else {default}"
            );
            g.nest(expr)
        },
    },
    Family {
        lint: "useless-parens",
        kind: FileKind::Expression,
        make: |g| {
            let name = g.name();
            let expr = match g.below(5) {
                0 => format!("{{ {name} = ({}); }}", g.value(2)),
                1 => format!("[ ({}) ]", g.atom()),
                2 => format!("let {name} = {}; in ({name})", g.atom()),
                3 => format!("toString ({})", g.int()),
                _ => format!(
                    "[ {} ] ++ (builtins.attrNames {})",
                    g.atom(),
                    g.set_with(&[name])
                ),
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "no-op-operation",
        kind: FileKind::Expression,
        make: |g| {
            let name = g.name();
            let expr = match g.below(6) {
                0 => format!("[ {} ] ++ [ ]", g.atom()),
                1 => format!("[ ] ++ [ {} {} ]", g.atom(), g.atom()),
                2 => format!("map (v: v) [ {} ] ++ [ ]", g.atom()),
                3 => format!("{} // {{ }}", g.set_with(&[name])),
                4 => format!(
                    "{{ }} // builtins.mapAttrs (n: v: v) {}",
                    g.set_with(&[name])
                ),
                _ => format!("([ {} ] ++ [ 1 ]) ++ [ ]", g.atom()),
            };
            g.nest(expr)
        },
    },
    Family {
        lint: "deprecated-flake-output",
        kind: FileKind::Flake {
            view: FLAKE_OUTPUTS_VIEW,
        },
        make: |g| {
            let system = g.system();
            let mut entries: Vec<String> = Vec::new();
            let mut kinds: Vec<u64> = (0..7).collect();
            for _ in 0..1 + g.below(3) {
                let kind = kinds.remove(g.below(kinds.len() as u64) as usize);
                entries.push(match kind {
                    0 => format!("defaultPackage.{system} = {};", g.atom()),
                    1 => format!(
                        "defaultApp.{system} = {{ type = \"app\"; program = \"/bin/{}\"; }};",
                        g.name()
                    ),
                    2 => format!("devShell.{system} = {};", g.atom()),
                    3 => format!("defaultBundler.{system} = {};", g.atom()),
                    4 => format!("overlay = final: prev: {{ {} = prev.hello; }};", g.name()),
                    5 => format!("nixosModule = {{ {} = {}; }};", g.name(), g.atom()),
                    _ => format!(
                        "defaultTemplate = {{ path = \"/templates/{}\"; description = \"t\"; }};",
                        g.name()
                    ),
                });
            }
            if g.chance(40) {
                entries.push(format!("checks.{system}.{} = {};", g.name(), g.atom()));
            }
            let body = if g.chance(50) {
                format!("{{ {} }}", entries.join(" "))
            } else {
                let name = g.name();
                format!(
                    "let {name} = {}; in {{ {} extra = {name}; }}",
                    g.atom(),
                    entries.join(" ")
                )
            };
            g.flake("{ self }", &body)
        },
    },
    Family {
        lint: "missing-default-outputs",
        kind: FileKind::Flake {
            view: FLAKE_DEFAULTS_VIEW,
        },
        make: |g| {
            let system = g.system();
            let name = g.name();
            // Only a set that holds all of a system's packages can lack `default`.
            let body = match g.below(3) {
                0 => format!(
                    "{{ packages = {{ {system} = {{ {name} = {}; }}; }}; }}",
                    g.atom()
                ),
                1 => format!("{{ packages.{system} = {{ {name} = {}; }}; }}", g.atom()),
                _ => {
                    let local = g.name();
                    format!(
                        "let {local} = {}; in {{ packages.{system} = {{ {name} = {local}; }}; devShells.{system}.default = {}; }}",
                        g.atom(),
                        g.atom()
                    )
                }
            };
            g.flake("{ self }", &body)
        },
    },
    Family {
        lint: "nixpkgs-reimport",
        kind: FileKind::Flake {
            view: FLAKE_OUTPUTS_VIEW,
        },
        make: |g| {
            let system = g.system();
            let name = g.name();
            let body = match g.below(3) {
                0 => format!(
                    "let system = \"{system}\"; pkgs = import nixpkgs {{ inherit system; }}; in {{ packages.${{system}}.{name} = pkgs.hello; }}"
                ),
                1 => format!(
                    "let pkgs = import nixpkgs {{ system = \"{system}\"; }}; in {{ packages.{system}.{name} = pkgs.hello; lib = pkgs.lib; }}"
                ),
                _ => format!(
                    "{{ packages = builtins.listToAttrs (map (system: {{ name = system; value = {{ {name} = (import nixpkgs {{ inherit system; }}).hello; }}; }}) [ \"{system}\" \"x86_64-darwin\" ]); }}"
                ),
            };
            let flake = g.flake("{ self, nixpkgs }", &body);
            flake.replacen(
                "\n  outputs",
                "\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n  outputs",
                1,
            )
        },
    },
    Family {
        lint: "overlay-signature",
        kind: FileKind::Flake {
            view: FLAKE_OUTPUTS_VIEW,
        },
        make: |g| {
            let (first, second) = match g.below(4) {
                0 => ("self", "super"),
                1 => ("final", "super"),
                2 => ("pkgs", "prev"),
                _ => ("self", "prev"),
            };
            let names = g.names(2);
            let local = &names[1];
            let body = format!(
                "let {local} = {}; in {{ overlays.{} = {first}: {second}: {{ {} = {local}; from = \"overlay\"; }}; }}",
                g.atom(),
                names[0],
                g.name()
            );
            g.flake("{ self }", &body)
        },
    },
    Family {
        lint: "ssh-weak-auth",
        kind: FileKind::Module { view: OPENSSH_VIEW },
        make: |g| {
            let mut settings = vec![
                "passwordAuthentication = false;".to_owned(),
                format!(
                    "permitRootLogin = \"{}\";",
                    g.pick(&["no", "prohibit-password", "forced-commands-only"])
                ),
                "kbdInteractiveAuthentication = false;".to_owned(),
            ];
            let keep = 1 + g.below(3) as usize;
            while settings.len() > keep {
                let drop = g.below(settings.len() as u64) as usize;
                settings.remove(drop);
            }
            let port = 1000 + g.below(9000);
            let services = if g.chance(50) {
                let lines: Vec<String> = settings
                    .iter()
                    .map(|setting| format!("  services.openssh.{setting}"))
                    .collect();
                format!(
                    "  services.openssh.enable = true;\n  services.openssh.ports = [ {port} ];\n{}",
                    lines.join("\n")
                )
            } else {
                format!(
                    "  services.openssh = {{\n    enable = true;\n    ports = [ {port} ];\n    {}\n  }};",
                    settings.join("\n    ")
                )
            };
            let head = g.pick(&["{ config, lib, pkgs, ... }:\n", "{ ... }:\n", ""]);
            format!(
                "{head}{{\n{services}\n  networking.hostName = \"{}\";\n}}\n",
                g.name()
            )
        },
    },
];
