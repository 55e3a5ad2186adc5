#!/usr/bin/env bash
# Compile-time budget of graph capture (issue 3): generates four translation
# units (gen.py, from the *.cpp.in templates next to this script),
#   baseline     the umbrella header and a 6-node traced call: the floor
#   chain        a ~200-node elementwise chain, traced and called once
#   chain_eager  the same chain evaluated without trace(): the expression's
#                own cost, without the graph (not held to the budget)
#   multi_output a ~50-node graph with 10 outputs returned as a std::tuple
# compiles each under /usr/bin/time -v, one at a time, and prints wall
# seconds, CPU seconds (user + sys) and max RSS. Each object is then linked
# and run once (the run's status is printed; it is not timed).
# Budget: under 10 s and 2 GB per translation unit.
#
# usage: bench/compile_budget/run.sh [--rev REV] [--out DIR] [--only NAME] [-- gen.py options]
#   --rev REV   compile against include/ as committed at REV (exported with
#               git archive into OUT), not the working tree's include/
#   --out DIR   where sources, objects and reports go (default build/bench/compile_budget)
#   --only NAME compile only baseline, chain, chain_eager or multi_output
# env: CXX (default g++), CXXFLAGS (default: the bench preset's flags at -O2:
#      -std=c++20 -O2 -march=x86-64-v3 -Wall -Wextra), EIGEN_INCLUDE
#      (default /usr/include/eigen3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/build/bench/compile_budget"
rev=""
only=""
gen_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rev) rev="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --) shift; gen_args=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

cxx="${CXX:-g++}"
cxxflags="${CXXFLAGS:--std=c++20 -O2 -march=x86-64-v3 -Wall -Wextra}"
eigen="${EIGEN_INCLUDE:-/usr/include/eigen3}"
timer=/usr/bin/time
if [[ ! -x "$timer" ]]; then
  echo "run.sh: $timer not found (apt-get install -y time)" >&2
  exit 2
fi

mkdir -p "$out"
if [[ -n "$rev" ]]; then
  hash="$(git -C "$repo" rev-parse --short=12 "$rev")"
  inc_root="$out/src-$hash"
  if [[ ! -d "$inc_root/include" ]]; then
    mkdir -p "$inc_root"
    git -C "$repo" archive "$hash" include | tar -x -C "$inc_root"
  fi
  include="$inc_root/include"
  headers="include/ at commit $hash"
else
  include="$repo/include"
  hash="$(git -C "$repo" rev-parse --short=12 HEAD)"
  dirty="$(git -C "$repo" status --porcelain -- include | wc -l)"
  headers="working tree include/ (HEAD $hash, $dirty changed or new files under include/)"
fi

python3 "$here/gen.py" "$out" "${gen_args[@]}"

echo "compiler: $("$cxx" --version | head -n1)"
echo "flags:    $cxxflags -I <include> -isystem $eigen -c"
echo "headers:  $headers"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo

# Seconds from time -v's "h:mm:ss" or "m:ss.cc".
to_seconds() {
  awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }' <<<"$1"
}

rows=()
for name in baseline chain chain_eager multi_output; do
  [[ -n "$only" && "$only" != "$name" ]] && continue
  src="$out/$name.cpp"
  obj="$out/$name.o"
  report="$out/$name.time.txt"
  log="$out/$name.compile.txt"
  rm -f "$obj"
  set +e
  # shellcheck disable=SC2086
  "$timer" -v -o "$report" "$cxx" $cxxflags -I "$include" -isystem "$eigen" -c "$src" -o "$obj" >"$log" 2>&1
  rc=$?
  set -e
  wall="$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$report")")"
  user="$(sed -n 's/.*User time (seconds): //p' "$report")"
  sys="$(sed -n 's/.*System time (seconds): //p' "$report")"
  rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")"
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  rss_mb="$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')"
  if [[ $name == baseline || $name == chain_eager ]]; then budget="-"; else budget="$(awk -v w="$wall" -v m="$rss_mb" 'BEGIN { print (w < 10 && m < 2048) ? "within" : "OVER" }')"; fi
  if [[ $rc -ne 0 ]]; then
    status="compile FAILED (rc $rc), first error:"
    rows+=("$(printf '%-13s %9.2f %9s %8s  %s' "$name" "$wall" "$cpu" "$rss_mb" "$status")")
    echo "== $name: compile failed; $log:"
    grep -m1 -A6 'error' "$log" || tail -n 20 "$log"
    continue
  fi
  # Link and run once (not timed).
  run_status="not run"
  if "$cxx" "$obj" -pthread -o "$out/$name" >>"$log" 2>&1; then
    set +e
    run_out="$("$out/$name" 2>&1)"
    run_rc=$?
    set -e
    echo "== $name: run (rc $run_rc)"
    echo "$run_out" | sed 's/^/   /'
    if [[ $run_rc -eq 0 ]]; then run_status="ran ok"; else run_status="run FAILED (rc $run_rc)"; fi
  else
    run_status="link FAILED (see $log)"
  fi
  if [[ -s "$log" ]]; then echo "   (compiler/linker output in $log)"; fi
  rows+=("$(printf '%-13s %9.2f %9s %8s  %-6s %s' "$name" "$wall" "$cpu" "$rss_mb" "$budget" "$run_status")")
done

echo
printf '%-13s %9s %9s %8s  %-6s %s\n' "TU" "wall [s]" "cpu [s]" "RSS [MB]" "budget" "call"
for r in "${rows[@]}"; do echo "$r"; done
echo "(budget: wall < 10 s and max RSS < 2048 MB; time -v reports in $out/*.time.txt)"
