import SynapseTestSupport
import Testing

/// A captured step replays what an eager step computes, bit for bit: with new inputs substituted,
/// dropout masks that change from step to step, batch-norm statistics and counters, and gradients
/// written into packed parameters.
@Suite struct CapturedStepTests {
    static func makeNet() -> Module {
        Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1, bias: false)
            BatchNorm2d(4)
            ReLU()
            Flatten()
            Dropout(probability: 0.5)
            Linear(4 * 5 * 5, 6)
            Tanh()
            Linear(6, 3)
        }
    }

    /// Parameters, buffers and losses after `steps` SGD steps on changing batches, each step's
    /// forward and backward pass eager or replayed from a capture of the first.
    static func run(on device: any Device, capture: Bool, packed: Bool, steps: Int = 4) throws
        -> (state: [[Float]], losses: [Float], replays: Int) {
        try withRandomSeed(11) {
            let net = withDevice(device) { makeNet() }
            if packed { net.packParameters() }
            let optimizer = SGD(net.parameters(), learningRate: 0.1, momentum: 0.9)
            var recording: (step: CapturedStep, x: Tensor, labels: Tensor, loss: Tensor)?
            var losses: [Float] = [], replays = 0
            for index in 0..<steps {
                let x = Tensor.uniform([6, 1, 5, 5], low: -1, high: 1, on: device)
                let labels = Tensor(int32: (0..<6).map { Int32(($0 + index) % 3) }, on: device)
                func eager() -> Tensor {
                    let loss = net(x).crossEntropy(labels: labels)
                    loss.backward()
                    return loss.detached()
                }
                optimizer.zeroGradients()
                let loss: Tensor
                if !capture {
                    loss = eager()
                } else if let recording {
                    try recording.step.replay(substituting: [(recording.x, x), (recording.labels, labels)])
                    loss = recording.loss
                    replays += 1
                } else {
                    let (outputs, step, whyNot) = CapturedStep.capture(on: device) { [eager()] }
                    let captured = try #require(step, "not captured: \(whyNot ?? "")")
                    recording = (captured, x, labels, outputs[0])
                    loss = outputs[0]
                }
                optimizer.step()
                losses.append(try loss.item())
            }
            net.prepareStateExport()
            return (try net.stateDict().map { try $0.tensor.dtype == .float32 ? $0.tensor.toArray() : $0.tensor.toInt32Array().map(Float.init) },
                    losses, replays)
        }
    }

    @Test(arguments: TestDevices.specs, [true, false])
    func replayedStepsEqualEagerStepsBitForBit(spec: String, packed: Bool) throws {
        let device = TestDevices.device(spec)
        let eager = try Self.run(on: device, capture: false, packed: packed)
        let replayed = try Self.run(on: device, capture: true, packed: packed)
        #expect(replayed.replays == 3)
        #expect(replayed.losses == eager.losses)
        #expect(replayed.state == eager.state)
        #expect(Set(eager.losses).count == eager.losses.count, "the steps differ: \(eager.losses)")
    }

    @Test(arguments: TestDevices.specs)
    func aReplayEnqueuesTheRecordedPrimitivesAndNothingElse(spec: String) throws {
        let device = TestDevices.device(spec)
        let x = Tensor.uniform([4, 3], on: device), w = Tensor.uniform([2, 3], on: device)
        let (outputs, step, whyNot) = CapturedStep.capture(on: device) { [x.linear(weight: w, activation: .relu).sum()] }
        let recording = try #require(step, "\(whyNot ?? "")")
        #expect(recording.commandCount == 3)
        let before = try outputs[0].item()
        let counts = try countingCommands { try recording.replay() }
        #expect(counts.primitives.values.reduce(0, +) == 3, "\(counts.primitives)")
        #expect(try outputs[0].item() == before)
    }

    @Test func aStepThatReadsOnTheHostOrUploadsIsNotCaptured() throws {
        let device = CPUDevice.shared
        let x = Tensor([1, 2, 3], on: device)
        let read = CapturedStep.capture(on: device) {
            _ = try? x.sum().item()
            return [x * 2]
        }
        #expect(read.step == nil && read.whyNot?.contains("read on the host") == true)
        #expect(try read.outputs[0].toArray() == [2, 4, 6], "the body still ran")
        let upload = CapturedStep.capture(on: device) { [x + Tensor([1, 1, 1], on: device)] }
        #expect(upload.step == nil && upload.whyNot?.contains("uploaded") == true)
    }

    @Test func aSubstituteMustHaveTheCapturedLayout() throws {
        let device = CPUDevice.shared
        let x = Tensor([1, 2, 3, 4], on: device)
        let (_, step, _) = CapturedStep.capture(on: device) { [x * 2] }
        let recording = try #require(step)
        #expect(throws: DeviceError.self) { try recording.replay(substituting: [(x, Tensor([1, 2], on: device))]) }
    }
}
