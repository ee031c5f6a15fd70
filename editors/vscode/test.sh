#!/usr/bin/env bash
# The VS Code extension's whole check: install the locked dependencies, type-check, build, run the
# tests (pure logic, activate() in a fake VS Code, the protocol against the built server, SARIF
# schema validation), then package the .vsix and check that it holds the compiled extension.
#
# Usage: bash editors/vscode/test.sh
# Needs Node.js 20 or newer with npm. Builds nixwise with `cargo build` unless NIXWISE_BIN names a
# binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "vscode test: Node.js 20 or newer and npm are needed (https://nodejs.org)" >&2
  exit 1
fi

if [[ -z ${NIXWISE_BIN:-} ]]; then
  (cd "$root" && cargo build --quiet --bin nixwise)
  NIXWISE_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/nixwise"
fi
export NIXWISE_BIN

echo "vscode test: npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "vscode test: type check" >&2
npx --no-install tsc --noEmit -p .
echo "vscode test: build and test" >&2
npm test
echo "vscode test: package" >&2
rm -f nixwise.vsix
npx --no-install vsce package --no-dependencies --skip-license -o nixwise.vsix

listing=$(unzip -l nixwise.vsix)
for entry in extension/dist/extension.js extension/package.json extension.vsixmanifest; do
  if ! grep -q " $entry\$" <<<"$listing"; then
    echo "vscode test: FAIL: nixwise.vsix lacks $entry" >&2
    echo "$listing" >&2
    exit 1
  fi
done
# The bundle must hold the language client, since node_modules is not packaged.
bundle=$(unzip -p nixwise.vsix extension/dist/extension.js)
if [[ $bundle != *workspace/configuration* ]]; then
  echo "vscode test: FAIL: the bundled extension does not contain the language client" >&2
  exit 1
fi
echo "vscode test: PASS ($(wc -c <nixwise.vsix) bytes in nixwise.vsix)" >&2
