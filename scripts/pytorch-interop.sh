#!/usr/bin/env bash
# Proves weights move between Synapse and the real PyTorch/torchvision, both ways:
#   (a) LeNet-5 trained in PyTorch on Fashion-MNIST pixels/255 gives PyTorch's own test accuracy
#       through `synapse eval --model lenet5 --normalize none`, to 4 decimals;
#   (b) a Synapse checkpoint exported with `synapse export` loads into PyTorch with strict=True and
#       gives the same logits; saved back from PyTorch it loads in Synapse and gives identical logits;
#   (c) torchvision's alexnet() state dict loads into `alexnet-torchvision` and gives the same logits.
#
#   scripts/pytorch-interop.sh [SYNAPSE_BINARY]
#
# PyTorch is not part of CI (its CPU wheel is not on PyPI, whose torch brings the CUDA libraries), so
# this installs torch, torchvision, safetensors, numpy and Pillow into a virtual environment in
# .build-pytorch/venv (PIP_FIND_LINKS may point at a folder holding a CPU wheel of torch).
set -euo pipefail
cd "$(dirname "$0")/.."
synapse=${1:-.build/release/synapse}
[ -x "$synapse" ] || { echo "pytorch-interop: build synapse first (swift build -c release --product synapse)" >&2; exit 1; }
venv=.build-pytorch/venv
if ! "$venv/bin/python" -c 'import torch, safetensors, numpy, PIL' 2>/dev/null; then
  python3 -m venv "$venv"
  start=$(date +%s)
  "$venv/bin/pip" install --quiet torch safetensors numpy pillow
  # torchvision's wheel carries compiled operators for one torch build; alexnet() needs none of them.
  "$venv/bin/pip" install --quiet --no-deps torchvision
  echo "pytorch-interop: installed PyTorch in $(( $(date +%s) - start )) s"
fi
exec "$venv/bin/python" -W ignore scripts/pytorch_interop.py "$synapse"
