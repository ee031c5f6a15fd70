{
  description = "A well-kept flake";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs =
    { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (
      system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
      in
      {
        packages.default = pkgs.hello;
        devShells.default = pkgs.mkShell { packages = [ pkgs.nixfmt ]; };
        checks.default = self.packages.${system}.default;
        formatter = pkgs.nixfmt-tree;
      }
    );
}
