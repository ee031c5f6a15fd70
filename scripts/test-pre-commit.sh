#!/usr/bin/env bash
# The hooks of .pre-commit-hooks.yaml run by pre-commit itself (`pre-commit try-repo`) on a
# throw-away Git repository: nixwise-check fails on a finding and passes on a clean file,
# nixwise-fix rewrites the file with the safe fix.
#
# Usage: bash scripts/test-pre-commit.sh
# Needs pre-commit (`pip install pre-commit`) and git. Builds nixwise with `cargo build` unless
# NIXWISE_BIN names a binary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v pre-commit >/dev/null 2>&1; then
  echo "pre-commit test: pre-commit is not installed (pip install pre-commit)" >&2
  exit 1
fi
if [[ -z ${NIXWISE_BIN:-} ]]; then
  (cd "$root" && cargo build --quiet --bin nixwise)
  NIXWISE_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/nixwise"
fi
bin_dir=$(cd "$(dirname "$NIXWISE_BIN")" && pwd)
export PATH="$bin_dir:$PATH"
export PRE_COMMIT_HOME="${TMPDIR:-/tmp}/nixwise-pre-commit-cache"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q .
git config user.email test@example.org
git config user.name test
: >nixwise.toml
printf '{ enable = (1 < 2) == true; }\n' >bad.nix
printf '{ enable = 1 < 2; }\n' >good.nix
git add . && git commit -qm fixtures

fail() {
  echo "pre-commit test: FAIL: $*" >&2
  exit 1
}

if pre-commit try-repo "$root" nixwise-check --files bad.nix >out.txt 2>&1; then
  cat out.txt >&2
  fail "nixwise-check passed on a file with a finding"
fi
grep -q 'bool-comparison' out.txt || { cat out.txt >&2; fail "nixwise-check did not name the finding"; }

pre-commit try-repo "$root" nixwise-check --files good.nix >out.txt 2>&1 ||
  { cat out.txt >&2; fail "nixwise-check failed on a clean file"; }

# pre-commit fails a hook that changed files: that is the expected outcome here.
pre-commit try-repo "$root" nixwise-fix --files bad.nix >out.txt 2>&1 || true
[[ $(cat bad.nix) == '{ enable = 1 < 2; }' ]] || { cat out.txt >&2; fail "nixwise-fix left: $(cat bad.nix)"; }
grep -q 'files were modified by this hook' out.txt || { cat out.txt >&2; fail "pre-commit did not see the fix"; }

echo "pre-commit test: PASS" >&2
