import Foundation

/// The communicator of a job of one process: what `--distributed` runs on without `mpirun`.
/// Collectives return at once and leave the values as they are (the sum or average over one rank).
public final class SingleProcessCommunicator: Communicator {
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localRank: Int { 0 }

    public init() {}

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {
        guard root == 0 else { throw DistributedError.invalidRank(root, size: 1) }
    }

    public func allreduce(_ values: UnsafeMutableBufferPointer<Float>, _ reduction: Reduction) throws {}

    public func barrier() throws {}

    public func abort(_ message: String, exitCode: Int32) -> Never {
        FileHandle.standardError.write(Data(abortLine(message).utf8))
        exit(exitCode)
    }

    public func finalize() throws {}
}
