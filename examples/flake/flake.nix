{
  description = "hello-service: a tiny HTTP service, its package and its development shell";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs =
    {
      self,
      nixpkgs,
      flake-utils,
    }:
    flake-utils.lib.eachDefaultSystem (
      system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        # Reads NIX_PATH instead of the pinned input, which pure evaluation forbids.
        lib = (import <nixpkgs> { }).lib;
        isLinux = lib.hasSuffix "-linux" system;
      in
      {
        packages.default = pkgs.writeShellApplication {
          name = "hello-service";
          runtimeInputs = [ pkgs.python3 ];
          text = ''
            exec python3 -m http.server "''${PORT:-8080}"
          '';
          meta = {
            description = "A tiny HTTP service";
            homepage = https://example.org/hello-service;
            license = lib.licenses.mit;
          };
        };

        apps.default = {
          type = "app";
          program = "${self.packages.${system}.default}/bin/hello-service";
        };

        devShells.default = pkgs.mkShell {
          packages = [
            pkgs.python3
            pkgs.shellcheck
          ] ++ lib.optional (isLinux == true) pkgs.strace;
          shellHook = let in ''
            echo "python $(python3 --version)"
          '';
        };
      }
    );
}
