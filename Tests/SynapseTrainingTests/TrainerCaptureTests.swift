import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Training with captured steps equals eager training bit for bit: the same losses and weights for
/// several epochs (a short last batch each epoch runs eagerly between replays), with dropout and
/// batch norm, on every device; and a run resumed mid-epoch continues exactly with capture on.
@Suite struct TrainerCaptureTests {
    /// 100 random images: 3 full batches of 32 and a short one of 4 per epoch.
    static let images = TrainerResumeTests.randomImages(100, seed: 7)

    static func trainer(_ model: String, on device: any Device, capture: Bool, epochs: Int) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration.model = model
        configuration.batchSize = 32
        configuration.seed = 77
        configuration.learningRate = 0.05
        configuration.epochs = epochs
        let loader = DataLoader(images, batchSize: 32, shuffle: true, seed: 77, dropLast: false, device: device)
        let trainer = try Trainer(configuration: configuration, device: device,
                                  data: TrainingData(train: loader, test: nil, name: "random"))
        trainer.capturesSteps = capture
        return trainer
    }

    static func weights(_ trainer: Trainer) throws -> [[Float]] {
        try trainer.model.stateDict().map {
            try $0.tensor.dtype == .float32 ? $0.tensor.toArray() : $0.tensor.toInt32Array().map(Float.init)
        }
    }

    @Test(arguments: [("lenet5", 3), ("alexnet-small", 1)], TestDevices.specs)
    func capturedTrainingEqualsEagerTraining(run: (model: String, epochs: Int), spec: String) throws {
        let device = TestDevices.device(spec)
        let steps = 4 * run.epochs
        let eager = try Self.trainer(run.model, on: device, capture: false, epochs: run.epochs)
        let captured = try Self.trainer(run.model, on: device, capture: true, epochs: run.epochs)
        let eagerLosses = try eager.train(steps: steps)
        let capturedLosses = try captured.train(steps: steps)
        #expect(capturedLosses == eagerLosses)
        #expect(try Self.weights(captured) == Self.weights(eager))
        // Every full batch after the first is replayed; each epoch's short batch runs eagerly.
        #expect(captured.replayedSteps == 3 * run.epochs - 1)
        #expect(eager.replayedSteps == 0)
    }

    @Test(arguments: TestDevices.specs)
    func aRunResumedMidEpochContinuesExactlyWithCapture(spec: String) throws {
        let device = TestDevices.device(spec)
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/half.safetensors"
        let straight = try Self.trainer("alexnet-small", on: device, capture: true, epochs: 2)
        let expected = try straight.train(steps: 6)
        let first = try Self.trainer("alexnet-small", on: device, capture: true, epochs: 2)
        let head = try first.train(steps: 2)
        try first.save(to: path)
        let second = try Self.trainer("alexnet-small", on: device, capture: true, epochs: 2)
        try second.resume(from: path)
        let tail = try second.train(steps: 4)
        #expect(head + tail == expected)
        #expect(try Self.weights(second) == Self.weights(straight))
        #expect(second.replayedSteps > 0)
    }
}
