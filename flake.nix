{
  description = "nixwise: a language server and linter for Nix, with DevOps best-practice hints";

  # The lock is written by `nix flake lock` where nixpkgs can be fetched; none is committed yet.
  # nixwise: ignore[lock-missing-or-invalid] until then
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];

      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      cargoToml = lib.importTOML ./Cargo.toml;

      # The crates and the files their tests read; the rest of the repository does not change the
      # build.
      crateSource = lib.fileset.toSource {
        root = ./.;
        fileset = lib.fileset.unions [
          ./Cargo.toml
          ./Cargo.lock
          ./syntax
          ./lints
          ./server
          (lib.fileset.maybeMissing ./docs)
          (lib.fileset.maybeMissing ./editors)
          (lib.fileset.maybeMissing ./examples)
        ];
      };

      # The repository's own Nix files, with the lock the lints read beside flake.nix. examples/ is
      # left out because it is dirty on purpose; nixwise.toml excludes the test fixtures.
      nixSource = lib.fileset.toSource {
        root = ./.;
        fileset = lib.fileset.difference (lib.fileset.unions [
          ./nixwise.toml
          (lib.fileset.maybeMissing ./flake.lock)
          (lib.fileset.fileFilter (file: file.hasExt "nix") ./.)
        ]) ./examples;
      };
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.rustPlatform.buildRustPackage {
          pname = "nixwise";
          inherit (cargoToml.workspace.package) version;
          src = crateSource;
          cargoLock.lockFile = ./Cargo.lock;
          # The check phase runs `cargo test` over the whole workspace.
          doCheck = true;
          meta = {
            description = "Language server and linter for Nix, with DevOps best-practice hints";
            homepage = "https://github.com/nixwise/nixwise";
            license = [
              lib.licenses.mit
              lib.licenses.asl20
            ];
            mainProgram = "nixwise";
          };
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.default;
          meta.description = "Run nixwise";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.cargo
            pkgs.rustc
            pkgs.clippy
            pkgs.rustfmt
            pkgs.rust-analyzer
            # The RFC 166 formatter, formerly published as nixfmt-rfc-style.
            pkgs.nixfmt
            pkgs.nix
            pkgs.neovim
          ];
          RUST_SRC_PATH = "${pkgs.rustPlatform.rustLibSrc}";
        };
      });

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;

        # nixwise holds its own Nix files to its lints, through the function it offers others.
        lint = self.lib.mkCheck {
          inherit pkgs;
          src = nixSource;
          name = "nixwise-lint";
        };
      });

      # For other flakes: `checks.<system>.nixwise = nixwise.lib.mkCheck { inherit pkgs; src = ./.; };`
      # builds a derivation that runs `nixwise check` over `src` and fails the build on findings at
      # or above the fail level. Documented in docs/ci.md.
      lib.mkCheck =
        {
          # The package set of the system the check is built for.
          pkgs,
          # The files to check: a path or a source derivation, with its nixwise.toml if it has one.
          src,
          # The nixwise to run; by default this flake's build for the same system.
          nixwise ? self.packages.${pkgs.stdenv.hostPlatform.system}.default,
          # More arguments for `nixwise check`, for example [ "--fail-level" "error" "modules/" ].
          args ? [ ],
          name ? "nixwise-check",
        }:
        pkgs.runCommand name { nativeBuildInputs = [ nixwise ]; } ''
          cd ${src}
          nixwise check --color never ${lib.escapeShellArgs args}
          touch $out
        '';

      # nixfmt over the whole tree: `nix fmt` without arguments passes no paths to the formatter.
      formatter = forAllSystems (pkgs: pkgs.nixfmt-tree);
    };
}
