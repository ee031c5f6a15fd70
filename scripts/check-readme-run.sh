#!/usr/bin/env bash
# Runs the command of README.md's "Try it" section as it is written there, from the repository's
# root: it must build nixwise and report the examples' findings, ending with exit code 1 as the
# README says. Keeps the README's first command true.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command=$(awk '/^## Try it/ { section = 1 } section && /^```sh/ { block = 1; next } block { print; exit }' README.md)
if [ -z "$command" ]; then
  echo "check-readme-run: no command found in the \"Try it\" section of README.md" >&2
  exit 1
fi
echo "check-readme-run: $command" >&2
output=$(bash -c "$command" 2>&1)
status=$?
if [ "$status" -ne 1 ]; then
  printf '%s\n' "$output" >&2
  echo "check-readme-run: exit code $status, the README promises 1 (findings reported)" >&2
  exit 1
fi
summary=$(grep -o "^Found [0-9]* problems\?" <<<"$output" | head -1)
if [ -z "$summary" ]; then
  printf '%s\n' "$output" >&2
  echo "check-readme-run: no summary of findings in the output" >&2
  exit 1
fi
echo "check-readme-run: ok ($summary, exit code 1)" >&2
