import SynapseTraining
import Foundation
import SynapseTestSupport
import Testing

/// `Trainer(model:optimizer:data:device:configuration:)`: any `Module`, any optimizer, any `BatchSource`.
@Suite struct CustomModelTrainerTests {
    /// A model no zoo knows: one hidden layer over flattened 8×8 images.
    final class TwoLayerNet: Module {
        let hidden = Linear(64, 16)
        let output = Linear(16, 4)
        override func forward(_ input: Tensor) -> Tensor { output(hidden(input.flatten()).relu()) }
    }

    static func images(batches: Int) -> SyntheticImages {
        SyntheticImages(imageShape: [1, 8, 8], classCount: 4, batchSize: 16, batchCount: batches, seed: 3,
                        device: CPUDevice.shared)
    }

    static func configuration() -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = "two-layer-net"
        c.batchSize = 16
        c.epochs = 2
        c.schedule = .none
        return c
    }

    @Test("a custom model learns one fixed batch with the trainer's steps")
    func customModelTrains() throws {
        let model = try withDevice(CPUDevice.shared) { try withRandomSeed(1) { TwoLayerNet() } }
        let optimizer = Adam(model.parameters(), learningRate: 0.01)
        let trainer = try Trainer(model: model, optimizer: optimizer,
                                  data: TrainingData(train: Self.images(batches: 1), test: nil, name: "one batch"),
                                  device: CPUDevice.shared, configuration: Self.configuration())
        let before = try model.output.weight.value.toArray()
        let losses = try trainer.train(steps: 20)
        #expect(losses.count == 20 && losses.allSatisfy(\.isFinite))
        #expect(losses.last! < losses.first! * 0.8, "losses \(losses.first!) → \(losses.last!)")
        #expect(try model.output.weight.value.toArray() != before, "the optimizer did not change the given model")
        #expect(trainer.optimizer.learningRate == 0.01, "the optimizer's own rate is the schedule's base")
    }

    @Test("the run summary and records carry the custom model's name")
    func runRecordsName() throws {
        let model = try withDevice(CPUDevice.shared) { try withRandomSeed(1) { TwoLayerNet() } }
        let trainer = try Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.1),
                                  data: TrainingData(train: Self.images(batches: 2), test: nil, name: "random"),
                                  device: CPUDevice.shared, configuration: Self.configuration())
        let summary = try trainer.run(shouldStop: { false })
        #expect(summary.model == "two-layer-net" && summary.epochsCompleted == 2)
    }

    @Test("settings no run can use and data without a batch are refused")
    func refusals() throws {
        let model = TwoLayerNet()
        var bad = Self.configuration()
        bad.epochs = 0
        #expect(throws: TrainingError.self) {
            _ = try Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.1),
                            data: TrainingData(train: Self.images(batches: 1), test: nil, name: "x"),
                            device: CPUDevice.shared, configuration: bad)
        }
        #expect(throws: TrainingError.self) {
            _ = try Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.1),
                            data: TrainingData(train: EmptySource(), test: nil, name: "empty"),
                            device: CPUDevice.shared, configuration: Self.configuration())
        }
    }
}

/// A data source without a single batch.
private final class EmptySource: BatchSource {
    var batchesPerEpoch: Int { 0 }
    var examplesPerEpoch: Int { 0 }
    var exampleCount: Int { 0 }
    var imageShape: [Int] { [1, 8, 8] }
    func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> { AnySequence([]) }
}
