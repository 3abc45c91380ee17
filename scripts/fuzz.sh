#!/usr/bin/env bash
# Fuzzes the parsers of untrusted files with libFuzzer and AddressSanitizer: safetensors (header,
# metadata, layout), IDX, gzip, CLBlast tuner files, kernel tuning files and PNG/JPEG images (libpng, libjpeg-turbo). Each target runs for SECONDS (default 30)
# from its seed corpus in Fuzz/<target>/corpus; inputs it finds go to .build-fuzz/<target>-corpus,
# and a crash, a trap, a hang (>10 s on one input) or an allocation over 2 GiB fails the script,
# leaving the input in .build-fuzz/<target>-crash-*. Reproduce one with
#   .build-fuzz/fuzz-<target> .build-fuzz/<target>-crash-…
# then turn it into a unit test.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Each target is built with swiftc from just the sources its parser needs (no SwiftPM), so the
# instrumented build takes about a minute; it is rebuilt only when those sources change.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors idx gzip tuning kerneltuning image)
build=.build-fuzz
mkdir -p "$build"

data=Sources/SynapseData
# The sources compiled into each target beside its Target.swift (the libraries below are linked).
sources() {
  case "$1" in
    safetensors) echo "" ;;
    idx)         echo "$data"/IDXFile.swift "$data"/IDXFile+Reading.swift "$data"/Gzip.swift "$data"/GzipInflater.swift ;;
    gzip)        echo "$data"/Gzip.swift "$data"/GzipInflater.swift ;;
    tuning)      echo Sources/SynapseOpenCL/CLBlastTunerFile.swift Fuzz/tuning/CLBlastTuningStub.swift ;;
    kerneltuning) local o=Sources/SynapseOpenCL
                 echo $o/Tuning/TuningFile.swift $o/Tuning/TunedAlgorithm.swift $o/Tuning/TunableProblem.swift \
                      $o/Convolution/ConvolutionAlgorithm.swift $o/Convolution/ConvolutionProblem.swift \
                      $o/MatMul/MatMulAlgorithm.swift $o/MatMul/MatMulProblem.swift ;;
    image)       echo "$data"/DecodedImage.swift "$data"/ImageTransform.swift ;;
    *) echo "fuzz: unknown target $1 (safetensors, idx, gzip, tuning, kerneltuning, image)" >&2; return 1 ;;
  esac
}

# Whether $1 is missing or older than any of the other arguments.
stale() {
  local out=$1; shift
  [ -e "$out" ] || return 0
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

# SynapseBackend (ensure, DeviceError), SynapseJSON (the JSON parser) and SynapseIO (safetensors,
# files) as static libraries the parsers import.
library() {
  local name=$1; shift
  if stale "$build/lib$name.a" "$@"; then
    echo "fuzz: building $name"
    swiftc -O -g -parse-as-library -package-name Synapse -sanitize=address -module-name "$name" -emit-module \
      -emit-module-path "$build/$name.swiftmodule" -emit-library -static -I "$build" \
      -o "$build/lib$name.a" "$@" > "$build/$name-build.log" 2>&1 \
      || { cat "$build/$name-build.log" >&2; exit 1; }
  fi
}
library SynapseBackend Sources/SynapseBackend/*.swift
library SynapseJSON Sources/SynapseJSON/*.swift
library SynapseIO Sources/SynapseIO/*.swift

# The PNG/JPEG codecs (C, instrumented too) and the system libraries they call, for the image target.
codecs=Sources/CSynapseImageCodecs
natives() {
  [ "$1" = image ] || return 0
  for c in "$codecs"/*.c; do
    local object=$build/$(basename "$c" .c).o
    if stale "$object" "$c" "$codecs"/include/*.h; then
      clang -O1 -g -fsanitize=address,fuzzer-no-link -I "$codecs/include" -I /usr/include/libpng16 -c "$c" -o "$object"
    fi
    echo "$object"
  done
  echo -I "$codecs/include" -lpng16 -ljpeg
}

failed=()
for target in "${targets[@]}"; do
  read -r -a files <<< "$(sources "$target")"
  read -r -a extra <<< "$(natives "$target" | tr '\n' ' ')"
  binary=$build/fuzz-$target
  if stale "$binary" "${files[@]}" "Fuzz/$target/Target.swift" "$build"/libSynapse*.a "$codecs"/*.c; then
    echo "fuzz: building $target"
    swiftc -O -g -parse-as-library -package-name Synapse -sanitize=fuzzer,address -use-ld=lld -module-name "Fuzz_$target" \
      -I "$build" -I Sources/CSynapseZlib -L "$build" -lSynapseIO -lSynapseJSON -lSynapseBackend ${extra[@]+"${extra[@]}"} \
      "${files[@]}" "Fuzz/$target/Target.swift" -o "$binary" > "$build/$target-build.log" 2>&1 \
      || { cat "$build/$target-build.log" >&2; exit 1; }
  fi
  echo "fuzz: running $target for ${seconds}s"
  mkdir -p "$build/$target-corpus"
  # Swift's own crash backtracer would run inside the sanitizer and be reported instead of the trap.
  if ! SWIFT_BACKTRACE=enable=no "$binary" "$build/$target-corpus" "Fuzz/$target/corpus" -max_total_time="$seconds" -timeout=10 \
       -rss_limit_mb=2048 -malloc_limit_mb=2048 -artifact_prefix="$build/$target-" -print_final_stats=1 \
       > "$build/$target.log" 2>&1; then
    failed+=("$target")
    tail -40 "$build/$target.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^Done" "$build/$target.log" | tr '\n' ' '; echo
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs: $(ls "$build"/*-crash-* "$build"/*-timeout-* "$build"/*-oom-* 2>/dev/null | tr '\n' ' '))" >&2
  exit 1
fi
echo "fuzz: ${targets[*]}: no crash in ${seconds}s each"
