import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Resuming from a checkpoint continues a run exactly: 2 steps + save + resume + 2 steps gives the
/// same losses and weights, bit for bit on the CPU, as 4 steps straight.
@Suite struct TrainerResumeTests {
    /// 96 random 28×28 images in 10 classes: 3 batches of 32, so 4 steps cross an epoch boundary.
    static let images = randomImages(96, seed: 99)

    /// `count` random 28×28 images in 10 classes, drawn from `seed`.
    static func randomImages(_ count: Int, seed: UInt64) -> LabeledImages {
        var random = SeededRandom(seed)
        let pixels = (0..<(count * 784)).map { _ in UInt8(random.float(0...255.99)) }
        let labels = (0..<count).map { _ in Int32(random.float(0...9.99)) }
        return try! LabeledImages(pixels: pixels, labels: labels, height: 28, width: 28, classCount: 10)
    }

    /// A trainer over `images` (3 steps of 32 per epoch, 3 epochs): the one `ResumeValidationTests` builds.
    static func trainer(_ model: String, optimizer: TrainingConfiguration.OptimizerKind) throws -> Trainer {
        try ResumeValidationTests.trainer(model, optimizer: optimizer)
    }

    static func weights(_ trainer: Trainer) throws -> [[Float]] {
        try trainer.model.stateDict().filter { $0.tensor.dtype == .float32 }.map { try $0.tensor.toArray() }
    }

    @Test(arguments: [("lenet5", TrainingConfiguration.OptimizerKind.sgd),
                      ("alexnet-small", .adamw),
                      ("mlp", .adam)])
    func resumeMatchesAnUninterruptedRun(model: String, optimizer: TrainingConfiguration.OptimizerKind) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/half.safetensors"

        let straight = try Self.trainer(model, optimizer: optimizer)
        let expected = try straight.train(steps: 4)

        let first = try Self.trainer(model, optimizer: optimizer)
        let head = try first.train(steps: 2)
        try first.save(to: path)

        let second = try Self.trainer(model, optimizer: optimizer)
        try second.resume(from: path)
        #expect(second.position == first.position)
        let tail = try second.train(steps: 2)

        #expect(head + tail == expected)
        #expect(try Self.weights(second) == Self.weights(straight))
        #expect(second.position == straight.position)
        let finite = expected.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test func sameSeedSameLosses() throws {
        let a = try Self.trainer("lenet5", optimizer: .sgd).train(steps: 3)
        let b = try Self.trainer("lenet5", optimizer: .sgd).train(steps: 3)
        #expect(a == b)
    }

    @Test func resumeRejectsAnotherModelOrOptimizerOrAWeightsOnlyFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/lenet.safetensors"
        let trainer = try Self.trainer("lenet5", optimizer: .sgd)
        _ = try trainer.train(steps: 1)
        try trainer.save(to: path)

        #expect(throws: CheckpointError.modelMismatch(file: path, saved: "lenet5", requested: "mlp")) {
            try Self.trainer("mlp", optimizer: .sgd).resume(from: path)
        }
        #expect(throws: CheckpointError.self) { try Self.trainer("lenet5", optimizer: .adam).resume(from: path) }

        let weightsOnly = directory + "/weights.safetensors"
        try Checkpoint(model: trainer.model.stateDict()).write(to: weightsOnly)
        #expect(throws: CheckpointError.self) { try Self.trainer("lenet5", optimizer: .sgd).resume(from: weightsOnly) }
    }
}
