import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// A state dict with torchvision AlexNet's names, shapes and dtypes, written by Python's safetensors
/// (through NumPy, as `save_file(torchvision.models.alexnet().state_dict())` writes it), loads into
/// `alexnet-torchvision` strictly. `scripts/pytorch-interop.sh` checks the logits against torchvision.
@Suite struct TorchvisionStateDictTests {
    @Test(.enabled(if: PyTorchStateDictTests.pythonReady || TestEnvironment.isCI, "python3 safetensors/numpy not installed"))
    func numpyBuiltTorchvisionStateDictLoads() throws {
        guard PyTorchStateDictTests.pythonReady else {
            Issue.record("python3 with safetensors and numpy is required in CI (pip install safetensors numpy)")
            return
        }
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/alexnet-torchvision.safetensors"
        let shapes = AlexNetTorchvisionShapes.shapes(classes: 10)
            .map { "\"\($0.0)\": (\($0.1.map(String.init).joined(separator: ", ")),)" }
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            shapes = {\(shapes.joined(separator: ", "))}
            rng = np.random.default_rng(7)
            state = {k: (rng.standard_normal(s, dtype=np.float32) * 0.01) for k, s in shapes.items()}
            save_file(state, sys.argv[1], metadata={"format": "pt"})
            """
        let result = try TestEnvironment.run(["python3", "-c", script, path])
        try #require(result.status == 0, "python failed: \(result.output)")

        let saved = try SavedModel.load(path, modelName: "alexnet-torchvision", device: CPUDevice.shared)
        #expect(saved.classNames.count == 10 && saved.inputShape == [3, 224, 224])
        let file = try SafeTensorsFile(contentsOf: path)
        let state = saved.model.stateDict()
        #expect(state.map(\.name).sorted() == file.names.sorted())
        #expect(try state.last!.tensor.toArray() == file.floats(named: "classifier.6.bias"))
        let logits = try withoutGradient { try saved.model(Tensor.normal([1, 3, 224, 224], on: CPUDevice.shared)).toArray() }
        #expect(logits.count == 10 && logits.allSatisfy(\.isFinite))
    }
}

/// torchvision AlexNet's state-dict names and shapes for `classes` outputs.
enum AlexNetTorchvisionShapes {
    static func shapes(classes: Int) -> [(String, [Int])] {
        [("features.0.weight", [64, 3, 11, 11]), ("features.0.bias", [64]),
         ("features.3.weight", [192, 64, 5, 5]), ("features.3.bias", [192]),
         ("features.6.weight", [384, 192, 3, 3]), ("features.6.bias", [384]),
         ("features.8.weight", [256, 384, 3, 3]), ("features.8.bias", [256]),
         ("features.10.weight", [256, 256, 3, 3]), ("features.10.bias", [256]),
         ("classifier.1.weight", [4096, 9216]), ("classifier.1.bias", [4096]),
         ("classifier.4.weight", [4096, 4096]), ("classifier.4.bias", [4096]),
         ("classifier.6.weight", [classes, 4096]), ("classifier.6.bias", [classes])]
    }
}
