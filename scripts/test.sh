#!/usr/bin/env bash
# The whole test suite: the Rust tests of every crate, the end-to-end tests with real clients
# (Neovim headless; the VS Code extension's tests, which also build its .vsix and validate the
# SARIF output; pre-commit running the hooks), Nix's own parser and evaluator over flake.nix
# and the examples, and README.md's first command as it is written there.
#
# Usage: bash scripts/test.sh
# On Debian or Ubuntu it installs what is missing (nix-bin, neovim) with apt-get, through sudo
# when not run as root, and pre-commit with pip. Needs the Rust toolchain (cargo) from
# https://rustup.rs and Node.js 20 or newer with npm (https://nodejs.org).
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

install_pre_commit() {
  command -v pre-commit >/dev/null 2>&1 && return 0
  if ! command -v python3 >/dev/null 2>&1; then
    echo "test: please install pre-commit (https://pre-commit.com); there is no python3 here" >&2
    return 1
  fi
  echo "==> installing pre-commit" >&2
  local user=()
  [[ $(id -u) -ne 0 ]] && user=(--user)
  python3 -m pip install -q "${user[@]}" pre-commit >/dev/null 2>&1 ||
    python3 -m pip install -q "${user[@]}" --break-system-packages pre-commit >/dev/null
  hash -r
  if ! command -v pre-commit >/dev/null 2>&1; then
    PATH="$(python3 -m site --user-base)/bin:$PATH"
  fi
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "test: cargo is not installed; install the Rust toolchain from https://rustup.rs" >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test: Node.js 20 or newer with npm is needed for the VS Code extension (https://nodejs.org)" >&2
  exit 1
fi
install_missing
install_pre_commit

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
# One build of the binary for the client tests below.
step "cargo build" cargo build --quiet --bin nixwise
export NIXWISE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/nixwise"
step "neovim end-to-end test" bash editors/neovim/test/run.sh
step "vs code extension test and .vsix" bash editors/vscode/test.sh
step "pre-commit hooks test" bash scripts/test-pre-commit.sh
step "nix parse check" bash scripts/check-nix-parse.sh
step "flake lib.mkCheck check" bash scripts/check-flake-lib.sh
step "README's first command" bash scripts/check-readme-run.sh

if ((${#failed[@]} > 0)); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all passed" >&2
