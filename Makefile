# The two commands of the README:
#   make train   install what is missing, build, train LeNet-5 on Fashion-MNIST on the best device
#   make test    install what is missing, build, run every test (OpenCL tests run on PoCL without a GPU)
# Extra arguments: make train ARGS="--device cpu --epochs 1"

CONFIG ?= release
BIN = $(shell swift build -c $(CONFIG) --show-bin-path)

.PHONY: setup build train test bench clean

setup:
	@scripts/setup.sh

build: setup
	swift build -c $(CONFIG)

train: build
	$(BIN)/synapse train $(ARGS)

# OpenCL is required in tests: a missing OpenCL device fails the run instead of skipping.
test: setup
	SYNAPSE_REQUIRE_OPENCL=1 swift test -c $(CONFIG) $(TEST_ARGS)

bench: build
	$(BIN)/synapse-bench $(ARGS)

clean:
	swift package clean
