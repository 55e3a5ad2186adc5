#!/usr/bin/env bash
# One call on the GPU machine for the reduction, softmax and layer_norm
# kernels (issue 5, 2b/2c): the CUDA tests, gpu_bench, the peer scripts, gpu_bench
# again, compute-sanitizer's memcheck over the tests, and Nsight Compute on the
# row kernels. Programs built beforehand on the development machine and carried
# in BIN (CUDA runtime linked statically):
#   cmake -S . -B build/cuda-red -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
#     -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_CUDA_FLAGS_RELEASE=-O0 && ninja -C build/cuda-red test_cuda
#   cmake -S . -B build/cuda-red-bench -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
#     -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCTRACE_BUILD_CUDA_BENCH=ON -DCTRACE_BUILD_TESTS=OFF && ninja -C build/cuda-red-bench gpu_bench
#   mkdir -p .deps/red .deps/peers && cp build/cuda-red/tests/cuda/test_cuda build/cuda-red-bench/bench/cuda/gpu_bench .deps/red/
#   cp ../shared/peers/*.py .deps/peers/
# Usage there: bench/cuda/run_rows_on_gpu.sh [BIN] [PEERS]; results in $OUT:
# device.txt, tests.txt, memcheck.txt, ctrace.csv, peers.csv, ncu.txt, run.log.
# Each step has its own time limit; the whole stays under 9.5 minutes.
set -u
BIN=${1:-.deps/red}
PEERS=${2:-.deps/peers}
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/run.log"; }

{
  date -u +"date: %Y-%m-%d %H:%M UTC"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit --format=csv
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

log "tests"
timeout 150 "$BIN/test_cuda" > "$OUT/tests.txt" 2>&1
echo "test_cuda exit code: $?" >> "$OUT/tests.txt"
tail -4 "$OUT/tests.txt"

log "gpu_bench (run 1)"
timeout 80 "$BIN/gpu_bench" > "$OUT/ctrace.csv" 2>> "$OUT/run.log"
echo "gpu_bench exit code: $?" >> "$OUT/run.log"

log "peers: torch"
(cd "$PEERS" && timeout 200 python3 gpu_peers.py) > "$OUT/peers.csv" 2>> "$OUT/run.log"
log "peers: jax"
(cd "$PEERS" && timeout 90 python3 jax_peers.py) >> "$OUT/peers.csv" 2>> "$OUT/run.log"

log "gpu_bench (run 2, after the peers)"
timeout 80 "$BIN/gpu_bench" 2>> "$OUT/run.log" | sed 's/,ctrace,/,ctrace_run2,/' | grep -v '^name,' >> "$OUT/ctrace.csv"

# memcheck over the reduction, softmax and layer_norm test cases (the whole
# suite's on-purpose API errors are the elementwise helper's, reported before).
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
log "compute-sanitizer --tool memcheck (reduction and normalization tests)"
{ timeout 140 "$SANITIZER" --tool memcheck "$BIN/test_cuda" \
    -tc='*reduction*,*reductions*,*softmax*,*layer_norm*,*NaN*,*half*,*empty and size-1*,*strided views*' 2>&1
  echo "compute-sanitizer exit code: $?"; } > "$OUT/memcheck.txt"
grep -E "ERROR SUMMARY|test cases:|exit code" "$OUT/memcheck.txt" | tail -3

NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
log "ncu on the row kernels"
timeout 100 "$NCU" --kernel-name regex:'softmax_rows|layer_norm_rows' --launch-count 3 \
  --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats \
  "$BIN/gpu_bench" > "$OUT/ncu.txt" 2>&1
echo "ncu exit code: $?" >> "$OUT/ncu.txt"

log "done"
echo "---- ctrace"; cat "$OUT/ctrace.csv"
echo "---- peers (rows compared)"; grep -E '^(copy|softmax|layernorm)' "$OUT/peers.csv"
echo "---- notes"; grep -E "check|bandwidth|exit code" "$OUT/run.log"
echo "---- ncu (excerpt)"; grep -E "softmax_rows|layer_norm_rows|DRAM Throughput|Memory Throughput|Duration|Achieved Occupancy|Registers Per|Block Size|L1/TEX Hit|L2 Hit" "$OUT/ncu.txt" | cut -c1-150 | head -40
echo "---- test failures (first)"; grep -E "ERROR|FAILED|test cases" "$OUT/tests.txt" | head -15
