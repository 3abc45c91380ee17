import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Resuming trusts nothing in the file: every `synapse.*` value, every optimizer tensor and every
/// option the checkpoint records is checked before the run continues, and each failure is one
/// error naming the file and the key (or option).
@Suite struct ResumeValidationTests {
    /// A trainer over `TrainerResumeTests.images` (96 images: 3 steps of 32 per epoch), 3 epochs.
    static func trainer(_ model: String = "lenet5", optimizer: TrainingConfiguration.OptimizerKind = .sgd,
                        images: LabeledImages = TrainerResumeTests.images,
                        _ change: (inout TrainingConfiguration) -> Void = { _ in }) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration.model = model
        configuration.optimizer = optimizer
        configuration.batchSize = 32
        configuration.seed = 1234
        configuration.learningRate = optimizer == .sgd ? 0.05 : 1e-3
        configuration.schedule = .step
        configuration.epochs = 3
        change(&configuration)
        let loader = DataLoader(images, batchSize: configuration.resolvedBatchSize, seed: configuration.seed,
                                dropLast: true, device: CPUDevice.shared)
        return try Trainer(configuration: configuration, device: CPUDevice.shared,
                           data: TrainingData(train: loader, test: nil, name: "random"))
    }

    /// A checkpoint of `steps` steps of `trainer()` in a fresh directory.
    static func saved(steps: Int, model: String = "lenet5", optimizer: TrainingConfiguration.OptimizerKind = .sgd)
        throws -> (directory: String, path: String) {
        let directory = try TestEnvironment.scratchDirectory()
        let path = directory + "/run.safetensors"
        let trainer = try Self.trainer(model, optimizer: optimizer)
        _ = try trainer.train(steps: steps)
        try trainer.save(to: path)
        return (directory, path)
    }

    /// Rewrites the safetensors file at `path` through `edit`.
    static func rewrite(_ path: String, _ edit: (inout SafeTensorsFile) throws -> Void) throws {
        var file = try SafeTensorsFile(contentsOf: path)
        try edit(&file)
        try file.write(to: path)
    }

    @Test(arguments: [
        ("synapse.batch", "7"),
        ("synapse.batch", "4"),
        ("synapse.epoch", "9223372036854775807"),
        ("synapse.global_step", "9223372036854775807"),
        ("synapse.epoch", "8"),
        ("synapse.epoch", "3"),
        ("synapse.epoch_loss_steps", "5"),
        ("synapse.epoch_loss_sum", String(Float.nan.bitPattern)),
    ])
    func progressOutsideTheRunIsRejected(key: String, value: String) throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { $0.metadata[key] = value }
        expectFailure(mentions: [path, key]) { try Self.trainer().resume(from: path) }
    }

    @Test func aRandomStreamAtItsEndIsRejected() throws {
        let (directory, path) = try Self.saved(steps: 1, model: "alexnet-small", optimizer: .adamw)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { $0.metadata["synapse.random_counter"] = "18446744073709551615" }
        expectFailure(mentions: [path, "synapse.random_counter"]) {
            try Self.trainer("alexnet-small", optimizer: .adamw).resume(from: path)
        }
    }

    @Test(arguments: [
        SafeTensor([Float.nan], shape: []), SafeTensor([Float.infinity], shape: []), SafeTensor([Float(1e30)], shape: []),
        SafeTensor([Float(-5)], shape: []), SafeTensor([Float(1.5)], shape: []), SafeTensor([Float(7)], shape: []),
        SafeTensor([Float](), shape: [0]), SafeTensor([Float](repeating: 1, count: 4), shape: [4]),
    ])
    func aBadStepCountIsRejected(step: SafeTensor) throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { $0["optimizer/step"] = step }
        expectFailure(mentions: [path, "optimizer/step"]) { try Self.trainer().resume(from: path) }
    }

    @Test func aBadAdamParameterStepIsRejected() throws {
        let (directory, path) = try Self.saved(steps: 2, model: "mlp", optimizer: .adam)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { $0["optimizer/state.1.step"] = SafeTensor([Float.nan], shape: []) }
        expectFailure(mentions: [path, "optimizer/state.1.step"]) { try Self.trainer("mlp", optimizer: .adam).resume(from: path) }
    }

    /// Adds an entry of `shape` (no data) to the header of the safetensors file at `path`, bypassing
    /// `SafeTensor`, which refuses such shapes when built in code.
    static func addRawEntry(_ path: String, name: String, shape: [Int]) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        let entry = "\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,0]},"
        let newHeader = Array(("{" + entry + header.dropFirst()).utf8)
        let newLength = (0..<8).map { UInt8(truncatingIfNeeded: newHeader.count >> (8 * $0)) }
        try Data(newLength + newHeader + bytes[(8 + length)...]).write(to: URL(fileURLWithPath: path))
    }

    @Test func anExtraOptimizerTensorOfAnAbsurdShapeIsRejectedByName() throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        // Code cannot even build such a tensor.
        #expect(throws: (any Error).self) { try SafeTensor(dtype: .float32, shape: [0, 4_611_686_018_427_387_904, 4], bytes: []) }
        // A file holding one is refused by name, before any tensor is built.
        try Self.addRawEntry(path, name: "optimizer/junk", shape: [0, 4_611_686_018_427_387_904, 4])
        expectFailure(mentions: [path, "optimizer/junk"]) { try Self.trainer().resume(from: path) }
    }

    @Test func missingMomentumBuffersAreAnError() throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { file in
            for name in file.names where name.hasSuffix(".momentum_buffer") { file[name] = nil }
        }
        expectFailure(mentions: [path, "optimizer/state.0.momentum_buffer"]) { try Self.trainer().resume(from: path) }
    }

    @Test func anIntegerMomentumBufferNamesFileAndKey() throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { file in
            let shape = try #require(file["optimizer/state.1.momentum_buffer"]).shape
            file["optimizer/state.1.momentum_buffer"] = SafeTensor([Int32](repeating: 1, count: shape.reduce(1, *)), shape: shape)
        }
        expectFailure(mentions: [path, "optimizer/state.1.momentum_buffer"]) { try Self.trainer().resume(from: path) }
    }

    @Test func nonFiniteValuesAreNamedOnResumeAndEvaluation() throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { file in
            var values = try #require(file["fc1.weight"]).floatValues()
            values[17] = .nan
            file["fc1.weight"] = SafeTensor(values, shape: try #require(file["fc1.weight"]).shape)
        }
        expectFailure(mentions: [path, "fc1.weight", "nan"]) { try Self.trainer().resume(from: path) }
        expectFailure(mentions: [path, "fc1.weight", "nan"]) {
            _ = try Trainer.loadModel(name: "lenet5", classes: 10, checkpoint: path, device: CPUDevice.shared)
        }

        let (other, second) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(other) }
        try Self.rewrite(second) { file in
            let shape = try #require(file["optimizer/state.2.momentum_buffer"]).shape
            file["optimizer/state.2.momentum_buffer"] = SafeTensor([Float](repeating: -.infinity, count: shape.reduce(1, *)),
                                                                   shape: shape)
        }
        expectFailure(mentions: [second, "optimizer/state.2.momentum_buffer", "inf"]) { try Self.trainer().resume(from: second) }
    }

    @Test func aFailedResumeLeavesTheTrainerAsItWas() throws {
        let (directory, path) = try Self.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        try Self.rewrite(path) { $0["optimizer/step"] = SafeTensor([Float.nan], shape: []) }
        let trainer = try Self.trainer()
        let before = try TrainerResumeTests.weights(trainer)
        #expect(throws: (any Error).self) { try trainer.resume(from: path) }
        #expect(try TrainerResumeTests.weights(trainer) == before)
        #expect(trainer.position.globalStep == 0)
    }
}

/// Runs `body`, expects an error whose description contains every string in `mentions`.
func expectFailure(mentions: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error mentioning \(mentions), but nothing was thrown", sourceLocation: sourceLocation)
    } catch {
        let text = String(describing: error)
        for word in mentions {
            #expect(text.contains(word), "\"\(text)\" does not mention \(word)", sourceLocation: sourceLocation)
        }
    }
}
