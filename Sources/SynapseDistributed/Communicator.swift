/// The processes of a data-parallel job and the collective operations between them.
///
/// Every process (rank) runs the same program and calls the same collectives in the same order;
/// a collective returns on a rank once every rank has called it. `Distributed.start()` gives MPI's
/// communicator under `mpirun` and a single-process one otherwise, so a training loop written
/// against this protocol runs unchanged in both.
///
/// Failures: MPI's default error handler, `MPI_ERRORS_ARE_FATAL`, is kept. A rank that dies (an
/// exit, a signal, `abort`) makes `mpirun` end every other rank within seconds, even those blocked
/// in a collective, and exit non-zero naming the rank; no rank is left waiting forever.
public protocol Communicator: AnyObject, Sendable {
    /// This process's number, `0..<size`; rank 0 is the one that prints, saves and evaluates.
    var rank: Int { get }
    /// Number of processes in the job.
    var size: Int { get }
    /// This process's number among the processes on its machine (which GPU it takes by default).
    var localRank: Int { get }

    /// Replaces `values` on every rank with `root`'s. Every rank passes the same count.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws
    /// Replaces `values` on every rank with their element-wise sum or average over all ranks.
    /// Every rank passes the same count.
    func allreduce(_ values: UnsafeMutableBufferPointer<Float>, _ reduction: Reduction) throws
    /// Returns once every rank has called it.
    func barrier() throws
    /// Ends the whole job: prints `synapse: error: rank R of N: message` to standard error and
    /// makes every rank exit with `exitCode`.
    func abort(_ message: String, exitCode: Int32) -> Never
    /// Ends this process's part in the job; call it once, on every rank, before exiting normally.
    /// No collective may follow.
    func finalize() throws
}

/// How an allreduce combines the ranks' values.
public enum Reduction: Sendable, Equatable {
    /// Element-wise sum.
    case sum
    /// Element-wise sum divided by the number of ranks (the gradient average of data parallelism
    /// when every rank trains on the same number of examples).
    case average
}

extension Communicator {
    /// Whether this is rank 0.
    public var isRoot: Bool { rank == 0 }

    /// Replaces `values` on every rank with `root`'s (rank 0's by default).
    public func broadcast(_ values: inout [Float], from root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, from: root) }
    }

    /// Replaces `values` on every rank with their element-wise sum or average over all ranks.
    public func allreduce(_ values: inout [Float], _ reduction: Reduction) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, reduction) }
    }

    /// The line `abort` prints.
    func abortLine(_ message: String) -> String {
        "synapse: error: rank \(rank) of \(size): \(message)\n"
    }
}
