import Foundation
import SynapseDistributed

/// Times `repeats` allreduces (sum) of `count` floats after one warm-up, each after a barrier;
/// rank 0 prints every time and the median.
func benchAllreduce(_ communicator: any Communicator, count: Int, repeats: Int) {
    let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
    defer { values.deallocate() }
    values.initialize(repeating: 1)
    let clock = ContinuousClock()
    var times: [Double] = []
    for round in 0...repeats {
        try! communicator.barrier()
        let start = clock.now
        try! communicator.allreduce(values, .sum)
        if round > 0 { times.append((clock.now - start).seconds * 1e3) }
    }
    guard communicator.isRoot else { return }
    let median = times.sorted()[times.count / 2]
    let shown = times.map { String(format: "%.3f", $0) }.joined(separator: " ")
    print(String(format: "allreduce %d floats (%.1f MB) on %d ranks: median %.3f ms  (runs: %@ ms)",
                 count, Double(count * 4) / 1e6, communicator.size, median, shown))
}

/// Times `steps` gradient exchanges of `count` floats in `bucketCount` equal buckets while the
/// caller simulates a backward pass of `backwardMilliseconds` on a GPU (it sleeps, as a host
/// thread waiting for the device does, before submitting each bucket); rank 0 prints the step
/// with the median exchange time: its exchange time, the exposed part (waited for in waitAll) and
/// the hidden part.
func benchExchange(_ communicator: any Communicator, count: Int, bucketCount: Int, backwardMilliseconds: Double,
                   steps: Int) {
    let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
    defer { gradients.deallocate() }
    gradients.initialize(repeating: 1)
    let size = (count + bucketCount - 1) / bucketCount
    let buckets = stride(from: 0, to: count, by: size).map { $0 ..< min($0 + size, count) }
    let exchange = try! GradientExchange(communicator: communicator, gradients: gradients, buckets: buckets,
                                         reduction: .sum)
    var timings: [ExchangeTiming] = []
    for step in 0...steps {
        try! communicator.barrier()
        for index in buckets.indices {
            Thread.sleep(forTimeInterval: backwardMilliseconds / 1e3 / Double(buckets.count))
            try! exchange.submit(index)
        }
        let timing = try! exchange.waitAll()
        if step > 0 { timings.append(timing) }
    }
    exchange.close()
    guard communicator.isRoot else { return }
    let median = timings.sorted { $0.total < $1.total }[timings.count / 2]
    print(String(format: "exchange %d floats in %d buckets behind a %.1f ms backward on %d ranks: "
                 + "median step %.3f ms exchanging, %.3f ms exposed, %.3f ms hidden",
                 count, buckets.count, backwardMilliseconds, communicator.size,
                 median.total.seconds * 1e3, median.exposed.seconds * 1e3, median.hidden.seconds * 1e3))
}
