{
  lib,
  stdenv,
  fetchFromGitHub,
  cmake,
  zlib,
  withTests ? true,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "libexample";
  version = "2.4.1";

  src = fetchFromGitHub {
    owner = "example";
    repo = "libexample";
    rev = "v${finalAttrs.version}";
    hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };

  nativeBuildInputs = [ cmake ];
  buildInputs = [ zlib ];

  cmakeFlags = [ (lib.cmakeBool "BUILD_TESTING" withTests) ];
  doCheck = withTests;

  meta = {
    description = "An example library";
    homepage = "https://example.org/libexample";
    license = lib.licenses.mit;
    platforms = lib.platforms.unix;
  };
})
