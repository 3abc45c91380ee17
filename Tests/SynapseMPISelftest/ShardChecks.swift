import SynapseData
import SynapseDistributed

/// Every example of every global batch of a seeded epoch is trained on by exactly one rank, and
/// the ranks together see exactly one process's batch (even, uneven and smaller-than-ranks batches).
func checkShards(_ checks: inout SelfChecks) {
    checks.run("shards") { checks in
        let shard = try GlobalBatchShard(checks.communicator)
        for (examples, batchSize) in [(1_000, 64), (7, 3), (5, 1)] {
            let order = ShuffleOrder.permutation(count: examples, seed: 7, epoch: 2)
            let batches = (examples + batchSize - 1) / batchSize
            var exact = true, weightsSumToOne = true
            for number in 0..<batches {
                var seen = [Float](repeating: 0, count: examples)
                for index in shard.indices(ofBatch: number, batchSize: batchSize, in: order) { seen[index] += 1 }
                try checks.communicator.allreduce(&seen, .sum)
                let single = Set(order[number * batchSize ..< min((number + 1) * batchSize, examples)])
                exact = exact && seen.indices.allSatisfy { seen[$0] == (single.contains($0) ? 1 : 0) }
                var weight = [shard.gradientWeight(inBatchOf: single.count)]
                try checks.communicator.allreduce(&weight, .sum)
                weightsSumToOne = weightsSumToOne && abs(weight[0] - 1) < 1e-6
            }
            checks.expect(exact, "shards of \(examples) examples in batches of \(batchSize) cover each batch once")
            checks.expect(weightsSumToOne, "shard gradient weights of batches of \(batchSize) sum to 1")
        }
    }
}
