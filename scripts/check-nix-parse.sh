#!/usr/bin/env bash
# Checks with Nix's own parser that flake.nix, the examples and the editor fixtures parse, and that
# examples/broken.nix, which shows diagnostics on a file that does not parse, still does not.
#
# Usage: scripts/check-nix-parse.sh     (needs `nix-instantiate`; Debian: apt-get install nix-bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "nix parse check: nix-instantiate is not installed (Debian: apt-get install nix-bin)" >&2
  exit 1
fi

# The files that must not parse.
broken=(examples/broken.nix)

is_broken() {
  local file
  for file in "${broken[@]}"; do
    [[ $1 == "$file" ]] && return 0
  done
  return 1
}

parse() {
  # The dummy store lets the parser run without a Nix daemon or a /nix/store.
  nix-instantiate --store dummy:// --parse "$1" </dev/null >/dev/null
}

failures=0
count=0
while IFS= read -r file; do
  count=$((count + 1))
  if is_broken "$file"; then
    if parse "$file" 2>/dev/null; then
      echo "FAIL $file parses, but it is meant to hold a syntax error" >&2
      failures=$((failures + 1))
    else
      echo "ok   $file does not parse, as intended" >&2
    fi
  elif errors=$(parse "$file" 2>&1); then
    echo "ok   $file" >&2
  else
    echo "FAIL $file does not parse:" >&2
    while IFS= read -r line; do
      echo "     $line" >&2
    done <<<"$errors"
    failures=$((failures + 1))
  fi
done < <(find flake.nix examples editors -name '*.nix' -not -path '*/node_modules/*' 2>/dev/null | LC_ALL=C sort)

for file in "${broken[@]}"; do
  if [[ ! -f $file ]]; then
    echo "FAIL $file is missing" >&2
    failures=$((failures + 1))
  fi
done

if ((count == 0)); then
  echo "nix parse check: no files found" >&2
  exit 1
fi
if ((failures > 0)); then
  echo "nix parse check: $failures of $count files failed" >&2
  exit 1
fi
echo "nix parse check: $count files as expected" >&2
