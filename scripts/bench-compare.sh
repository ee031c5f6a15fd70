#!/usr/bin/env bash
# Times `nixwise check` over a folder of Nix files against the other Nix tools that are installed,
# and prints the ratios. Nothing is built or downloaded here: point the variables at binaries.
#
#   NIXWISE=target/release/nixwise   (default; built with `cargo build --release`)
#   STATIX=/path/to/statix DEADNIX=/path/to/deadnix NIL=/path/to/nil   (each optional)
#   RUNS=5                             (runs per tool; the median is reported)
#   TINY_RUNS=300                      (hyperfine's runs per tool on a tiny file)
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

tiny=$(mktemp --suffix=.nix)
echo '{ a = 1; }' >"$tiny"

# hyperfine's means, in seconds, by name: finer than `time`'s 10 ms, so they give ratios too.
declare -A mean
# Runs one hyperfine group: its options, then `--` and pairs of a name and a command.
hyperfine_means() {
  local options=() names=() commands=()
  while [[ $1 != -- ]]; do
    options+=("$1")
    shift
  done
  shift
  while (($# > 0)); do
    names+=("$1") commands+=("$2")
    shift 2
  done
  local csv
  csv=$(mktemp --suffix=.csv)
  if hyperfine --ignore-failure "${options[@]}" --export-csv "$csv" "${commands[@]}"; then
    # One row per command, in order, after a header; the mean is the seventh field from the end.
    local means index
    mapfile -t means < <(tail -n +2 "$csv" | awk -F, '{ print $(NF - 6) }')
    for index in "${!names[@]}"; do
      mean[${names[$index]}]=${means[$index]:-}
    done
  fi
  rm -f "$csv"
}
if command -v hyperfine >/dev/null; then
  group=("nixwise check" "'$nixwise' check --color never '$folder'")
  [[ -n ${STATIX:-} ]] && group+=(statix "'$STATIX' check '$folder'")
  [[ -n ${DEADNIX:-} ]] && group+=(deadnix "'$DEADNIX' '$folder'")
  [[ -n ${NIL:-} ]] && group+=(nil "find '$folder' -name '*.nix' -type f -print0 | xargs -0 '$NIL' diagnostics")
  hyperfine_means --warmup 1 --runs "$runs" -- "${group[@]}"
  # A run on a tiny file takes a millisecond or two: no shell (`-N`), whose start-up hyperfine
  # can only subtract to within a few milliseconds, and many runs.
  group=("nixwise, one tiny file" "'$nixwise' check --color never '$tiny'")
  [[ -n ${STATIX:-} ]] && group+=("statix, one tiny file" "'$STATIX' check '$tiny'")
  [[ -n ${DEADNIX:-} ]] && group+=("deadnix, one tiny file" "'$DEADNIX' '$tiny'")
  hyperfine_means -N --warmup 30 --runs "${TINY_RUNS:-300}" -- "${group[@]}"
fi

run "nixwise check" "$nixwise" check --color never "$folder"
RAYON_NUM_THREADS=1 run "nixwise check, one thread" "$nixwise" check --color never "$folder"
[[ -n ${STATIX:-} ]] && run statix "$STATIX" check "$folder"
[[ -n ${DEADNIX:-} ]] && run deadnix "$DEADNIX" "$folder"
if [[ -n ${NIL:-} ]]; then
  # `nil diagnostics` takes many files; xargs hands it as many as a command line holds.
  run nil bash -c "find '$folder' -name '*.nix' -type f -print0 | xargs -0 '$NIL' diagnostics"
fi
run "nixwise, one tiny file" "$nixwise" check --color never "$tiny"
[[ -n ${STATIX:-} ]] && run "statix, one tiny file" "$STATIX" check "$tiny"
[[ -n ${DEADNIX:-} ]] && run "deadnix, one tiny file" "$DEADNIX" "$tiny"
rm -f "$tiny"

ratio() {
  if [[ $(echo "$2 == 0" | bc) == 1 ]]; then echo "n/a (below the timer's 10 ms resolution)"; else echo "scale=3; $1 / $2" | bc; fi
}
echo
echo "by the medians of time:"
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
if [[ -n ${mean[nixwise check]:-} ]]; then
  echo
  echo "by hyperfine's means:"
  if [[ -n ${mean[statix]:-} && -n ${mean[deadnix]:-} ]]; then
    both=$(echo "${mean[statix]} + ${mean[deadnix]}" | bc -l)
    echo "nixwise / (statix + deadnix), wall: $(echo "scale=3; ${mean[nixwise check]} / $both" | bc -l) (target ≤ 0.25)"
  fi
  if [[ -n ${mean[nil]:-} ]]; then
    echo "nixwise / nil, wall: $(echo "scale=3; ${mean[nixwise check]} / ${mean[nil]}" | bc -l) (target ≤ 0.5)"
  fi
  if [[ -n ${mean[statix, one tiny file]:-} ]]; then
    echo "start-up, nixwise / statix: $(echo "scale=3; ${mean[nixwise, one tiny file]} / ${mean[statix, one tiny file]}" | bc -l) (target ≤ 1)"
  fi
fi
