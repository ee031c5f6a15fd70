#!/usr/bin/env bash
# Evaluates the flake's `lib.mkCheck` with Nix's own evaluator, without nixpkgs (which is not
# here offline): the flake's outputs are called with a stand-in `nixpkgs.lib` and `pkgs` that
# record what mkCheck asks for, and the resulting derivation's name, inputs and script are checked.
#
# Usage: bash scripts/check-flake-lib.sh   (needs `nix-instantiate`; Debian: apt-get install nix-bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "flake lib check: nix-instantiate is not installed (Debian: apt-get install nix-bin)" >&2
  exit 1
fi

expression='
let
  flake = import ./flake.nix;
  # As nixpkgs: each argument single-quoted, joined by spaces.
  lib.escapeShellArgs = args: builtins.concatStringsSep " " (map (arg: "'"'"'${arg}'"'"'") args);
  outputs = flake.outputs {
    self = outputs;
    nixpkgs = { inherit lib; };
  };
  pkgs = {
    stdenv.hostPlatform.system = "x86_64-linux";
    runCommand = name: env: script: { inherit name env script; };
  };
  withArgs = outputs.lib.mkCheck {
    inherit pkgs;
    src = "/nix/store/src";
    nixwise = "NIXWISE";
    args = [ "--fail-level" "error" "modules/" ];
  };
  defaults = outputs.lib.mkCheck {
    pkgs = pkgs // { stdenv.hostPlatform.system = "aarch64-linux"; };
    src = "/nix/store/src";
    nixwise = "NIXWISE";
  };
in
{
  inherit (withArgs) name script;
  inputs = withArgs.env.nativeBuildInputs;
  defaultScript = defaults.script;
  defaultName = defaults.name;
}
'
actual=$(nix-instantiate --eval --strict --json --expr "$expression")
expected='{"defaultName":"nixwise-check","defaultScript":"cd /nix/store/src\nnixwise check --color never \ntouch $out\n","inputs":["NIXWISE"],"name":"nixwise-check","script":"cd /nix/store/src\nnixwise check --color never '"'"'--fail-level'"'"' '"'"'error'"'"' '"'"'modules/'"'"'\ntouch $out\n"}'
if [[ $actual != "$expected" ]]; then
  echo "flake lib check: FAIL: lib.mkCheck gave" >&2
  echo "  $actual" >&2
  echo "expected" >&2
  echo "  $expected" >&2
  exit 1
fi
echo "flake lib check: PASS" >&2
