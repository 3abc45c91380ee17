/// One rank's part of every global batch, so that R ranks together train on exactly the examples
/// one process would.
///
/// Every rank computes the same seeded order of the epoch (`ShuffleOrder.permutation`, as
/// `DataLoader.order(epoch:)` does) and cuts it into the same global batches of `batchSize`
/// (the last one shorter when the examples do not divide evenly). Each global batch of B examples is
/// then split into R contiguous slices by position: rank r takes positions
/// `r·⌊B/R⌋ + min(r, B mod R)` onward, and the first `B mod R` ranks take one example more. So the
/// slices are disjoint, in rank order, and cover the batch exactly once; when B < R the last ranks
/// get empty slices (they still join every allreduce, with zero gradients).
///
/// With uneven slices, averaging the ranks' mean-loss gradients would weigh examples unequally:
/// scale each rank's gradient by `gradientWeight(inBatchOf:)` (its share, count/B) and `.sum`
/// them, which gives the mean over the global batch exactly as one process computes it. With even
/// slices that equals `.average`.
public struct GlobalBatchShard: Sendable, Equatable {
    /// This rank.
    public let rank: Int
    /// Number of ranks sharing each batch.
    public let rankCount: Int

    public init(rank: Int, rankCount: Int) throws {
        guard rankCount > 0, (0..<rankCount).contains(rank) else {
            throw DistributedError.invalidRank(rank, size: rankCount)
        }
        self.rank = rank
        self.rankCount = rankCount
    }

    /// The shard of `communicator`'s rank.
    public init(_ communicator: any Communicator) throws {
        try self.init(rank: communicator.rank, rankCount: communicator.size)
    }

    /// The positions within a global batch of `count` examples that this rank trains on.
    public func range(inBatchOf count: Int) -> Range<Int> {
        precondition(count >= 0, "GlobalBatchShard: negative batch size \(count)")
        let base = count / rankCount, extra = count % rankCount
        let start = rank * base + min(rank, extra)
        return start ..< start + base + (rank < extra ? 1 : 0)
    }

    /// This rank's example indices of global batch `number` of an epoch visiting `order` in
    /// batches of `batchSize` (the last batch shorter when `order.count` is not a multiple).
    public func indices(ofBatch number: Int, batchSize: Int, in order: [Int]) -> ArraySlice<Int> {
        precondition(batchSize > 0 && number >= 0 && number * batchSize < order.count,
                     "GlobalBatchShard: batch \(number) of \(batchSize) is outside an epoch of \(order.count)")
        let start = number * batchSize
        let global = order[start ..< start + min(batchSize, order.count - start)]
        let mine = range(inBatchOf: global.count)
        return global[global.startIndex + mine.lowerBound ..< global.startIndex + mine.upperBound]
    }

    /// This rank's share of a global batch of `count` examples (its slice's count / `count`): the
    /// factor on its mean-loss gradient before a `.sum` allreduce. 0 for an empty batch.
    public func gradientWeight(inBatchOf count: Int) -> Float {
        count == 0 ? 0 : Float(range(inBatchOf: count).count) / Float(count)
    }
}
