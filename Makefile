# The two commands of the README:
#   make train   install what is missing, build, train LeNet-5 on Fashion-MNIST on the best device
#   make test    install what is missing, build, run every test (OpenCL tests run on PoCL without a GPU),
#                build and run a package that depends on Synapse (scripts/consumer-check.sh),
#                then fuzz the file parsers
# Extra arguments: make train ARGS="--device cpu --epochs 1"

CONFIG ?= release
BIN = $(shell swift build -c $(CONFIG) --show-bin-path)

.PHONY: setup build train test consumer fuzz bench clean

setup:
	@scripts/setup.sh

build: setup
	swift build -c $(CONFIG)

train: build
	$(BIN)/synapse train $(ARGS)

# OpenCL is required in tests: a missing OpenCL device fails the run instead of skipping.
# Then every file parser is fuzzed for FUZZ_SECONDS each (libFuzzer + AddressSanitizer).
FUZZ_SECONDS ?= 20
test: setup
	SYNAPSE_REQUIRE_OPENCL=1 swift test -c $(CONFIG) $(TEST_ARGS)
	scripts/consumer-check.sh
	scripts/fuzz.sh $(FUZZ_SECONDS)

# A package outside this one (Examples/TrainOneStep) that depends on it by path and trains one step.
consumer:
	scripts/consumer-check.sh

fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	$(BIN)/synapse-bench $(ARGS)

clean:
	swift package clean
