import Dispatch
import Foundation

/// Splits a loop over all cores with `DispatchQueue.concurrentPerform`, but only when the work is
/// large enough to pay for waking the other threads (a few microseconds each).
///
/// Chunks are contiguous, near-equal ranges fixed by the item count and the core count, so a
/// result never depends on thread timing. Bodies must not start parallel work of their own.
enum ParallelFor {
    /// Cores the loops spread over.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Scalar operations below which a loop stays on the calling thread.
    static let minimumParallelWork = 32_768

    /// Number of chunks worth using for `count` items that each cost about `costPerItem` scalar
    /// operations: one below `minimumParallelWork`, else at least one per core and up to four per
    /// core while each keeps `minimumParallelWork`. Extra chunks go to whichever thread is free, which
    /// keeps the cores busy when other processes take one of them for a while.
    static func chunkCount(_ count: Int, costPerItem: Int) -> Int {
        guard count > 1 else { return 1 }
        let total = count.multipliedReportingOverflow(by: max(costPerItem, 1))
        let work = total.overflow ? Int.max : total.partialValue
        if work < minimumParallelWork { return 1 }
        return min(count, 4 * cores, max(cores, work / minimumParallelWork))
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, in parallel when the work pays.
    static func run(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        split(count, chunks: chunkCount(count, costPerItem: costPerItem), body)
    }

    /// Calls `body` on `chunks` near-equal ranges covering `0..<count` (fewer if `count` is smaller).
    static func split(_ count: Int, chunks requested: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min(requested, count))
        if chunks == 1 { body(0..<count); return }
        let base = count / chunks, extra = count % chunks
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * base + min(chunk, extra)
                let end = start + base + (chunk < extra ? 1 : 0)
                box.value(start..<end)
            }
        }
    }
}

/// Carries a non-`Sendable` value (a closure over raw pointers) into `concurrentPerform`, whose
/// iterations only ever touch disjoint memory.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
