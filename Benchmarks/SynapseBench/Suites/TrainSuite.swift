import Synapse

/// Whole training steps on random data shaped like the real sets (one batch uploaded once, so data
/// loading is not timed): `zeroGradients`, forward, cross-entropy, `backward()`, SGD (lr 0.01,
/// momentum 0.9). Rate in images/s; peak device memory covers parameters, optimizer state,
/// activations and gradients.
///
/// `.replayed` cases capture the forward and backward pass once (`CapturedStep`) and replay it
/// each step, as `synapse train` does: the same primitives without building the graph; their
/// "issue µs/step" next to the eager case's is the host work that saves.
///
/// Cases split into forward / backward / optimizer phases wait for the device between phases; that
/// is free on the CPU (synchronous) and small next to an AlexNet step, so LeNet-5 on a GPU is left
/// unsplit and its images/s is the clean figure.
enum TrainSuite {
    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let splitSmall = !context.isGPU
        let cpuPeers = !context.isGPU && context.device.info.backend == "cpu"
        if context.quick {
            return [
                model("lenet5.b64", batch: 64, input: LeNet5.inputShape, split: splitSmall,
                      cost: ModelCost.lenet5) { LeNet5() },
                model("alexnet-small.b8", batch: 8, input: AlexNetSmall.inputShape, split: splitSmall,
                      cost: ModelCost.alexNetSmall) { AlexNetSmall() },
            ]
        }
        var alexnet = model("alexnet.b128", batch: 128, input: AlexNet.inputShape, classes: 1000, split: true,
                            cost: { ModelCost.alexNet(inputSize: 224, groups: 2, classes: 1000) }) { AlexNet() }
        alexnet.notes = ["paper AlexNet (LRN, 2 groups); TARGETS H100: PyTorch torchvision AlexNet 11.75 ms/step, forward 3.49 ms"]
        if !context.isGPU { alexnet.skipReason = "GPU case (224² batch 128) on a \(context.kindName) device" }

        var small64 = model("alexnet64.b32", batch: 32, input: [3, 64, 64], split: true,
                            cost: { ModelCost.alexNet(inputSize: 64, groups: 1, classes: 10) }) {
            AlexNet(classes: 10, localResponseNorm: false, groupedConvolutions: false, inputSize: 64)
        }
        small64.notes = ["AlexNet channels, no LRN/groups, 3×64×64; TARGETS 2-core CPU: PyTorch 62–80 ms/step (~7.9 GFLOP/step)"]

