{
  inputs.nixpkgs.url = "nixpkgs";

  outputs = { self, nixpkgs, home-manager }:
    let
      pkgs = import <nixpkgs> { system = "x86_64-linux"; };
      unused = pkgs.hello;
    in
    {
      defaultPackage.x86_64-linux = pkgs.hello;
      devShell.x86_64-linux = pkgs.mkShell { buildInputs = [ pkgs.git ]; };
      homepage = https://example.org;
    };
}
