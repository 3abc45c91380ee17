import Testing
import SynapseDistributed

/// How each global batch is split across ranks.
@Suite struct GlobalBatchShardTests {
    func ranges(batch: Int, ranks: Int) throws -> [Range<Int>] {
        try (0..<ranks).map { try GlobalBatchShard(rank: $0, rankCount: ranks).range(inBatchOf: batch) }
    }

    @Test func evenBatchesSplitIntoEqualContiguousSlices() throws {
        #expect(try ranges(batch: 64, ranks: 2) == [0..<32, 32..<64])
        #expect(try ranges(batch: 12, ranks: 4) == [0..<3, 3..<6, 6..<9, 9..<12])
    }

    @Test func theFirstRanksTakeTheRemainderOfAnUnevenBatch() throws {
        #expect(try ranges(batch: 10, ranks: 3) == [0..<4, 4..<7, 7..<10])
        #expect(try ranges(batch: 2, ranks: 3) == [0..<1, 1..<2, 2..<2])
        #expect(try ranges(batch: 0, ranks: 2) == [0..<0, 0..<0])
    }

    @Test func slicesCoverEveryBatchExactlyOnceInRankOrder() throws {
        for ranks in 1...9 {
            for batch in 0...40 {
                let slices = try ranges(batch: batch, ranks: ranks)
                #expect(slices.flatMap { Array($0) } == Array(0..<batch), "batch \(batch) on \(ranks) ranks")
                let counts = slices.map(\.count)
                #expect(counts.max()! - counts.min()! <= 1, "batch \(batch) on \(ranks) ranks: \(counts)")
            }
        }
    }

    @Test func theRanksTogetherSeeOneProcesssBatches() throws {
        let order = (0..<103).map { ($0 * 37) % 103 }  // any permutation
        for ranks in [1, 2, 3, 5] {
            let shards = try (0..<ranks).map { try GlobalBatchShard(rank: $0, rankCount: ranks) }
            for number in 0..<5 {  // 103 = 4 batches of 25 and one of 3
                let together = shards.flatMap { Array($0.indices(ofBatch: number, batchSize: 25, in: order)) }
                #expect(together == Array(order[number * 25 ..< min(number * 25 + 25, 103)]))
            }
        }
    }

    @Test func gradientWeightsAreTheRanksSharesOfTheBatch() throws {
        let weights = try (0..<3).map { try GlobalBatchShard(rank: $0, rankCount: 3).gradientWeight(inBatchOf: 10) }
        #expect(weights == [0.4, 0.3, 0.3])
        #expect(try GlobalBatchShard(rank: 1, rankCount: 2).gradientWeight(inBatchOf: 0) == 0)
    }

    @Test func ranksOutsideTheJobAreRefused() {
        #expect(throws: DistributedError.invalidRank(2, size: 2)) { try GlobalBatchShard(rank: 2, rankCount: 2) }
        #expect(throws: DistributedError.invalidRank(0, size: 0)) { try GlobalBatchShard(rank: 0, rankCount: 0) }
    }
}
