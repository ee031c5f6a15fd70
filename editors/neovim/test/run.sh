#!/usr/bin/env bash
# End-to-end test with a real LSP client: Neovim, headless, attaches the built `nixwise server`
# through editors/neovim/nixwise.lua, then again as configured by editors/neovim/lsp/nixwise.lua,
# gets diagnostics, applies a quick fix and checks the buffer.
#
# Usage: editors/neovim/test/run.sh
# Builds nixwise with `cargo build` unless NIXWISE_BIN names a binary. Needs `nvim` (0.7 or newer).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)

if ! command -v nvim >/dev/null 2>&1; then
  echo "neovim test: nvim is not installed (Debian: apt-get install neovim)" >&2
  exit 1
fi

if [[ -z ${NIXWISE_BIN:-} ]]; then
  (cd "$root" && cargo build --quiet --bin nixwise)
  NIXWISE_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/nixwise"
fi
# Neovim runs in another folder: a relative path would name nothing there.
NIXWISE_BIN=$(realpath "$NIXWISE_BIN" 2>/dev/null || echo "$NIXWISE_BIN")
if [[ ! -x $NIXWISE_BIN ]]; then
  echo "neovim test: $NIXWISE_BIN is not an executable" >&2
  exit 1
fi

# Runs the test once with one way of configuring nixwise: `module` (nixwise.lua's attach) or
# `lsp-config` (lsp/nixwise.lua, the nvim-lspconfig form).
run_form() {
  local form=$1 lsp_config=""
  [[ $form == lsp-config ]] && lsp_config="$root/editors/neovim/lsp/nixwise.lua"

  # The fixture is copied out of the repository so that no nixwise.toml above it applies.
  local work
  work=$(mktemp -d)
  cp "$here/fixtures/web.nix" "$work/web.nix"
  : >"$work/result"

  echo "neovim test ($form): $(nvim --version | head -n 1), server $NIXWISE_BIN" >&2
  local status=0
  (
    cd "$work"
    NIXWISE_BIN="$NIXWISE_BIN" \
      NIXWISE_SNIPPET="$root/editors/neovim/nixwise.lua" \
      NIXWISE_LSP_CONFIG="$lsp_config" \
      NIXWISE_TEST_RESULT="$work/result" \
      timeout 120 nvim --headless -n -i NONE -u "$here/init.lua" web.nix </dev/null
  ) || status=$?

  # The result file guards against Neovim quitting with 0 for any reason other than a pass.
  local outcome=1
  if [[ $status -eq 0 ]] && [[ $(tail -n 1 "$work/result") == PASS ]]; then
    echo "neovim test ($form): PASS" >&2
    outcome=0
  else
    # Neovim's own last message may lack a line break.
    echo >&2
    if [[ $status -eq 124 ]]; then
      echo "neovim test ($form): FAIL: Neovim did not finish within 120 s" >&2
    elif ! grep -q '^FAIL' "$work/result"; then
      echo "neovim test ($form): FAIL: Neovim exited with $status without a result" >&2
    else
      echo "neovim test ($form): $(grep '^FAIL' "$work/result" | tail -n 1)" >&2
    fi
  fi
  rm -rf "$work"
  return $outcome
}

failed=0
run_form module || failed=1
run_form lsp-config || failed=1
exit $failed
