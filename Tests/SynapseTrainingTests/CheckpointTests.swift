import SynapseTraining
import Foundation
import SynapseTestSupport
import Testing

/// `Checkpoint`: round trips, and errors that name the file and the key.
@Suite struct CheckpointTests {
    static func state(_ seed: UInt64) -> [(name: String, tensor: Tensor)] {
        var random = SeededRandom(seed)
        return [
            ("conv.weight", Tensor(random.floats(24), shape: [2, 3, 2, 2], on: CPUDevice.shared)),
            ("conv.bias", Tensor(random.floats(2), shape: [2], on: CPUDevice.shared)),
            ("bn.num_batches_tracked", Tensor(int32: [5], shape: [], on: CPUDevice.shared)),
        ]
    }

    static func values(_ state: [(name: String, tensor: Tensor)]) throws -> [[Float]] {
        try state.map { $0.tensor.dtype == .int32 ? try $0.tensor.toInt32Array().map(Float.init) : try $0.tensor.toArray() }
    }

    @Test func roundTripRestoresEverything() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/run.safetensors"
        let source = Self.state(1)
        let optimizer = [("state.0.momentum_buffer", Tensor([1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 4], on: CPUDevice.shared)),
                         ("step", Tensor(scalar: 12, on: CPUDevice.shared))]
        let progress = TrainingProgress(epoch: 2, batch: 17, globalStep: 1891, randomSeed: 42, randomCounter: 1 << 40)
        try Checkpoint(model: source, optimizer: optimizer, modelName: "lenet5", optimizerName: "sgd",
                       optimizerSettings: ["momentum": "0.9"], progress: progress, metadata: ["note": "hi"])
            .write(to: path)

        let loaded = try Checkpoint(contentsOf: path)
        #expect(loaded.modelName == "lenet5" && loaded.optimizerName == "sgd")
        #expect(loaded.progress == progress && loaded.isResumable)
        #expect(loaded.optimizerSettings == ["momentum": "0.9"])
        #expect(loaded.metadata == ["note": "hi", "format": "pt"])
        #expect(loaded.modelTensors.map(\.name) == source.map(\.name))
        #expect(loaded.optimizerTensors.map(\.name) == ["state.0.momentum_buffer", "step"])

        let target = Self.state(2)
        #expect(try Self.values(target) != Self.values(source))
        try loaded.loadModel(into: target)
        #expect(try Self.values(target) == Self.values(source))

        let restored = try loaded.optimizerState(matching: [("state.0.momentum_buffer", [2, 4]), ("step", [])],
                                                 on: CPUDevice.shared)
        #expect(try restored[0].tensor.toArray() == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try restored[1].tensor.item() == 12)

        // The model tensors are a PyTorch state dict at the top level; the optimizer's are prefixed.
        let raw = try SafeTensorsFile(contentsOf: path)
        #expect(raw.names == ["conv.weight", "conv.bias", "bn.num_batches_tracked",
                              "optimizer/state.0.momentum_buffer", "optimizer/step"])
        #expect(raw["conv.weight"]?.dtype == .float32)
    }

    /// Expects `body` to throw a `CheckpointError` equal to `expected` whose message names the file and key.
    func expectError(_ expected: CheckpointError, mentions: [String], _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(expected), nothing was thrown")
        } catch let error as CheckpointError {
            #expect(error == expected)
            for text in mentions { #expect(error.description.contains(text), "\(error) does not mention \(text)") }
        } catch {
            Issue.record("expected \(expected), got \(error)")
        }
    }

    @Test func mismatchesNameTheFileAndKeyAndWriteNothing() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/weights.safetensors"
        try Checkpoint(model: Self.state(1)).write(to: path)
        let checkpoint = try Checkpoint(contentsOf: path)

        var extra = Self.state(2)
        extra.append(("fc.weight", Tensor([1, 2], on: CPUDevice.shared)))
        let before = try Self.values(extra)
        expectError(.missingKey(file: path, key: "fc.weight"), mentions: [path, "fc.weight"]) {
            try checkpoint.loadModel(into: extra)
        }
        #expect(try Self.values(extra) == before)

        expectError(.unexpectedKey(file: path, key: "bn.num_batches_tracked"), mentions: [path, "bn.num_batches_tracked"]) {
            try checkpoint.loadModel(into: Array(Self.state(2).prefix(2)))
        }

        var reshaped = Self.state(2)
        reshaped[1] = ("conv.bias", Tensor([0, 0, 0], on: CPUDevice.shared))
        expectError(.shapeMismatch(file: path, key: "conv.bias", expected: [3], found: [2]),
                    mentions: [path, "conv.bias", "[2]", "[3]"]) {
            try checkpoint.loadModel(into: reshaped)
        }

        expectError(.modelMismatch(file: path, saved: "mlp", requested: "lenet5"), mentions: [path, "mlp", "lenet5"]) {
            var named = checkpoint
            named.modelName = "mlp"
            try named.requireModel("lenet5")
        }
        try checkpoint.requireModel("anything")  // a file that records no model passes
        #expect(!checkpoint.isResumable)
    }

    @Test func truncatedAndCorruptFilesNameTheFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/whole.safetensors"
        try Checkpoint(model: Self.state(1)).write(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))

        let cut = directory + "/cut.safetensors"
        try TestEnvironment.write(Array(bytes.dropLast(9)), to: cut)
        expectDataError(mentions: [cut], { _ = try Checkpoint(contentsOf: cut) }) {
            if case .truncated = $0 { return true }
            if case .malformed = $0 { return true }
            if case .invalidHeader = $0 { return true }
            return false
        }

        let garbage = directory + "/garbage.safetensors"
        try TestEnvironment.write(Array("not a checkpoint at all".utf8), to: garbage)
        expectDataError(mentions: [garbage], { _ = try Checkpoint(contentsOf: garbage) }) { _ in true }

        let missing = directory + "/missing.safetensors"
        expectDataError(mentions: [missing], { _ = try Checkpoint(contentsOf: missing) }) {
            if case .io = $0 { return true }
            return false
        }
    }

    @Test func badProgressMetadataNamesTheKey() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/meta.safetensors"
        try SafeTensorsFile(["w": SafeTensor([Float(1)], shape: [1])], metadata: ["synapse.epoch": "two"]).write(to: path)
        expectError(.badMetadata(file: path, key: "synapse.epoch", value: "two"), mentions: [path, "synapse.epoch"]) {
            _ = try Checkpoint(contentsOf: path)
        }
    }

    @Test func wrongDTypeIsRejected() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/ints.safetensors"
        try SafeTensorsFile(["conv.bias": SafeTensor([Int32(1), 2], shape: [2])]).write(to: path)
        expectError(.wrongDType(file: path, key: "conv.bias", found: "I32", expected: "float32"), mentions: [path, "conv.bias"]) {
            try Checkpoint(contentsOf: path).loadModel(into: [("conv.bias", Tensor([0, 0], on: CPUDevice.shared))])
        }
    }
}
