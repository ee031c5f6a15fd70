#!/usr/bin/env bash
# Times `nixwise check` over a folder of Nix files against the other Nix tools that are installed,
# and prints the ratios. Nothing is built or downloaded here: point the variables at binaries.
#
#   NIXWISE=target/release/nixwise   (default; built with `cargo build --release`)
#   STATIX=/path/to/statix DEADNIX=/path/to/deadnix NIL=/path/to/nil   (each optional)
#   RUNS=5                             (runs per tool; the median is reported)
#   scripts/bench-compare.sh FOLDER
#
# Uses hyperfine when it is on PATH, else repeats each command and takes the median itself.
set -euo pipefail

folder=${1:?usage: scripts/bench-compare.sh FOLDER}
nixwise=${NIXWISE:-target/release/nixwise}
runs=${RUNS:-5}
files=$(find "$folder" -name '*.nix' -type f | wc -l)
bytes=$(find "$folder" -name '*.nix' -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
echo "corpus: $folder, $files .nix files, $bytes bytes, $(nproc) cores, $runs runs each"

# Median wall-clock seconds and median user+system CPU seconds of a command, output discarded.
measure() {
  local walls=() cpus=() times
  times=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S' -o "$times" "$@" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -1 "$times")
    walls+=("$wall")
    cpus+=("$(echo "$user + $sys" | bc)")
  done
  rm -f "$times"
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  echo "$wall $cpu"
}

declare -A wall cpu
run() {
  local name=$1
  shift
  read -r "wall[$name]" "cpu[$name]" <<<"$(measure "$@")"
  printf '%-28s %7.3f s wall %7.3f s cpu\n' "$name" "${wall[$name]}" "${cpu[$name]}"
}

if command -v hyperfine >/dev/null; then
  commands=("$nixwise check --color never $folder")
  [[ -n ${STATIX:-} ]] && commands+=("$STATIX check $folder")
  [[ -n ${DEADNIX:-} ]] && commands+=("$DEADNIX $folder")
  hyperfine --ignore-failure --warmup 1 --runs "$runs" "${commands[@]}" || true
fi

run "nixwise check" "$nixwise" check --color never "$folder"
RAYON_NUM_THREADS=1 run "nixwise check, one thread" "$nixwise" check --color never "$folder"
[[ -n ${STATIX:-} ]] && run statix "$STATIX" check "$folder"
[[ -n ${DEADNIX:-} ]] && run deadnix "$DEADNIX" "$folder"
if [[ -n ${NIL:-} ]]; then
  # `nil diagnostics` takes many files; xargs hands it as many as a command line holds.
  run nil bash -c "find '$folder' -name '*.nix' -type f -print0 | xargs -0 '$NIL' diagnostics"
fi
tiny=$(mktemp --suffix=.nix)
echo '{ a = 1; }' >"$tiny"
run "nixwise, one tiny file" "$nixwise" check --color never "$tiny"
[[ -n ${STATIX:-} ]] && run "statix, one tiny file" "$STATIX" check "$tiny"
[[ -n ${DEADNIX:-} ]] && run "deadnix, one tiny file" "$DEADNIX" "$tiny"
rm -f "$tiny"

ratio() {
  if [[ $(echo "$2 == 0" | bc) == 1 ]]; then echo "n/a (below the timer's 10 ms resolution)"; else echo "scale=3; $1 / $2" | bc; fi
}
echo
if [[ -n ${STATIX:-} && -n ${DEADNIX:-} ]]; then
  both=$(echo "${wall[statix]} + ${wall[deadnix]}" | bc)
  echo "nixwise / (statix + deadnix), wall: $(ratio "${wall[nixwise check]}" "$both") (target ≤ 0.25)"
fi
if [[ -n ${NIL:-} ]]; then
  echo "nixwise / nil, wall: $(ratio "${wall[nixwise check]}" "${wall[nil]}") (target ≤ 0.5)"
fi
if [[ -n ${STATIX:-} ]]; then
  echo "start-up, nixwise / statix: $(ratio "${wall[nixwise, one tiny file]}" "${wall[statix, one tiny file]}") (target ≤ 1)"
fi
