import Foundation
import SynapseDistributed

/// A stand-in for a job of two identical ranks: allreduce doubles a sum (and leaves an average),
/// and records which ranges it was given, in order. `failOnCall` makes that call throw;
/// `onAllreduce` runs inside each call (to block it, or to signal that it started).
final class RecordingCommunicator: Communicator, @unchecked Sendable {
    struct Failure: Error, Equatable {}

    var rank: Int { 0 }
    var size: Int { 2 }
    var localRank: Int { 0 }

    private let lock = NSLock()
    private var recorded: [(start: UnsafeMutablePointer<Float>?, count: Int)] = []
    let failOnCall: Int?
    let onAllreduce: @Sendable (Int) -> Void

    init(failOnCall: Int? = nil, onAllreduce: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.failOnCall = failOnCall
        self.onAllreduce = onAllreduce
    }

    /// The ranges allreduced so far, as offsets from `base`, in the order they were sent.
    func sentRanges(from base: UnsafeMutablePointer<Float>) -> [Range<Int>] {
        lock.withLock { recorded.map { (base.distance(to: $0.start!)) ..< base.distance(to: $0.start!) + $0.count } }
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {}

    func allreduce(_ values: UnsafeMutableBufferPointer<Float>, _ reduction: Reduction) throws {
        let call = lock.withLock {
            recorded.append((values.baseAddress, values.count))
            return recorded.count - 1
        }
        onAllreduce(call)
        if call == failOnCall { throw Failure() }
        if reduction == .sum { for i in values.indices { values[i] *= 2 } }
    }

    func barrier() throws {}
    func abort(_ message: String, exitCode: Int32) -> Never { fatalError(message) }
    func finalize() throws {}
}
