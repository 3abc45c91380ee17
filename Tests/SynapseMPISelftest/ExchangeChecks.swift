import SynapseDistributed

/// A bucketed exchange on the communication thread over three steps, each rank submitting the
/// buckets in a different order; then the refusals (unknown, twice, waitAll before all).
func checkExchange(_ checks: inout SelfChecks) {
    let rank = checks.rank, size = checks.size
    let count = 10_000
    // Bucket 0 is the end of the buffer, as the last layers' gradients are ready first.
    let buckets = [7_000..<10_000, 3_000..<7_000, 1_000..<3_000, 0..<1_000]
    let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
    defer { gradients.deallocate() }
    checks.run("exchange") { checks in
        let exchange = try GradientExchange(communicator: checks.communicator, gradients: gradients,
                                            buckets: buckets, reduction: .average)
        defer { exchange.close() }
        for step in 0..<3 {
            for i in 0..<count { gradients[i] = Float((i + step) % 5) * Float(rank + 1) }
            // Every rank submits in its own order; the thread still sends 0, 1, 2, 3.
            let shift = (rank + step) % buckets.count
            var order = buckets.indices.map { (shift + $0) % buckets.count }
            if rank % 2 == 1 { order.reverse() }
            for index in order { try exchange.submit(index) }
            let timing = try exchange.waitAll()
            // Average of (i+step)%5 · (r+1) over ranks = (i+step)%5 · (size+1)/2, exact for halves.
            let expected = (0..<count).map { Float(($0 + step) % 5) * Float(size + 1) / 2 }
            let actual = Array(gradients)
            checks.expect(actual == expected, "exchange step \(step) (submitted \(order))",
                          firstDifference(actual, expected) ?? "")
            checks.expect(timing.total >= .zero && timing.exposed >= .zero, "exchange step \(step) timing",
                          "\(timing)")
        }
        try checkRefusals(&checks, exchange)
    }
}

/// Refusals leave the exchange usable: the step still completes afterwards.
private func checkRefusals(_ checks: inout SelfChecks, _ exchange: GradientExchange) throws {
    checks.expect(throwsError(.unknownBucket(4, count: 4)) { try exchange.submit(4) }, "unknown bucket refused")
    try exchange.submit(2)
    checks.expect(throwsError(.bucketSubmittedTwice(2)) { try exchange.submit(2) }, "bucket submitted twice refused")
    checks.expect(throwsError(.bucketsNotSubmitted([0, 1, 3])) { _ = try exchange.waitAll() },
                  "waitAll before every bucket refused")
    for index in [0, 1, 3] { try exchange.submit(index) }
    _ = try exchange.waitAll()
    checks.expect(true, "exchange completes after refusals")
    exchange.close()
    checks.expect(throwsError(.exchangeClosed) { try exchange.submit(0) }, "closed exchange refuses")
}

private func throwsError(_ expected: DistributedError, _ body: () throws -> Void) -> Bool {
    do { try body() } catch let error as DistributedError { return error == expected } catch { return false }
    return false
}
