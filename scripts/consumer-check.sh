#!/usr/bin/env bash
# Builds and runs Examples/TrainOneStep: a package that depends on this checkout by path, as a
# user's own package would, and trains one step of its own model through the SynapseTraining
# product. Fails if the products, the shims or the Trainer API stop working for a dependent.
#   scripts/consumer-check.sh                  debug build
#   CONFIG=release scripts/consumer-check.sh   release build
# Everything goes to .build-consumer/ (kept, so a second run is incremental).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=${CONFIG:-debug}
work="$root/.build-consumer"
mkdir -p "$work"
# The dependency is named by its folder (`synapse`), whatever this checkout's folder is called.
ln -sfn "$root" "$work/synapse"
rm -rf "$work/TrainOneStep"
mkdir -p "$work/TrainOneStep"
cp -R "$root/Examples/TrainOneStep/Package.swift" "$root/Examples/TrainOneStep/Sources" "$work/TrainOneStep/"
cd "$work/TrainOneStep"
swift build -c "$config" --scratch-path "$work/build"
output=$("$work/build/$config/TrainOneStep")
echo "$output"
grep -q "^trained 1 step of TinyNet on cpu: loss [0-9]" <<<"$output" || { echo "consumer-check: unexpected output" >&2; exit 1; }
