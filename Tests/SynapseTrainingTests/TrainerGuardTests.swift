import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// What a run refuses before or while training: data the model cannot take, sizes no run can use,
/// and divergence (stopped within a few steps, never saved over the last good checkpoint).
@Suite struct TrainerGuardTests {
    /// `count` random images of `height`×`width` in 10 classes.
    static func images(_ count: Int, height: Int = 28, width: Int = 28) throws -> LabeledImages {
        var random = SeededRandom(5)
        let pixels = (0..<(count * height * width)).map { _ in UInt8(random.float(0...255.99)) }
        let labels = (0..<count).map { _ in Int32(random.float(0...9.99)) }
        return try LabeledImages(pixels: pixels, labels: labels, height: height, width: width, classCount: 10)
    }

    static func loader(_ images: LabeledImages, batchSize: Int = 8) -> DataLoader {
        DataLoader(images, batchSize: batchSize, seed: 3, dropLast: images.count >= batchSize, device: CPUDevice.shared)
    }

    static func trainer(_ model: String = "lenet5", train: LabeledImages, test: LabeledImages? = nil,
                        _ change: (inout TrainingConfiguration) -> Void = { _ in }) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration.model = model
        configuration.batchSize = 8
        configuration.seed = 3
        configuration.epochs = 2
        change(&configuration)
        let data = TrainingData(train: loader(train, batchSize: configuration.resolvedBatchSize),
                                test: test.map { loader($0, batchSize: 16) }, name: "random")
        return try Trainer(configuration: configuration, device: CPUDevice.shared, data: data)
    }

    @Test(arguments: [(32, 32), (14, 14), (1, 1), (0, 0), (28, 0)])
    func imagesOfTheWrongSizeAreRejectedBeforeTraining(height: Int, width: Int) throws {
        let wrong = try Self.images(16, height: height, width: width)
        let right = try Self.images(16)
        for model in ["lenet5", "mlp"] {
            expectFailure(mentions: ["train", "1×\(height)×\(width)", "1×28×28", model]) {
                _ = try Self.trainer(model, train: wrong)
            }
            expectFailure(mentions: ["test", "1×\(height)×\(width)", "1×28×28", model]) {
                _ = try Self.trainer(model, train: right, test: wrong)
            }
        }
        expectFailure(mentions: ["1×\(height)×\(width)", "1×28×28", "lenet5"]) {
            try Self.loader(wrong).requireInput(of: "lenet5", describing: "the test set")
        }
    }

    @Test func emptySetsAreAnError() throws {
        let empty = try Self.images(0)
        expectFailure(mentions: ["train", "no images"]) { _ = try Self.trainer(train: empty) }
        expectFailure(mentions: ["test", "no images"]) { _ = try Self.trainer(train: Self.images(16), test: empty) }
        expectFailure(mentions: ["no images"]) {
            let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
            _ = try Evaluation.run(model, on: Self.loader(empty))
        }
    }

    @Test func sizesNoRunCanUseAreRejected() throws {
        let huge = Int.max
        let cases: [(String, (inout TrainingConfiguration) -> Void)] = [
            ("--batch-size", { $0.batchSize = huge }), ("--epochs", { $0.epochs = huge }),
            ("--steps", { $0.stepsPerEpoch = huge }), ("--warmup-epochs", { $0.warmupEpochs = huge }),
            ("--batch-size", { $0.batchSize = 0 }),
        ]
        for (option, change) in cases {
            var configuration = TrainingConfiguration()
            change(&configuration)
            expectFailure(mentions: [option]) { try configuration.validate() }
        }
        var synthetic = TrainingConfiguration()
        synthetic.model = "alexnet"
        synthetic.batchSize = 1 << 20
        synthetic.stepsPerEpoch = 1 << 20
        expectFailure(mentions: ["--steps", "--batch-size"]) { try synthetic.validate() }
    }

    @Test func aHugeBatchSizeDoesNotOverflowTheLoader() throws {
        let loader = DataLoader(try Self.images(5), batchSize: .max, device: CPUDevice.shared)
        #expect(loader.batchesPerEpoch == 1)
        #expect(Array(loader.epoch(0)).map(\.count) == [5])
    }

    /// LeNet-5 at lr 1e6 keeps finite but absurd losses (1e6–1e31); the MLP reaches NaN. Either way
    /// the run stops within a few steps, mid-epoch, and the checkpoint of the good epoch survives.
    @Test(arguments: ["lenet5", "mlp"])
    func divergenceStopsWithinAFewStepsAndKeepsTheLastGoodCheckpoint(model: String) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/good.safetensors"
        let data = try Self.images(640)  // 80 steps of 8 per epoch
        let good = try Self.trainer(model, train: data) { $0.epochs = 1; $0.learningRate = 0.01 }
        good.checkpointPath = path
        _ = try good.run()
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))

        let wild = try Self.trainer(model, train: data) { $0.epochs = 2; $0.learningRate = 1e6 }
        try wild.resume(from: path)
        wild.checkpointPath = path
        expectFailure(mentions: ["diverged", "--lr", path]) { _ = try wild.run() }
        #expect(wild.position.epoch == 1 && wild.position.batch < wild.stepsPerEpoch / 2,
                "divergence found only at \(wild.position)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == saved)
    }

    @Test func nonFiniteWeightsAreNeverSaved() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/run.safetensors"
        let trainer = try Self.trainer(train: Self.images(32))
        _ = try trainer.train(steps: 1)
        try trainer.save(to: path)
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))

        let weight = try #require(trainer.model.stateDict().first { $0.name == "conv2.weight" }?.tensor)
        var values = try weight.toArray()
        values[3] = .infinity
        weight.load(values)
        expectFailure(mentions: ["conv2.weight", "inf"]) { try trainer.save(to: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == saved)
    }

    /// The command line makes a second Ctrl-C wait for a save in progress through `aroundSave`:
    /// every checkpoint write must happen inside it.
    @Test func everyCheckpointWriteGoesThroughAroundSave() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/run.safetensors"
        let trainer = try Self.trainer(train: Self.images(32)) { $0.epochs = 2 }
        trainer.checkpointPath = path
        var writes = 0
        trainer.aroundSave = { write in
            #expect(writes > 0 || !FileManager.default.fileExists(atPath: path))
            try write()
            #expect(FileManager.default.fileExists(atPath: path))
            writes += 1
        }
        _ = try trainer.run()
        #expect(writes == 2)  // after each epoch

        let stopped = try Self.trainer(train: Self.images(32)) { $0.epochs = 2 }
        stopped.checkpointPath = path
        stopped.aroundSave = trainer.aroundSave
        #expect(try stopped.run { true }.interrupted)
        #expect(writes == 3)  // on the stop request
    }
}
