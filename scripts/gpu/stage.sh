#!/usr/bin/env bash
# Stage a release build, its Swift runtime, CLBlast, OpenBLAS and Fashion-MNIST in .gpu/
# for the lent GPU machine, which has OpenCL drivers but no Swift toolchain.
#
# Run here, from anywhere in the repo:   scripts/gpu/stage.sh [fashion-mnist dir]
# Then on the GPU machine (carry [".gpu"]):   source .gpu/env.sh && scripts/gpu/check.sh
#
# Not ../shared/gpu/prepare.sh: --static-swift-stdlib cannot link the Testing module that
# the test targets import, and static binaries (~60 MB each) leave no room for the data set
# under the 64 MiB that may travel. Here the binaries link the Swift runtime dynamically
# and the runtime libraries travel once, in swiftlibs.tar.xz.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
cd "$root"
data_src=${1:-/usr/share/datasets/fashion-mnist}
stage=.gpu
limit=$((64 * 1024 * 1024))

say() { printf '== %s\n' "$*"; }
die() { printf 'stage.sh: %s\n' "$*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Replace what is there, but keep the recompressed data set (slow to make).
mkdir -p "$stage"
find "$stage" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +

say "swift build -c release --build-tests"
swift build -c release --build-tests
bin=$(swift build -c release --show-bin-path)
# The revision the binaries were built from: the copy of the tree on the GPU machine may carry an
# older .git, so synapse-bench reports this one (SYNAPSE_REVISION) instead of asking git there.
revision=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- || revision+=-dirty
binaries=("$bin/synapse" "$bin/synapse-bench" "$bin/SynapsePackageTests.xctest")
for b in "${binaries[@]}"; do [ -f "$b" ] || die "missing $b after the build"; done

say "bin.tar.xz (stripped executables and the test bundle)"
mkdir -p "$work/gbin"
for b in "${binaries[@]}"; do
  cp "$b" "$work/gbin/"
  strip "$work/gbin/$(basename "$b")"
done
tar -C "$work" -cf - gbin | xz -T2 -9 > "$stage/bin.tar.xz"

say "swiftlibs.tar.xz (the Swift runtime libraries they load)"
# The toolchain's runtime directory is where libswiftCore.so resolves.
core=$(ldd "${binaries[0]}" | awk '$1 == "libswiftCore.so" && $3 ~ /^\// { print $3; exit }')
[ -n "$core" ] || die "ldd ${binaries[0]} shows no resolved libswiftCore.so"
swiftlib_dir=$(dirname "$(readlink -f "$core")")
mkdir -p "$work/swiftlibs"
libs=$(ldd "${binaries[@]}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
count=0
while IFS= read -r lib; do
  [ -n "$lib" ] || continue
  [ "$(dirname "$(readlink -f "$lib")")" = "$swiftlib_dir" ] || continue
  cp -L "$lib" "$work/swiftlibs/$(basename "$lib")"
  strip --strip-unneeded "$work/swiftlibs/$(basename "$lib")"
  count=$((count + 1))
done <<< "$libs"
[ "$count" -gt 0 ] || die "found no libraries under $swiftlib_dir"
echo "$count libraries from $swiftlib_dir"
tar -C "$work" -cf - swiftlibs | xz -T2 -9 > "$stage/swiftlibs.tar.xz"

say "debs (CLBlast and its tuners, OpenBLAS and its Fortran runtime, libpng and libjpeg-turbo)"
debs=(libclblast1 clblast-utils libopenblas0-pthread libgfortran5 libquadmath0 libpng16-16 libjpeg62-turbo)
# libmpi and what it loads with it: the test bundle links SynapseDistributed (the MPI tests skip without mpirun)
debs+=(libopenmpi3 libhwloc15 libevent-core-2.1-7 libevent-pthreads-2.1-7)
mkdir -p "$work/debs" "$stage/debs"
# apt may warn that it downloads unsandboxed as root (user _apt): harmless.
( cd "$work/debs" && apt-get download "${debs[@]}" ) ||
  die "apt-get download ${debs[*]} failed: run 'apt-get update' (as root) and try again"
mv "$work/debs"/*.deb "$stage/debs/"
ls "$stage/debs"

say "Fashion-MNIST from $data_src"
if ls "$data_src"/*.gz > /dev/null 2>&1; then
  mkdir -p "$stage/data"
  for gz in "$data_src"/*.gz; do
    name=$(basename "$gz" .gz)
    out="$stage/data/$name.xz"
    if [ -s "$out" ]; then echo "kept $out"; continue; fi
    echo "recompressing $name (slow)"
    zcat "$gz" | xz -T2 -9e > "$out.part"
    mv "$out.part" "$out"
  done
else
  echo "warning: no *.gz in $data_src; staging without Fashion-MNIST (the lenet5 and" >&2
  echo "         alexnet-small steps of check.sh will fail)" >&2
fi

say "env.sh"
echo "$revision" > "$stage/REVISION"
cat > "$stage/env.sh" <<'ENV'
# Sourced on the GPU machine from the repo root:   source .gpu/env.sh && scripts/gpu/check.sh
# Unpacks what scripts/gpu/stage.sh staged into /tmp (again only when the staged file
# changed, so a second source is quick) and sets the environment for synapse and the tests.
_gpu_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p /tmp/gpu-stamps

# _gpu_unpack NAME TARGET FILE... -- COMMAND...: unless the stamp for NAME matches the
# checksums of FILE..., remove TARGET, run COMMAND, and record the stamp.
_gpu_unpack() {
  local name=$1 target=$2; shift 2
  local files=()
  while [ "$1" != -- ]; do files+=("$1"); shift; done
  shift
  local stamp; stamp=$(cksum "${files[@]}")
  if [ -f "/tmp/gpu-stamps/$name" ] && [ "$(cat "/tmp/gpu-stamps/$name")" = "$stamp" ] && [ -e "$target" ]; then
    return 0
  fi
  rm -rf "$target" "/tmp/gpu-stamps/$name"
  "$@" && printf '%s\n' "$stamp" > "/tmp/gpu-stamps/$name"
}
# shellcheck disable=SC2317  # (called through _gpu_unpack)
_gpu_debs() { mkdir -p /tmp/gpu-root && for d in "$_gpu_here"/debs/*.deb; do dpkg -x "$d" /tmp/gpu-root || return; done; }
# shellcheck disable=SC2317
_gpu_xz() { xz -dc "$1" > "$2.part" && mv "$2.part" "$2"; }

_gpu_pids=()
_gpu_unpack debs /tmp/gpu-root "$_gpu_here"/debs/*.deb -- _gpu_debs & _gpu_pids+=($!)
_gpu_unpack bin /tmp/gbin "$_gpu_here/bin.tar.xz" -- tar xJf "$_gpu_here/bin.tar.xz" -C /tmp & _gpu_pids+=($!)
_gpu_unpack swiftlibs /tmp/swiftlibs "$_gpu_here/swiftlibs.tar.xz" -- tar xJf "$_gpu_here/swiftlibs.tar.xz" -C /tmp & _gpu_pids+=($!)
mkdir -p /tmp/fashion-mnist
for _gpu_f in "$_gpu_here"/data/*.xz; do
  [ -e "$_gpu_f" ] || continue
  _gpu_t=/tmp/fashion-mnist/$(basename "$_gpu_f" .xz)
  _gpu_unpack "data-$(basename "$_gpu_t")" "$_gpu_t" "$_gpu_f" -- _gpu_xz "$_gpu_f" "$_gpu_t" & _gpu_pids+=($!)
done
_gpu_failed=0
for _gpu_p in "${_gpu_pids[@]}"; do wait "$_gpu_p" || _gpu_failed=1; done
unset -f _gpu_unpack _gpu_debs _gpu_xz
unset _gpu_pids _gpu_p _gpu_f _gpu_t

# NVIDIA's OpenCL driver is installed but not always registered with the ICD loader.
mkdir -p /etc/OpenCL/vendors
if [ ! -e /etc/OpenCL/vendors/nvidia.icd ] && { [ -e /usr/lib/libnvidia-opencl.so.1 ] || command -v nvidia-smi > /dev/null; }; then
  echo /usr/lib/libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
fi

case ":${LD_LIBRARY_PATH:-}:" in
  *:/tmp/swiftlibs:*) ;;
  *) export LD_LIBRARY_PATH=/tmp/swiftlibs:/tmp/gpu-root/usr/lib/x86_64-linux-gnu/openblas-pthread:/tmp/gpu-root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ;;
esac
case ":$PATH:" in
  *:/tmp/gbin:*) ;;
  *) export PATH=/tmp/gbin:/tmp/gpu-root/usr/bin:$PATH ;;
esac
export SYNAPSE_BINARY=/tmp/gbin/synapse
export SYNAPSE_BENCH_BINARY=/tmp/gbin/synapse-bench
export SYNAPSE_REQUIRE_OPENCL=1
export FASHION_MNIST=/tmp/fashion-mnist
export SYNAPSE_REVISION=$(cat "$_gpu_here/REVISION")
unset _gpu_here
if [ "$_gpu_failed" = 1 ]; then
  unset _gpu_failed
  echo "env.sh: unpacking failed (see above)" >&2
  false
else
  unset _gpu_failed
fi
ENV

say "size"
stage_bytes=$(du -sb "$stage" | cut -f1)
tree_bytes=$(git ls-files -z -co --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
total=$((stage_bytes + tree_bytes))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo ".gpu: $stage_bytes bytes ($(mib "$stage_bytes"))"
echo "working tree that travels (tracked and untracked, not ignored): $tree_bytes bytes ($(mib "$tree_bytes"))"
echo "total: $total bytes ($(mib "$total")) of $limit ($(mib "$limit"))"
if [ "$total" -gt "$limit" ]; then
  die "TOO BIG: $(mib "$total") would travel, over the 64 MiB limit"
fi
echo "on the GPU machine: carry [\".gpu\"] and run:   source .gpu/env.sh && scripts/gpu/check.sh"
