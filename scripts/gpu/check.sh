#!/usr/bin/env bash
# The standard acceptance run on the lent GPU machine, after scripts/gpu/stage.sh here:
#
#   source .gpu/env.sh && scripts/gpu/check.sh [--only STEP[,STEP]]
#
# Steps: devices lenet5 alexnet-small alexnet bench tests. Each runs under `timeout` and
# writes its log to $OUT (./gpu-out when OUT is unset): devices.txt, lenet5.log,
# alexnet-small.log, alexnet.log, bench.log, bench.json, tests.log and summary.txt, which
# gets one line `name rc=N seconds=S` per step (8 files, the most that come back).
# GPU_CHECK_QUICK=1 shortens the training runs, the tuning and the bench, for a dry run on PoCL;
# GPU_TUNE_BUDGET (seconds, default 90) bounds the tuning of AlexNet before the bench.
set -uo pipefail

usage() { echo "usage: $0 [--only STEP[,STEP]]  (steps: devices lenet5 alexnet-small alexnet bench tests)" >&2; exit 2; }
all_steps="devices lenet5 alexnet-small alexnet bench tests"
only=""
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
if [ -n "$only" ]; then
  for s in ${only//,/ }; do
    case " $all_steps " in *" $s "*) ;; *) echo "unknown step: $s" >&2; usage ;; esac
  done
fi
wanted() { [ -z "$only" ] || case ",$only," in *",$1,"*) true ;; *) false ;; esac; }

command -v synapse > /dev/null || { echo "check.sh: synapse is not on PATH; run: source .gpu/env.sh && $0" >&2; exit 1; }
data=${FASHION_MNIST:-/tmp/fashion-mnist}
OUT=${OUT:-./gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)   # absolute: the tests step runs in /tmp/gbin
summary=$OUT/summary.txt

train_extra=() alexnet_extra=() bench_extra=()
if [ "${GPU_CHECK_QUICK:-0}" = 1 ]; then
  train_extra=(--limit-train 1280 --limit-test 1000 --epochs 1)
  alexnet_extra=(--epochs 1 --steps 2)
  bench_extra=(--quick)
fi

# step NAME SECONDS COMMAND...: run COMMAND under timeout, log to $OUT/NAME.log, summarise.
step() {
  local name=$1 limit=$2; shift 2
  wanted "$name" || return 0
  echo "-- $name (timeout ${limit}s): $*"
  local t0=$SECONDS rc=0
  timeout -k 10 "$limit" "$@" > "$OUT/$name.log" 2>&1 || rc=$?
  echo "$name rc=$rc seconds=$((SECONDS - t0))" >> "$summary"
  tail -n 3 "$OUT/$name.log"
}

if wanted devices; then
  echo "-- devices"
  t0=$SECONDS
  {
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    timeout 60 synapse devices
  } > "$OUT/devices.txt" 2>&1
  rc=$?
  echo "devices rc=$rc seconds=$((SECONDS - t0))" >> "$summary"
  cat "$OUT/devices.txt"
fi

step lenet5 120 synapse train --model lenet5 --device opencl --epochs 5 --data-dir "$data" "${train_extra[@]}"
step alexnet-small 200 synapse train --model alexnet-small --device opencl --epochs 10 --data-dir "$data" "${train_extra[@]}"
step alexnet 120 synapse train --model alexnet --device opencl --epochs 2 --steps 25 "${alexnet_extra[@]}"
# The bench step tunes first (synapse tune: the kernels of AlexNet b128 and LeNet-5 b256, the bench's
# training cases), so the bench measures tuned kernels; its log holds both tables.
tune_budget=${GPU_TUNE_BUDGET:-90}
[ "${GPU_CHECK_QUICK:-0}" = 1 ] && tune_budget=5
step bench 420 sh -c "synapse tune --device opencl --model alexnet --batch-size 128 --budget $tune_budget \
  && synapse tune --device opencl --model lenet5 --batch-size 256 --budget $((tune_budget / 3)) \
  && synapse-bench --device opencl --max-seconds 2 --json '$OUT/bench.json' ${bench_extra[*]}"
if wanted tests; then
  # From inside /tmp/gbin; the README tests read files by their source path, absent there.
  (cd /tmp/gbin && step tests 300 ./SynapsePackageTests.xctest --testing-library swift-testing --skip Readme)
fi

echo "== $summary"
cat "$summary" 2>/dev/null
if [ -f "$OUT/tests.log" ] && wanted tests; then
  echo "== tests.log (failures and totals)"
  grep -E "✘|Test run" "$OUT/tests.log" | tail -n 40
fi
