import SynapseTestSupport
import Testing

/// Where the device has `cl_khr_command_buffer` (PoCL does), a captured step without random draws
/// replays as one submission of recorded commands plus a copy per substituted input, and computes
/// bit for bit what eager steps do; a step the device cannot record replays primitive by primitive.
@Suite struct CommandBufferReplayTests {
    static func makeNet(dropout: Bool) -> Module {
        let features = Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1)
            BatchNorm2d(4)
            ReLU()
            AvgPool2d(kernelSize: (2, 2))
            Flatten()
        }
        let classifier = Sequential {
            Linear(4 * 3 * 3, 6)
            Tanh()
            Linear(6, 3)
        }
        return dropout ? Sequential { features; Dropout(probability: 0.5); classifier } : Sequential { features; classifier }
    }

    struct Run {
        var losses: [Float] = []
        var state: [[Float]] = []
        var step: CapturedStep?
        var replayCounts: CommandCounts?
    }

    /// Five SGD steps on changing batches, eager or replayed from a capture of the first.
    static func run(on device: any Device, capture: Bool, dropout: Bool) throws -> Run {
        try withRandomSeed(5) {
            let net = withDevice(device) { makeNet(dropout: dropout) }
            net.packParameters()
            let optimizer = SGD(net.parameters(), learningRate: 0.1, momentum: 0.9)
            var result = Run()
            var captured: (x: Tensor, labels: Tensor, loss: Tensor)?
            for index in 0..<5 {
                let x = Tensor.uniform([8, 1, 7, 7], low: -1, high: 1, on: device)
                let labels = Tensor(int32: (0..<8).map { Int32(($0 + index) % 3) }, on: device)
                func eager() -> Tensor {
                    let loss = net(x).crossEntropy(labels: labels)
                    loss.backward()
                    return loss.detached()
                }
                optimizer.zeroGradients()
                let loss: Tensor
                if !capture {
                    loss = eager()
                } else if let step = result.step, let recorded = captured {
                    try device.synchronize()
                    let counts = try countingCommands {
                        try step.replay(substituting: [(recorded.x, x), (recorded.labels, labels)])
                    }
                    if index == 4 { result.replayCounts = counts }
                    loss = recorded.loss
                } else {
                    let (outputs, step, whyNot) = CapturedStep.capture(on: device) { [eager()] }
                    result.step = try #require(step, "not captured: \(whyNot ?? "")")
                    captured = (x, labels, outputs[0])
                    loss = outputs[0]
                }
                optimizer.step()
                result.losses.append(try loss.item())
            }
            net.prepareStateExport()
            result.state = try net.stateDict().map {
                try $0.tensor.dtype == .float32 ? $0.tensor.toArray() : $0.tensor.toInt32Array().map(Float.init)
            }
            return result
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func aStepWithoutRandomDrawsReplaysAsOneSubmission(spec: String) throws {
        let device = TestDevices.device(spec)
        let eager = try Self.run(on: device, capture: false, dropout: false)
        let replayed = try Self.run(on: device, capture: true, dropout: false)
        #expect(replayed.losses == eager.losses && replayed.state == eager.state)
        #expect(Set(eager.losses).count == eager.losses.count, "the steps differ: \(eager.losses)")
        let step = try #require(replayed.step)
        guard (device as? OpenCLDevice)?.recordsCommandBuffers == true else {
            #expect(!step.replaysAsOneSubmission)
            return
        }
        #expect(step.replaysAsOneSubmission, "\(step.submissionRefusal ?? "")")
        // One submission, a copy of the images and one of the labels, nothing else.
        let counts = try #require(replayed.replayCounts)
        #expect(counts.recordedSubmissions == 1 && counts.kernels == 2 && counts.libraryCalls == 0
                && counts.writes == 0 && counts.reads == 0 && counts.waits == 0, "\(counts)")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func aStepTheDeviceCannotRecordReplaysPrimitiveByPrimitive(spec: String) throws {
        let device = TestDevices.device(spec)
        // Dropout: its random counters change every step.
        let eager = try Self.run(on: device, capture: false, dropout: true)
        let replayed = try Self.run(on: device, capture: true, dropout: true)
        #expect(replayed.losses == eager.losses && replayed.state == eager.state)
        #expect(replayed.step?.replaysAsOneSubmission == false)
        #expect(replayed.step?.submissionRefusal?.contains("random") == true, "\(replayed.step?.submissionRefusal ?? "")")
        // CLBlast's GEMMs: CLBlast enqueues its own commands.
        try OpenCLDevice.$forcedMatMulAlgorithm.withValue(.clblast) {
            let eager = try Self.run(on: device, capture: false, dropout: false)
            let replayed = try Self.run(on: device, capture: true, dropout: false)
            #expect(replayed.losses == eager.losses && replayed.state == eager.state)
            #expect(replayed.step?.replaysAsOneSubmission == false)
            if (device as? OpenCLDevice)?.recordsCommandBuffers == true {
                #expect(replayed.step?.submissionRefusal?.contains("CLBlast") == true, "\(replayed.step?.submissionRefusal ?? "")")
            }
        }
    }
}
