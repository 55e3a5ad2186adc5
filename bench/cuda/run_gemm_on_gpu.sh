#!/usr/bin/env bash
# One call on the GPU machine for the GEMM kernels (issue 5, 2d): the CUDA
# tests (all, then the GEMM ones under compute-sanitizer's memcheck),
# `gpu_bench gemm` (the four product rows), the tile sweep, the peer scripts
# (PyTorch eager / torch.compile, JAX jit), `gpu_bench gemm` again, and Nsight
# Compute on the default kernels. Programs built beforehand on the development
# machine (CUDA runtime linked statically) and carried in BIN:
#   cmake -S . -B build/cuda-gemm -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
#     -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCTRACE_BUILD_CUDA_BENCH=ON -DCMAKE_CUDA_ARCHITECTURES=90a-real
#   ninja -C build/cuda-gemm test_cuda gpu_bench gemm_tuning
#   mkdir -p .deps/gemm/peers && cp build/cuda-gemm/tests/cuda/test_cuda \
#     build/cuda-gemm/bench/cuda/{gpu_bench,gemm_tuning} .deps/gemm/ && cp ../shared/peers/*.py .deps/gemm/peers/
# (90a-real: the wgmma kernel exists only in sm_90a code; built for plain sm_90
# the products take the mma.sync kernel.)
# Usage there: bench/cuda/run_gemm_on_gpu.sh [BIN]; results in $OUT: device.txt,
# tests.txt, memcheck.txt, ctrace.csv, tuning.csv, peers.csv, ncu.txt, run.log.
# Every step's time limit is cut to what is left of 570 s.
set -u
BIN=${1:-.deps/gemm}
PEERS=$BIN/peers
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
START=$(date +%s)
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/run.log"; }
# limit SECONDS: the step's own limit, or what is left of the whole call
limit() {
  local left=$((570 - ($(date +%s) - START)))
  if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi
}

{
  date -u +"date: %Y-%m-%d %H:%M UTC"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit --format=csv
  python3 -c 'import torch, jax; print("torch", torch.__version__, "jax", jax.__version__)' 2>/dev/null
  # The matrix instructions in gpu_bench's code (HGMMA: wgmma, HMMA: mma.sync, FFMA: SIMT).
  echo "SASS of gpu_bench: $(cuobjdump -sass "$BIN/gpu_bench" 2>/dev/null | grep -oE 'HGMMA[.A-Z0-9x]*|HMMA[.A-Z0-9]*' | sort | uniq -c | tr '\n' ' ')"
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

log "tests (all of test_cuda)"
timeout "$(limit 100)" "$BIN/test_cuda" > "$OUT/tests.txt" 2>&1
echo "test_cuda exit code: $?" >> "$OUT/tests.txt"
tail -3 "$OUT/tests.txt"
timeout "$(limit 60)" "$BIN/test_cuda" -sf='*gemm*' > "$OUT/tests_gemm.log" 2>&1
echo "GEMM tests alone, exit code $?: $(grep -E '^\[doctest\] (test cases|assertions)' "$OUT/tests_gemm.log" | tr '\n' ' ')" | tee -a "$OUT/tests.txt"

log "gpu_bench gemm (run 1)"
timeout "$(limit 60)" "$BIN/gpu_bench" gemm > "$OUT/ctrace.csv" 2>> "$OUT/run.log"
echo "gpu_bench exit code: $?" >> "$OUT/run.log"
cat "$OUT/ctrace.csv"

log "gemm_tuning"
timeout "$(limit 60)" "$BIN/gemm_tuning" > "$OUT/tuning.csv" 2>> "$OUT/run.log"
cat "$OUT/tuning.csv"

log "peers: torch"
(cd "$PEERS" && timeout "$(limit 200)" python3 gpu_peers.py) > "$OUT/peers.csv" 2>> "$OUT/run.log"
log "peers: jax"
(cd "$PEERS" && timeout "$(limit 90)" python3 jax_peers.py) >> "$OUT/peers.csv" 2>> "$OUT/run.log"

log "gpu_bench gemm (run 2, after the peers)"
timeout "$(limit 45)" "$BIN/gpu_bench" gemm 2>> "$OUT/run.log" | sed 's/,ctrace,/,ctrace_run2,/' | grep -v '^name,' >> "$OUT/ctrace.csv"

SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
log "compute-sanitizer --tool memcheck (GEMM tests)"
{ echo "## compute-sanitizer --tool memcheck test_cuda -sf=*gemm*"
  timeout "$(limit 150)" "$SANITIZER" --tool memcheck "$BIN/test_cuda" -sf='*gemm*' 2>&1 | tail -40
  echo "compute-sanitizer exit code: ${PIPESTATUS[0]}"; } >> "$OUT/memcheck.txt"
grep -E "ERROR SUMMARY|test cases:|exit code" "$OUT/memcheck.txt" | tail -3

NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
log "ncu (first SIMT and wgmma launches of gpu_bench gemm)"
for k in gemm_simt_kernel gemm_wgmma_kernel; do
  timeout "$(limit 40)" "$NCU" --kernel-name "regex:$k" --launch-count 1 --section SpeedOfLight --section Occupancy \
    --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis "$BIN/gpu_bench" gemm \
    >> "$OUT/ncu.txt" 2>&1
done
grep -E "Duration|Compute \(SM\) Throughput|Memory Throughput|Registers Per|Achieved Occupancy" "$OUT/ncu.txt" | head -20

log "done"
echo "---- ctrace"; cat "$OUT/ctrace.csv"
echo "---- peers (products)"; grep -E '^gemm' "$OUT/peers.csv"
