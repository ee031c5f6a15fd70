# This file does not parse: the binding of `version` lacks its semicolon. The other findings are
# still reported, because lints run on the parts of a broken file that could be read.
{
  pkgs ? import <nixpkgs> { },
}:

pkgs.stdenv.mkDerivation {
  pname = "broken";
  version = "1.0"
  dontUnpack = true;
  doCheck = (1 < 2) == true;
  installPhase = "touch $out";
}
