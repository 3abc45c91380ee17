#!/usr/bin/env bash
# Installs what Synapse needs on Debian/Ubuntu, skipping whatever is already there.
#   OpenCL headers + ICD loader, CLBlast (GEMM on OpenCL), OpenBLAS (GEMM on the CPU),
#   PoCL (OpenCL on the CPU, so OpenCL code runs without a GPU), zlib, the Fashion-MNIST data set,
#   and Python's safetensors + numpy (interoperability tests).
set -euo pipefail
packages=(ocl-icd-opencl-dev opencl-headers libclblast-dev libopenblas-dev pocl-opencl-icd zlib1g-dev
          dataset-fashion-mnist clinfo python3-pip
          libpng-dev
          libjpeg62-turbo-dev
          tmux)  # tmux: the terminal-display test (CLITerminalTests)
packages+=(libopenmpi-dev)  # Open MPI library and headers (SynapseDistributed)
packages+=(openmpi-bin)     # mpirun, which the distributed tests launch
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import safetensors, numpy' 2>/dev/null; then
  echo "setup: installing Python packages safetensors numpy"
  python3 -m pip install --quiet safetensors numpy 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages safetensors numpy
fi
# TensorBoard's own reader checks the event files that --log-dir writes (MetricLogTests).
if ! python3 -c 'import tensorboard' 2>/dev/null; then
  echo "setup: installing Python package tensorboard"
  python3 -m pip install --quiet tensorboard 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages tensorboard
fi
command -v swift >/dev/null || { echo "setup: Swift 6 is required (https://www.swift.org/install/linux/)" >&2; exit 1; }
