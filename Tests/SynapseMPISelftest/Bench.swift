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
