//! A deterministic generator of realistic Nix files: NixOS modules, package expressions, flakes
//! and library files in the proportions of a large repository, each with a few findings.

/// A small deterministic random source (xorshift64*), so every run benchmarks the same files.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `bound` (which must not be 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const WORDS: &[&str] = &[
    "nginx",
    "postgres",
    "redis",
    "grafana",
    "prometheus",
    "syncthing",
    "tailscale",
    "openssh",
    "docker",
    "podman",
    "fish",
    "zsh",
    "git",
    "neovim",
    "tmux",
    "firefox",
    "alacritty",
    "kitty",
    "waybar",
    "sway",
    "hyprland",
    "mpv",
    "zathura",
    "direnv",
    "starship",
    "atuin",
    "bat",
    "fzf",
];
const TYPES: &[&str] = &["str", "bool", "int", "port", "path", "package", "lines"];

/// `count` files as (relative path, text), the same for the same `seed`.
pub fn corpus(count: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|index| {
            let name = format!("{}{}", rng.pick(WORDS), index);
            match rng.below(10) {
                0..=4 => (format!("modules/{name}.nix"), module(&mut rng, &name)),
                5..=7 => (format!("pkgs/{name}/default.nix"), package(&mut rng, &name)),
                8 => (format!("lib/{name}.nix"), library(&mut rng, &name)),
                _ => (format!("hosts/{name}/flake.nix"), flake(&mut rng, &name)),
            }
        })
        .collect()
}

fn module(rng: &mut Rng, name: &str) -> String {
    let mut out = String::new();
    out.push_str("{ config, lib, pkgs, ... }:\n\nwith lib;\n\nlet\n");
    out.push_str(&format!("  cfg = config.services.{name};\n"));
    if rng.chance(30) {
        out.push_str("  unusedHelper = x: x + 1;\n");
    }
    out.push_str(&format!(
        "  settingsFormat = pkgs.formats.toml {{ }};\n  configFile = settingsFormat.generate \"{name}.toml\" cfg.settings;\nin\n{{\n"
    ));
    out.push_str(&format!("  options.services.{name} = {{\n"));
    out.push_str(&format!(
        "    enable = mkEnableOption \"the {name} service\";\n\n"
    ));
    out.push_str(&format!(
        "    package = mkOption {{\n      type = types.package;\n      default = pkgs.{name};\n      defaultText = literalExpression \"pkgs.{name}\";\n      description = \"The {name} package to use.\";\n    }};\n\n"
    ));
    for option in 0..2 + rng.below(8) {
        let kind = rng.pick(TYPES);
        let default = match kind {
            "bool" => "false".to_owned(),
            "int" | "port" => format!("{}", 1000 + rng.below(9000)),
            "path" => format!("\"/var/lib/{name}\""),
            "package" => format!("pkgs.{}", rng.pick(WORDS)),
            _ => format!("\"{}\"", rng.pick(WORDS)),
        };
        out.push_str(&format!(
            "    option{option} = mkOption {{\n      type = types.{kind};\n      default = {default};\n      description = ''\n        Setting number {option} of {name}, see\n        <https://example.org/{name}/docs#{option}>.\n      '';\n    }};\n\n"
        ));
    }
    out.push_str("    settings = mkOption {\n      type = settingsFormat.type;\n      default = { };\n    };\n  };\n\n");
    out.push_str("  config = mkIf cfg.enable {\n");
    out.push_str("    environment.systemPackages = [ cfg.package ];\n\n");
    out.push_str(&format!(
        "    systemd.services.{name} = {{\n      description = \"{name} daemon\";\n      wantedBy = [ \"multi-user.target\" ];\n      after = [ \"network.target\" ];\n      serviceConfig = {{\n        ExecStart = \"${{cfg.package}}/bin/{name} --config ${{configFile}}\";\n        DynamicUser = true;\n        StateDirectory = \"{name}\";\n        Restart = \"on-failure\";\n      }};\n    }};\n"
    ));
    if rng.chance(40) {
        out.push_str(&format!(
            "\n    networking.firewall.allowedTCPPorts = if cfg.openFirewall then [ cfg.port ] else [ ];\n    users.groups.{name} = {{ }};\n"
        ));
    }
    if rng.chance(20) {
        out.push_str("    assertions = [\n      {\n        assertion = cfg.enable == true;\n        message = \"always\";\n      }\n    ];\n");
    }
    out.push_str("  };\n}\n");
    out
}

