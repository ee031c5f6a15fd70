#!/usr/bin/env bash
# The whole test suite: the Rust tests of every crate, the end-to-end test with Neovim as the LSP
# client, and Nix's own parser over flake.nix and the examples.
#
# Usage: bash scripts/test.sh
# On Debian or Ubuntu it installs what is missing (nix-bin, neovim) with apt-get, through sudo
# when not run as root. Needs the Rust toolchain (cargo) from https://rustup.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

install_missing() {
  local missing=()
  command -v nix-instantiate >/dev/null 2>&1 || missing+=(nix-bin)
  command -v nvim >/dev/null 2>&1 || missing+=(neovim)
  ((${#missing[@]} == 0)) && return 0

  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test: please install ${missing[*]} (Nix's nix-instantiate and Neovim); there is no apt-get here" >&2
    return 1
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "test: ${missing[*]} must be installed, which needs root or sudo" >&2
      return 1
    fi
    sudo="sudo"
  fi
  echo "==> installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "test: cargo is not installed; install the Rust toolchain from https://rustup.rs" >&2
  exit 1
fi
install_missing

failed=()
step() {
  local name=$1
  shift
  echo "==> $name" >&2
  if "$@"; then
    echo "==> $name: ok" >&2
  else
    echo "==> $name: FAILED" >&2
    failed+=("$name")
  fi
}

step "cargo test" cargo test --workspace --quiet
step "neovim end-to-end test" bash editors/neovim/test/run.sh
step "nix parse check" bash scripts/check-nix-parse.sh

if ((${#failed[@]} > 0)); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all passed" >&2
