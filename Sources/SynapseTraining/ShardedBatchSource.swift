import Synapse
import SynapseDistributed

/// One rank's slices of another source's global batches: batch k of an epoch holds the examples of
/// global batch k that `shard` assigns to this rank, so the ranks of a job together train on
/// exactly the examples, in exactly the order, that one process would.
///
/// A `DataLoader` is cut before upload: the rank gathers and uploads only its slice of the one
/// seeded shuffle every rank computes. Any other source (synthetic data) yields the whole global
/// batch, of which the rank keeps its rows.
public final class ShardedBatchSource: BatchSource, @unchecked Sendable {
    /// The global batches.
    public let source: any BatchSource
    /// Which part of each global batch this rank takes.
    public let shard: GlobalBatchShard

    /// The shard of `source`'s batches for `shard`'s rank.
    ///
    /// - Throws: `TrainingError.invalidOption` (`--batch-size`) when a batch of `source` would
    ///   leave a rank without examples.
    public init(_ source: any BatchSource, shard: GlobalBatchShard) throws {
        self.source = source
        self.shard = shard
        let smallest = Self.smallestBatch(of: source)
        guard smallest >= shard.rankCount else {
            throw TrainingError.invalidOption(
                option: "--batch-size",
                reason: "a batch of \(smallest) examples cannot be split across \(shard.rankCount) ranks; "
                    + "every rank needs at least one example per batch")
        }
    }

    /// The global batch size of `source`'s smallest batch.
    private static func smallestBatch(of source: any BatchSource) -> Int {
        guard let loader = source as? DataLoader else {
            return source.examplesPerEpoch / Swift.max(source.batchesPerEpoch, 1)
        }
        let remainder = loader.examplesPerEpoch % loader.batchSize
        return remainder == 0 ? loader.batchSize : Swift.min(loader.batchSize, remainder)
    }

    /// Global batches per epoch (every rank takes a step for each).
    public var batchesPerEpoch: Int { source.batchesPerEpoch }
    /// Examples per epoch over all ranks.
    public var examplesPerEpoch: Int { source.examplesPerEpoch }
    public var exampleCount: Int { source.exampleCount }
    public var imageShape: [Int] { source.imageShape }

    /// The global batch size of batch `number` of an epoch.
    public func globalCount(ofBatch number: Int) -> Int {
        guard let loader = source as? DataLoader else { return examplesPerEpoch / Swift.max(batchesPerEpoch, 1) }
        return Swift.min(loader.batchSize, loader.examplesPerEpoch - number * loader.batchSize)
    }

    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        if let loader = source as? DataLoader {
            let order = loader.order(epoch: epoch), shard = self.shard
            return AnySequence((start..<loader.batchesPerEpoch).lazy.map { number in
                loader.makeBatch(shard.indices(ofBatch: number, batchSize: loader.batchSize, in: order))
            })
        }
        let shard = self.shard
        return AnySequence(source.batches(epoch: epoch, startingAt: start).lazy.map { Self.rows(of: $0, shard) })
    }

    /// `shard`'s rows of a global batch, copied through the host into tensors of their own.
    private static func rows(of batch: Batch, _ shard: GlobalBatchShard) -> Batch {
        let count = batch.images.shape[0], mine = shard.range(inBatchOf: count)
        let perImage = batch.images.count / Swift.max(count, 1)
        do {
            let pixels = try batch.images.toArray(), labels = try batch.labels.toInt32Array()
            var shape = batch.images.shape
            shape[0] = mine.count
            return Batch(images: Tensor(Array(pixels[mine.lowerBound * perImage ..< mine.upperBound * perImage]),
                                        shape: shape, on: batch.images.device),
                         labels: Tensor(int32: Array(labels[mine]), shape: [mine.count], on: batch.labels.device))
        } catch {
            // A device failure stays pending on the device; the step that follows throws it.
            return Batch(images: batch.images.slice(axis: 0, mine), labels: batch.labels.slice(axis: 0, mine))
        }
    }
}

extension TrainingData {
    /// This data as one rank of a job sees it: its slices of the training batches, and the test
    /// set on rank 0 only (the one that evaluates).
    public func sharded(_ shard: GlobalBatchShard) throws -> TrainingData {
        TrainingData(train: try ShardedBatchSource(train, shard: shard), test: shard.rank == 0 ? test : nil,
                     name: name)
    }
}