fn package(rng: &mut Rng, name: &str) -> String {
    let inputs: Vec<&str> = (0..1 + rng.below(6)).map(|_| rng.pick(WORDS)).collect();
    let mut unique = inputs.clone();
    unique.sort_unstable();
    unique.dedup();
    let mut out = String::from("{\n  lib,\n  stdenv,\n  fetchFromGitHub,\n");
    for input in &unique {
        out.push_str(&format!("  {input},\n"));
    }
    out.push_str("}:\n\n");
    out.push_str(&format!(
        "stdenv.mkDerivation rec {{\n  pname = \"{name}\";\n  version = \"{}.{}.{}\";\n\n  src = fetchFromGitHub {{\n    owner = \"{name}-org\";\n    repo = pname;\n    rev = \"v${{version}}\";\n    hash = \"sha256-{}\";\n  }};\n\n",
        rng.below(10),
        rng.below(30),
        rng.below(10),
        "A".repeat(43) + "="
    ));
    out.push_str("  buildInputs = [\n");
    for input in unique.iter().take(unique.len().saturating_sub(1)) {
        out.push_str(&format!("    {input}\n"));
    }
    out.push_str("  ];\n\n");
    if rng.chance(50) {
        out.push_str(
            "  postInstall = ''\n    mkdir -p $out/share\n    cp -r docs $out/share/\n  '';\n\n",
        );
    }
    out.push_str(&format!(
        "  meta = with lib; {{\n    description = \"The {name} tool\";\n    homepage = \"https://github.com/{name}-org/{name}\";\n    license = licenses.mit;\n    maintainers = with maintainers; [ ];\n    platforms = platforms.unix;\n  }};\n}}\n"
    ));
    out
}

fn library(rng: &mut Rng, name: &str) -> String {
    let mut out = format!("# Helpers for {name}.\n{{ lib }}:\n\nrec {{\n");
    for index in 0..3 + rng.below(8) {
        match rng.below(4) {
            0 => out.push_str(&format!(
                "  mapNames{index} = f: attrs: lib.mapAttrs' (name: value: lib.nameValuePair (f name) value) attrs;\n\n"
            )),
            1 => out.push_str(&format!(
                "  filter{index} = pred: list: builtins.filter (x: pred x) list;\n\n"
            )),
            2 => out.push_str(&format!(
                "  render{index} = value:\n    let\n      inner = builtins.toJSON value;\n      quoted = \"'${{inner}}'\";\n    in\n    if value == null then \"\" else quoted;\n\n"
            )),
            _ => out.push_str(&format!(
                "  merge{index} = a: b: a // b // {{ extra = lib.concatStringsSep \",\" [ \"a\" \"b\" ]; }};\n\n"
            )),
        }
    }
    out.push_str("}\n");
    out
}

fn flake(rng: &mut Rng, name: &str) -> String {
    let mut out = format!(
        "{{\n  description = \"The {name} host\";\n\n  inputs = {{\n    nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n    home-manager = {{\n      url = \"github:nix-community/home-manager\";\n      inputs.nixpkgs.follows = \"nixpkgs\";\n    }};\n  }};\n\n"
    );
    out.push_str("  outputs = { self, nixpkgs, home-manager, ... }@inputs: {\n");
    out.push_str(&format!(
        "    nixosConfigurations.{name} = nixpkgs.lib.nixosSystem {{\n      system = \"x86_64-linux\";\n      specialArgs = {{ inherit inputs; }};\n      modules = [\n        ./configuration.nix\n        home-manager.nixosModules.home-manager\n"
    ));
    for _ in 0..rng.below(4) {
        out.push_str(&format!("        ../../modules/{}.nix\n", rng.pick(WORDS)));
    }
    out.push_str("      ];\n    };\n  };\n}\n");
    out
}