        var lenet64 = model("lenet5.b64", batch: 64, input: LeNet5.inputShape, split: splitSmall,
                            cost: ModelCost.lenet5) { LeNet5() }
        var lenet256 = model("lenet5.b256", batch: 256, input: LeNet5.inputShape, split: splitSmall,
                             cost: ModelCost.lenet5) { LeNet5() }
        if cpuPeers {
            lenet64.notes = ["TARGETS 2-core CPU: PyTorch 9.4k img/s, Keras/JAX 5.6k, tinygrad 1.3k"]
            lenet256.notes = ["TARGETS 2-core CPU: PyTorch 11.4k img/s, Keras/JAX 5.6k, tinygrad 1.5k"]
        } else if context.isGPU {
            lenet64.notes = ["TARGETS H100: PyTorch ~43k img/s"]
            lenet256.notes = ["TARGETS H100: PyTorch ~195k img/s, tinygrad OpenCL 20.4k; goal ≥ 290k"]
        }
        return [
            lenet64, lenet256,
            model("lenet5.b256.replayed", batch: 256, input: LeNet5.inputShape, split: false, replayed: true,
                  cost: ModelCost.lenet5) { LeNet5() },
            model("alexnet-small.b64", batch: 64, input: AlexNetSmall.inputShape, split: splitSmall,
                  cost: ModelCost.alexNetSmall) { AlexNetSmall() },
            model("alexnet-small.b64.replayed", batch: 64, input: AlexNetSmall.inputShape, split: false, replayed: true,
                  cost: ModelCost.alexNetSmall) { AlexNetSmall() },
            small64, alexnet,
        ]
    }

    /// A training-step case for the model `make` builds, fed `batch` random images of shape `input`.
    static func model(_ name: String, batch: Int, input: [Int], classes: Int = 10, split: Bool, replayed: Bool = false,
                      cost: @escaping () -> Double, make: @escaping () -> Module) -> BenchCase {
        BenchCase(suite: "train", name: name, shape: "[\(batch), \(input.map(String.init).joined(separator: ", "))]",
                  work: .images(batch)) { device in
            let net = withDevice(device) { make() }
            net.packParameters()
            let optimizer = SGD(net.parameters(), learningRate: 0.01, momentum: 0.9)
            let x = Inputs.uniform([batch] + input, on: device)
            let labels = Inputs.labels(batch, classes: classes, on: device)
            var facts = ["parameters": Double(net.parameterCount), "GFLOP/step": cost() * Double(batch) / 1e9]
            func forwardBackward() { net(x).crossEntropy(labels: labels).backward() }
            var recording: CapturedStep?
            if replayed {
                optimizer.zeroGradients()
                let capture = CapturedStep.capture(on: device) { forwardBackward(); return [] }
                guard let step = capture.step else { throw BenchError.notCaptured(capture.whyNot ?? "unknown") }
                recording = step
                optimizer.step()
            }
            func step() throws {
                optimizer.zeroGradients()
                if let recording { try recording.replay() } else { forwardBackward() }
                optimizer.step()
            }
            // What one steady step enqueues (after a first step has built kernels and filled the pool),
            // and the host time it takes to issue one.
            try step()
            try device.synchronize()
            let counts = try countingCommands { try step() }
            try device.synchronize()
            if device.countsCommands {
                facts["commands/step"] = Double(counts.commands)
                facts["kernels/step"] = Double(counts.kernels)
                facts["library calls/step"] = Double(counts.libraryCalls)
                if counts.recordedSubmissions > 0 { facts["recorded submissions/step"] = Double(counts.recordedSubmissions) }
                facts["host µs/step"] = Double(counts.enqueueNanoseconds) / 1000
            }
            facts["primitives/step"] = Double(counts.primitives.values.reduce(0, +))
            if device.info.backend != "cpu" {
                // The median host time to issue a step on an idle device (the device waited for after each).
                var issue: [Double] = []
                for _ in 0..<9 {
                    let start = ContinuousClock.now
                    try step()
                    let elapsed = ContinuousClock.now - start
                    issue.append(Double(elapsed.components.attoseconds) * 1e-12 + Double(elapsed.components.seconds) * 1e6)
                    try device.synchronize()
                }
                facts["issue µs/step"] = issue.sorted()[issue.count / 2]
            }
            if let recording {
                return Workload(facts: facts) { _ in
                    optimizer.zeroGradients()
                    try recording.replay()
                    optimizer.step()
                }
            }
            return Workload(facts: facts) { phases in
                optimizer.zeroGradients()
                let loss = net(x).crossEntropy(labels: labels)
                if split { try phases.end("forward") }
                loss.backward()
                if split { try phases.end("backward") }
                optimizer.step()
                if split { try phases.end("optimizer") }
            }
        }
    }
}

/// Training FLOPs per image of the benchmarked models: convolutions and linear layers only, the
/// backward pass counted as twice the forward (pooling, activations and the skipped input gradient
/// of the first layer ignored).
enum ModelCost {
    /// Forward multiply-adds of a convolution producing `side`² pixels.
    static func conv(_ inChannels: Int, _ outChannels: Int, kernel: Int, side: Int, groups: Int = 1) -> Double {
        Double(outChannels * (inChannels / groups) * kernel * kernel * side * side)
    }

    /// Training FLOPs (3 × 2 × forward multiply-adds) from forward multiply-adds.
    static func training(_ forwardMACs: Double) -> Double { 6 * forwardMACs }

    static func lenet5() -> Double {
        training(conv(1, 6, kernel: 5, side: 28) + conv(6, 16, kernel: 5, side: 10) + 400 * 120 + 120 * 84 + 84 * 10)
    }

    static func alexNetSmall() -> Double {
        training(conv(1, 32, kernel: 3, side: 28) + conv(32, 64, kernel: 3, side: 14) + conv(64, 128, kernel: 3, side: 7)
                 + conv(128, 128, kernel: 3, side: 7) + 1152 * 256 + 256 * 10)
    }

    static func alexNet(inputSize: Int, groups: Int, classes: Int) -> Double {
        let c1 = (inputSize + 4 - 11) / 4 + 1, p1 = (c1 - 3) / 2 + 1, p2 = (p1 - 3) / 2 + 1
        let side = AlexNet.featureSide(inputSize: inputSize)
        let convs = conv(3, 96, kernel: 11, side: c1) + conv(96, 256, kernel: 5, side: p1, groups: groups)
            + conv(256, 384, kernel: 3, side: p2) + conv(384, 384, kernel: 3, side: p2, groups: groups)
            + conv(384, 256, kernel: 3, side: p2, groups: groups)
        let fc = Double(256 * side * side * 4096 + 4096 * 4096 + 4096 * classes)
        return training(convs + fc)
    }
}
