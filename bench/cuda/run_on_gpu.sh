#!/usr/bin/env bash
# One call on the GPU machine: the CUDA tests, the same tests under
# compute-sanitizer's memcheck, the GPU benchmark, the tuning sweep, and the
# peer scripts (PyTorch eager / torch.compile, JAX jit) in the same session,
# so that their numbers compare. The programs are built beforehand on the
# development machine (nvcc compiles without a GPU) and carried in BIN:
#   cmake -S . -B build/cuda-gcc -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTRACE_BUILD_CUDA_BENCH=ON
#   ninja -C build/cuda-gcc test_cuda gpu_bench elementwise_tuning
#   mkdir -p .deps/bin && cp build/cuda-gcc/tests/cuda/test_cuda build/cuda-gcc/bench/cuda/{gpu_bench,elementwise_tuning} .deps/bin/
#   mkdir -p .deps/peers && cp ../shared/peers/*.py .deps/peers/
# Usage there: bench/cuda/run_on_gpu.sh [BIN] [PEERS]; results go to $OUT
# (or ./gpu_out): device.txt, tests.txt, memcheck.txt, ctrace.csv, tuning.csv,
# peers.csv, run.log. Each step has its own time limit so the whole stays
# under 10 minutes.
set -u
BIN=${1:-.deps/bin}
PEERS=${2:-.deps/peers}
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/run.log"; }

{
  date -u +"date: %Y-%m-%d %H:%M UTC"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit --format=csv
  nvcc --version 2>/dev/null | tail -2
  python3 -c 'import torch, jax; print("torch", torch.__version__, "jax", jax.__version__)' 2>/dev/null
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

log "tests"
timeout 90 "$BIN/test_cuda" > "$OUT/tests.txt" 2>&1
echo "test_cuda exit code: $?" >> "$OUT/tests.txt"
tail -4 "$OUT/tests.txt"

log "gpu_bench (run 1)"
timeout 60 "$BIN/gpu_bench" > "$OUT/ctrace.csv" 2>> "$OUT/run.log"
log "elementwise_tuning"
timeout 60 "$BIN/elementwise_tuning" > "$OUT/tuning.csv" 2>> "$OUT/run.log"

log "peers: torch"
(cd "$PEERS" && timeout 220 python3 gpu_peers.py) > "$OUT/peers.csv" 2>> "$OUT/run.log"
log "peers: jax"
(cd "$PEERS" && timeout 120 python3 jax_peers.py) >> "$OUT/peers.csv" 2>> "$OUT/run.log"

log "gpu_bench (run 2, after the peers)"
timeout 60 "$BIN/gpu_bench" 2>> "$OUT/run.log" | sed 's/,ctrace,/,ctrace_run2,/' | grep -v '^name,' >> "$OUT/ctrace.csv"

# memcheck over the whole suite (the out-of-memory and bad-launch tests make
# CUDA calls fail on purpose, which memcheck reports as API errors), then
# memcheck and initcheck without those two tests, where any report is a bug.
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
ON_PURPOSE='*out of memory*,*failed kernel launch*'
for step in "memcheck:" "memcheck:-tce=$ON_PURPOSE" "initcheck:-tce=$ON_PURPOSE"; do
  tool=${step%%:*}
  args=${step#*:}
  log "compute-sanitizer --tool $tool test_cuda $args"
  { echo "## compute-sanitizer --tool $tool test_cuda $args"
    timeout 100 "$SANITIZER" --tool "$tool" "$BIN/test_cuda" ${args:+"$args"} 2>&1
    echo "compute-sanitizer exit code: $?"; } >> "$OUT/memcheck.txt"
  grep -E "ERROR SUMMARY|test cases:|exit code" "$OUT/memcheck.txt" | tail -3
done

log "done"
echo "---- ctrace"; cat "$OUT/ctrace.csv"
echo "---- peers (elementwise rows)"; grep -E '^(copy|simple|ge)' "$OUT/peers.csv"
echo "---- tuning (best 12 by simple GB/s)"; grep ',simple,' "$OUT/tuning.csv" | sort -t, -k4 -nr | head -12
