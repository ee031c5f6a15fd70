# A small C program, written to be called with `pkgs.callPackage ./default.nix { }`.
{
  lib,
  stdenv,
  fetchurl,
  pkg-config,
  openssl,
  zlib,
  withTls ? true,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "tinyhttpd";
  version = "2.4.1";

  src = fetchurl {
    url = https://example.org/releases/tinyhttpd-2.4.1.tar.gz;
    hash = "sha256-3Wq9pT8rTn0fC2aXHk1vQm6bYdJ5sL4eR7uN8oI2gZE=";
  };

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ zlib ] ++ lib.optional withTls openssl;

  configureFlags = lib.optional (withTls == false) "--without-tls";

  enableParallelBuilding = true;
  doCheck = stdenv.buildPlatform.canExecute stdenv.hostPlatform == true;

  passthru = {
    inherit (finalAttrs) ;
    tests.version = (import <nixpkgs> { }).testers.testVersion {
      package = finalAttrs.finalPackage;
    };
  };

  meta = {
    description = "A small HTTP server";
    homepage = http://example.org/tinyhttpd;
    license = lib.licenses.bsd2;
    platforms = lib.platforms.unix;
    mainProgram = "tinyhttpd";
  };
})
