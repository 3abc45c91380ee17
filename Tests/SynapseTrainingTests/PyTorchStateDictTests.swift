import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// A LeNet-5 state dict written by Python's `safetensors` (as `safetensors.torch.save_file(
/// model.state_dict())` would, through the numpy API) loads for evaluation and predicts exactly
/// what the same weights loaded from a Swift-written checkpoint predict.
@Suite struct PyTorchStateDictTests {
    static let pythonReady: Bool = {
        (try? TestEnvironment.run(["python3", "-c", "import numpy, safetensors.numpy"]).status) == 0
    }()

    /// PyTorch's names and shapes for `LeNet5` (conv weights `[out, in, kh, kw]`, linear `[out, in]`).
    static let lenet5Shapes: [(String, [Int])] = [
        ("conv1.weight", [6, 1, 5, 5]), ("conv1.bias", [6]), ("conv2.weight", [16, 6, 5, 5]), ("conv2.bias", [16]),
        ("fc1.weight", [120, 400]), ("fc1.bias", [120]), ("fc2.weight", [84, 120]), ("fc2.bias", [84]),
        ("fc3.weight", [10, 84]), ("fc3.bias", [10]),
    ]

    @Test(.enabled(if: pythonReady || TestEnvironment.isCI, "python3 safetensors/numpy not installed"))
    func pythonWrittenStateDictLoadsAndPredictsLikeSwift() throws {
        guard Self.pythonReady else {
            Issue.record("python3 with safetensors and numpy is required in CI (pip install safetensors numpy)")
            return
        }
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let pythonPath = directory + "/lenet5-python.safetensors"
        let shapes = Self.lenet5Shapes.map { "\"\($0.0)\": (\($0.1.map(String.init).joined(separator: ", ")),)" }
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            shapes = {\(shapes.joined(separator: ", "))}
            rng = np.random.default_rng(5)
            state = {k: (rng.standard_normal(s) * 0.2).astype(np.float32) for k, s in shapes.items()}
            save_file(state, sys.argv[1], metadata={"format": "pt"})
            """
        let result = try TestEnvironment.run(["python3", "-c", script, pythonPath])
        try #require(result.status == 0, "python failed: \(result.output)")

        // Through the checkpoint path `synapse eval` uses.
        let fromPython = try Trainer.loadModel(name: "lenet5", classes: 10, checkpoint: pythonPath, device: CPUDevice.shared)
        #expect(fromPython.stateDict().map(\.name) == Self.lenet5Shapes.map(\.0))

        // The same values, loaded into a fresh model from a checkpoint Swift writes.
        let file = try SafeTensorsFile(contentsOf: pythonPath)
        let swiftPath = directory + "/lenet5-swift.safetensors"
        let hostState = try Self.lenet5Shapes.map { name, shape in
            (name: name, tensor: Tensor(try file.floats(named: name), shape: shape, on: CPUDevice.shared))
        }
        try Checkpoint(model: hostState, modelName: "lenet5").write(to: swiftPath)
        let fromSwift = try Trainer.loadModel(name: "lenet5", classes: 10, checkpoint: swiftPath, device: CPUDevice.shared)

        var random = SeededRandom(3)
        let input = Tensor(random.floats(8 * 784), shape: [8, 1, 28, 28], on: CPUDevice.shared)
        fromPython.eval(); fromSwift.eval()
        let a = try withoutGradient { try fromPython(input).toArray() }
        let b = try withoutGradient { try fromSwift(input).toArray() }
        #expect(a == b)
        #expect(Set(a).count > 8)
    }

    @Test func swiftCheckpointModelTensorsUsePyTorchNamesAndShapes() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/lenet.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
        try Checkpoint(model: model.stateDict(), modelName: "lenet5").write(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.names == Self.lenet5Shapes.map(\.0))
        for (name, shape) in Self.lenet5Shapes {
            #expect(file[name]?.shape == shape && file[name]?.dtype == .float32, "\(name)")
        }
    }
}
