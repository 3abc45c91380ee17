import SynapseDistributed

/// Broadcast from the first and the last rank, allreduce sum and average (exact values), barrier.
func checkCollectives(_ checks: inout SelfChecks) {
    let rank = checks.rank, size = checks.size
    checks.run("broadcast") { checks in
        for root in Set([0, size - 1]).sorted() {
            var values = (0..<1_001).map { Float(rank * 100_000 + $0) }
            try checks.communicator.broadcast(&values, from: root)
            let expected = (0..<1_001).map { Float(root * 100_000 + $0) }
            checks.expect(values == expected, "broadcast from rank \(root)",
                          firstDifference(values, expected) ?? "")
        }
    }
    // Small integers and quarters: every sum and quotient below is exact in Float.
    let input = (0..<100_003).map { Float($0 % 13) + Float(rank) * 0.25 }
    let rankSum = Float(size * (size - 1) / 2) * 0.25
    let sum = (0..<100_003).map { Float(size) * Float($0 % 13) + rankSum }
    checks.run("allreduce") { checks in
        var values = input
        try checks.communicator.allreduce(&values, .sum)
        checks.expect(values == sum, "allreduce sum", firstDifference(values, sum) ?? "")
        values = input
        try checks.communicator.allreduce(&values, .average)
        let average = sum.map { $0 / Float(size) }
        checks.expect(values == average, "allreduce average", firstDifference(values, average) ?? "")
        try checks.communicator.barrier()
        checks.expect(true, "barrier")
    }
}
