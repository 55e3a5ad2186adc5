#!/usr/bin/env bash
# One call on the GPU machine (the device tool): the steps named on the command
# line, in order, each under its own time limit and all within LIMIT seconds
# (default 570). The programs are built beforehand on the development machine
# (nvcc compiles without a GPU; the CUDA runtime is linked statically) and
# carried in BIN with the peer scripts in BIN/peers:
#   cmake -S . -B build/cuda -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
#     -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCTRACE_BUILD_CUDA_BENCH=ON -DCTRACE_BUILD_EXAMPLES=OFF
#   ninja -C build/cuda test_cuda gpu_bench gemm_tuning elementwise_tuning
#   mkdir -p .deps/gpu/peers && cp build/cuda/tests/cuda/test_cuda \
#     build/cuda/bench/cuda/{gpu_bench,gemm_tuning,elementwise_tuning} .deps/gpu/ && cp ../shared/peers/*.py .deps/gpu/peers/
# (The default architecture is sm_90a: the bf16/f16 products' wgmma kernel
# exists only in sm_90a code.)
# Usage there: BIN=.deps/gpu bench/cuda/run_on_gpu.sh STEP...
#   info          device, driver, clocks, torch/jax versions, matrix instructions in gpu_bench
#   tests         all of test_cuda                         -> tests.txt
#   memcheck      compute-sanitizer memcheck on test_cuda  -> memcheck.txt
#   bench[:MODE]  gpu_bench [MODE] (all rows, or gemm/mlp) -> ctrace.csv (a second run: system ctrace_run2)
#   tuning:NAME   gemm_tuning or elementwise_tuning       -> tuning.csv
#   peers         gpu_peers.py and jax_peers.py            -> peers.csv
#   ncu:KERNEL    Nsight Compute on gpu_bench's first launch of KERNEL (a regex) -> ncu.txt
# Results go to $OUT (or ./gpu_out), with run.log.
set -u
BIN=${BIN:-.deps/gpu}
PEERS=$BIN/peers
OUT=${OUT:-gpu_out}
LIMIT=${LIMIT:-570}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
START=$(date +%s)
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/run.log"; }
# limit SECONDS: the step's own limit, or what is left of the whole call
limit() {
  local left=$((LIMIT - ($(date +%s) - START)))
  if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi
}
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
bench_runs=0

for step in "$@"; do
  case "$step" in
    info)
      {
        date -u +"date: %Y-%m-%d %H:%M UTC"
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit --format=csv
        python3 -c 'import torch, jax; print("torch", torch.__version__, "jax", jax.__version__)' 2>/dev/null
        echo "matrix instructions in gpu_bench: $(cuobjdump -sass "$BIN/gpu_bench" 2>/dev/null |
          grep -oE 'HGMMA[.A-Z0-9x]*|HMMA[.A-Z0-9]*' | sort | uniq -c | tr '\n' ' ')"
      } > "$OUT/device.txt" 2>&1
      cat "$OUT/device.txt" ;;
    tests)
      log "tests (all of test_cuda)"
      timeout "$(limit 150)" "$BIN/test_cuda" > "$OUT/tests.txt" 2>&1
      echo "test_cuda exit code: $?" >> "$OUT/tests.txt"
      tail -4 "$OUT/tests.txt" ;;
    memcheck)
      # The out-of-memory and bad-launch tests make CUDA calls fail on purpose,
      # which memcheck reports as API errors.
      log "compute-sanitizer --tool memcheck test_cuda"
      { echo "## compute-sanitizer --tool memcheck test_cuda"
        timeout "$(limit 300)" "$SANITIZER" --tool memcheck "$BIN/test_cuda" > "$OUT/memcheck_full.log" 2>&1
        echo "compute-sanitizer exit code: $?"
        grep -E "ERROR SUMMARY|^\[doctest\] (test cases|assertions)|Program hit" "$OUT/memcheck_full.log" | sort | uniq -c | head -20
      } >> "$OUT/memcheck.txt"
      tail -8 "$OUT/memcheck.txt" ;;
    bench|bench:*)
      mode=${step#bench}; mode=${mode#:}
      bench_runs=$((bench_runs + 1))
      log "gpu_bench $mode (run $bench_runs)"
      if [ "$bench_runs" -eq 1 ]; then
        timeout "$(limit 120)" "$BIN/gpu_bench" $mode > "$OUT/ctrace.csv" 2>> "$OUT/run.log"
      else
        timeout "$(limit 120)" "$BIN/gpu_bench" $mode 2>> "$OUT/run.log" |
          sed "s/,ctrace,/,ctrace_run$bench_runs,/" | grep -v '^name,' >> "$OUT/ctrace.csv"
      fi
      echo "gpu_bench exit code: ${PIPESTATUS[0]}" >> "$OUT/run.log"
      tail -n 30 "$OUT/ctrace.csv" ;;
    tuning:*)
      name=${step#tuning:}
      log "$name"
      timeout "$(limit 120)" "$BIN/$name" >> "$OUT/tuning.csv" 2>> "$OUT/run.log"
      cat "$OUT/tuning.csv" ;;
    peers)
      log "peers: torch"
      (cd "$PEERS" && timeout "$(limit 220)" python3 gpu_peers.py) >> "$OUT/peers.csv" 2>> "$OUT/run.log"
      log "peers: jax"
      (cd "$PEERS" && timeout "$(limit 120)" python3 jax_peers.py) >> "$OUT/peers.csv" 2>> "$OUT/run.log"
      cat "$OUT/peers.csv" ;;
    ncu:*)
      kernel=${step#ncu:}
      log "ncu $kernel"
      timeout "$(limit 60)" "$NCU" --kernel-name "regex:$kernel" --launch-count 1 --section SpeedOfLight \
        --section Occupancy --section LaunchStats --section WarpStateStats --section ComputeWorkloadAnalysis \
        "$BIN/gpu_bench" gemm >> "$OUT/ncu.txt" 2>&1
      grep -E "Duration|Compute \(SM\) Throughput|Registers Per|Achieved Occupancy|Issue Slots Busy" "$OUT/ncu.txt" | tail -8 ;;
    *)
      echo "run_on_gpu.sh: unknown step $step" | tee -a "$OUT/run.log" ;;
  esac
done
log "done"
