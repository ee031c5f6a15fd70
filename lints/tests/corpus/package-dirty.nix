{ lib, stdenv, fetchurl, perl, python3, ... }:

let
  version = "0.9.3";
  legacy = let {
    body = "${version}-legacy";
  };
in
stdenv.mkDerivation {
  pname = "oldtool";
  inherit version;

  src = fetchurl {
    url = "https://example.org/oldtool-${version}.tar.gz";
    sha256 = "0000000000000000000000000000000000000000000000000000";
  };

  buildInputs = [ perl ];
  doCheck = (stdenv.hostPlatform == stdenv.buildPlatform) == true;
  dontStrip = let in false;

  meta = with lib; {
    homepage = http://example.org/oldtool;
    license = licenses.gpl2Plus;
  };
}
