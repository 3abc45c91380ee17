import SynapseTestSupport
import Testing

/// Exporting and importing optimizer state resumes training exactly.
@Suite("Optimizer state")
struct OptimizerStateTests {
    /// Trains a small model for 3 steps, checkpoints model and optimizer, restores both into fresh
    /// copies, then takes 2 more steps with each pair: the results must be identical.
    func resumeMatches(on device: any Device, _ make: ([Parameter]) -> any Optimizer) throws {
        try withDevice(device) {
            let x = Tensor.normal([8, 3]), y = Tensor.normal([8, 2])
            let model = Sequential { Linear(3, 4); Tanh(); Linear(4, 2) }
            let optimizer = make(model.parameters())
            func train(_ model: Module, _ optimizer: any Optimizer) {
                optimizer.zeroGradients()
                MSELoss()(model(x), y).backward()
                optimizer.step()
            }
            for _ in 0..<3 { train(model, optimizer) }

            // A checkpoint holds copies on the CPU (as a file would), so the import crosses devices on OpenCL.
            func saved(_ state: [(name: String, tensor: Tensor)]) throws -> [(name: String, tensor: Tensor)] {
                try state.map { (name: $0.name, tensor: Tensor(try $0.tensor.toArray(), shape: $0.tensor.shape, on: CPUDevice.shared)) }
            }
            let savedModel = try saved(model.stateDict())
            let savedOptimizer = try saved(optimizer.stateDict())

            let resumed = Sequential { Linear(3, 4); Tanh(); Linear(4, 2) }
            try resumed.loadStateDict(savedModel)
            let resumedOptimizer = make(resumed.parameters())
            try resumedOptimizer.loadStateDict(savedOptimizer)
            #expect(resumedOptimizer.stateDict().map(\.name) == optimizer.stateDict().map(\.name))

            for _ in 0..<2 {
                train(model, optimizer)
                train(resumed, resumedOptimizer)
            }
            for (a, b) in zip(model.parameters(), resumed.parameters()) {
                #expect(try a.value.toArray() == b.value.toArray())
            }
        }
    }

    @Test(arguments: TestDevices.specs)
    func sgdResumesExactly(spec: String) throws {
        try resumeMatches(on: TestDevices.device(spec)) {
            SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
        }
    }

    @Test(arguments: TestDevices.specs)
    func adamResumesExactly(spec: String) throws {
        try resumeMatches(on: TestDevices.device(spec)) { Adam($0, learningRate: 0.01) }
    }

    @Test(arguments: TestDevices.specs)
    func adamWResumesExactly(spec: String) throws {
        try resumeMatches(on: TestDevices.device(spec)) { AdamW($0, learningRate: 0.01) }
    }

    @Test func importRejectsUnknownKeysAndShapes() {
        let p = Parameter(Tensor([1, 2, 3]))
        let optimizer = Adam([p])
        #expect(throws: StateDictError.unexpectedKey("state.1.exp_avg")) {
            try optimizer.loadStateDict([(name: "state.1.exp_avg", tensor: Tensor.zeros([3]))])
        }
        #expect(throws: StateDictError.unexpectedKey("state.0.momentum_buffer")) {
            try optimizer.loadStateDict([(name: "state.0.momentum_buffer", tensor: Tensor.zeros([3]))])
        }
        #expect(throws: StateDictError.shapeMismatch(key: "state.0.exp_avg", expected: [3], found: [2])) {
            try optimizer.loadStateDict([(name: "state.0.exp_avg", tensor: Tensor.zeros([2]))])
        }
        #expect(throws: StateDictError.missingKey("state.0.exp_avg_sq")) {
            try optimizer.loadStateDict([(name: "state.0.step", tensor: Tensor(scalar: 2)),
                                         (name: "state.0.exp_avg", tensor: Tensor.zeros([3]))])
        }
    }
}
