#!/usr/bin/env bash
# Seeds the corpus of every fuzz target from the repository's fixtures: the lint corpus and the
# examples for parse_lint_fix, the hand-written samples in fuzz/seeds/ for the others.
# Usage: bash fuzz/seed.sh   (then: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run <target>)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=..
for target in parse_lint_fix flake_lock config lsp_messages; do
  mkdir -p "corpus/$target"
done
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "corpus/parse_lint_fix/fixture-$n.nix"
done < <(find "$root/lints/tests/corpus" "$root/examples" "$root/editors" -name '*.nix' -print0)
cp "$root/flake.nix" corpus/parse_lint_fix/repository-flake.nix
cp seeds/flake_lock/* corpus/flake_lock/
cp seeds/config/* corpus/config/
cp "$root/nixwise.toml" corpus/config/nixwise.toml
cp seeds/lsp_messages/* corpus/lsp_messages/
echo "seeded: $(ls corpus/parse_lint_fix | wc -l) nix, $(ls corpus/flake_lock | wc -l) lock, $(ls corpus/config | wc -l) config, $(ls corpus/lsp_messages | wc -l) lsp inputs" >&2
