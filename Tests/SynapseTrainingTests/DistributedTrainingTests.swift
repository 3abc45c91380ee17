import Foundation
import SynapseDistributed
import SynapseTestSupport
import SynapseTraining
import Testing

/// The in-process half of data-parallel training: rank shards of a loader's batches, and what
/// `distribute(over:)` refuses. Across processes: CLIDistributedTests.
@Suite struct DistributedTrainingTests {
    /// 23 random images: batches of 7 leave a short last batch of 2.
    static let images: LabeledImages = {
        var random = SeededRandom(11)
        let pixels = (0..<(23 * 784)).map { _ in UInt8(random.float(0...255.99)) }
        let labels = (0..<23).map { _ in Int32(random.float(0...9.99)) }
        return try! LabeledImages(pixels: pixels, labels: labels, height: 28, width: 28, classCount: 10)
    }()

    static func loader() -> DataLoader {
        DataLoader(images, batchSize: 7, shuffle: true, seed: 3, dropLast: false, device: TestDevices.device("cpu"))
    }

    @Test func twoRanksTogetherSeeEachBatchOfOneProcessInOrder() throws {
        let loader = Self.loader()
        let shards = try (0..<2).map { try ShardedBatchSource(loader, shard: GlobalBatchShard(rank: $0, rankCount: 2)) }
        for epoch in 0..<2 {
            let whole = Array(loader.batches(epoch: epoch, startingAt: 1))
            let parts = shards.map { Array($0.batches(epoch: epoch, startingAt: 1)) }
            #expect(whole.count == 3 && parts.allSatisfy { $0.count == 3 })
            for (number, batch) in whole.enumerated() {
                let pieces = parts.map { $0[number] }
                #expect(pieces.map { $0.labels.count } == [(batch.labels.count + 1) / 2, batch.labels.count / 2])
                #expect(try pieces.flatMap { try $0.labels.toInt32Array() } == batch.labels.toInt32Array())
                #expect(try pieces.flatMap { try $0.images.toArray() } == batch.images.toArray())
                #expect(shards[0].globalCount(ofBatch: number + 1) == batch.labels.count)
            }
        }
    }

    @Test func aBatchTooSmallToSplitIsRefusedNamingTheOption() throws {
        // The last batch holds 23 mod 7 = 2 examples: not enough for 3 ranks.
        #expect(throws: TrainingError.invalidOption(
            option: "--batch-size",
            reason: "a batch of 2 examples cannot be split across 3 ranks; every rank needs at least one example per batch")) {
            try ShardedBatchSource(Self.loader(), shard: GlobalBatchShard(rank: 0, rankCount: 3))
        }
    }

    @Test func distributingUnshardedDataIsRefused() throws {
        var configuration = TrainingConfiguration()
        configuration.batchSize = 7
        let device = TestDevices.device("cpu")
        let trainer = try Trainer(configuration: configuration, device: device,
                                  data: TrainingData(train: Self.loader(), test: nil, name: "random"))
        #expect(throws: TrainingError.self) { try trainer.distribute(over: SingleProcessCommunicator()) }
        let sharded = try Trainer.rank(of: SingleProcessCommunicator(), configuration: configuration, device: device,
                                       data: TrainingData(train: Self.loader(), test: nil, name: "random"))
        let job = try sharded.distribute(over: SingleProcessCommunicator())
        #expect(try sharded.train(steps: 2).allSatisfy(\.isFinite))
        try job.finish()
    }
}
