import CSynapseMPI
import Foundation

/// The communicator of a job started by `mpirun`: `MPI_COMM_WORLD` of Open MPI (or any MPI).
///
/// MPI is initialised with `MPI_THREAD_SERIALIZED`, the level a communication thread needs: any
/// thread may call MPI, one at a time. Every call here holds one lock, so that holds whatever
/// threads call in. Collectives must still be issued in the same order on every rank: while a
/// `GradientExchange` is in flight, call no other collective until its `waitAll()` returns.
///
/// The error handler is `MPI_ERRORS_ARE_FATAL` (MPI's default, set explicitly): an MPI error or a
/// rank that dies aborts the whole job rather than leaving ranks waiting.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let localRank: Int

    /// The most elements one MPI call takes (its count is a C `int`); longer buffers are sent in
    /// pieces.
    public static let maximumElementsPerCall = Int(Int32.max)

    private let lock = NSLock()
    private var isFinalized = false

    private static let startLock = NSLock()
    nonisolated(unsafe) private static var started: MPICommunicator?
    nonisolated(unsafe) private static var wasFinalized = false

    /// The process's communicator, initialising MPI on the first call.
    static func shared(launch: MPILaunch?) throws -> MPICommunicator {
        startLock.lock(); defer { startLock.unlock() }
        if let started { return started }
        guard !wasFinalized else { throw DistributedError.finalized }
        let communicator = try MPICommunicator(launch: launch)
        started = communicator
        return communicator
    }

    private init(launch: MPILaunch?) throws {
        var provided: Int32 = 0
        let required = synapse_mpi_thread_serialized()
        try Self.check(MPI_Init_thread(nil, nil, required, &provided), "MPI_Init_thread")
        let world = synapse_mpi_comm_world()
        try Self.check(MPI_Comm_set_errhandler(world, synapse_mpi_errors_are_fatal()), "MPI_Comm_set_errhandler")
        guard provided >= required else {
            MPI_Finalize()
            throw DistributedError.threadLevel(provided: provided, required: required)
        }
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
        if let local = launch?.localRank {
            localRank = local
        } else {
            localRank = try Self.sharedMemoryRank(world: world, rank: rank)
        }
    }

    /// This rank's number among the ranks that share its machine's memory.
    private static func sharedMemoryRank(world: MPI_Comm?, rank: Int32) throws -> Int {
        var local: MPI_Comm? = synapse_mpi_comm_null()
        try check(MPI_Comm_split_type(world, synapse_mpi_comm_type_shared(), rank, synapse_mpi_info_null(), &local),
                  "MPI_Comm_split_type")
        defer { MPI_Comm_free(&local) }
        var localRank: Int32 = 0
        try check(MPI_Comm_rank(local, &localRank), "MPI_Comm_rank")
        return Int(localRank)
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, from root: Int) throws {
        guard (0..<size).contains(root) else { throw DistributedError.invalidRank(root, size: size) }
        try inPieces(values) { start, count in
            MPI_Bcast(start, count, synapse_mpi_float(), Int32(root), synapse_mpi_comm_world())
        }
    }

    public func allreduce(_ values: UnsafeMutableBufferPointer<Float>, _ reduction: Reduction) throws {
        try inPieces(values) { start, count in
            MPI_Allreduce(synapse_mpi_in_place(), start, count, synapse_mpi_float(), synapse_mpi_sum(),
                          synapse_mpi_comm_world())
        }
        if reduction == .average && size > 1 {
            let divisor = Float(size)
            for i in values.indices { values[i] /= divisor }
        }
    }

    public func barrier() throws {
        lock.lock(); defer { lock.unlock() }
        try Self.check(MPI_Barrier(synapse_mpi_comm_world()), "MPI_Barrier")
    }

    public func abort(_ message: String, exitCode: Int32) -> Never {
        FileHandle.standardError.write(Data(abortLine(message).utf8))
        fflush(nil)
        // Not under the lock: the thread that holds it may be blocked in a collective.
        MPI_Abort(synapse_mpi_comm_world(), exitCode)
        exit(exitCode)  // MPI_Abort does not return; this only satisfies the compiler.
    }

    public func finalize() throws {
        lock.lock(); defer { lock.unlock() }
        guard !isFinalized else { return }
        isFinalized = true
        Self.startLock.withLock { Self.wasFinalized = true }
        try Self.check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Runs `call` on consecutive pieces of `values` no longer than one MPI call takes, under the
    /// lock.
    private func inPieces(_ values: UnsafeMutableBufferPointer<Float>,
                          _ call: (UnsafeMutableRawPointer, Int32) -> Int32) throws {
        lock.lock(); defer { lock.unlock() }
        guard let base = values.baseAddress else { return }
        var offset = 0
        while offset < values.count {
            let count = min(values.count - offset, Self.maximumElementsPerCall)
            try Self.check(call(UnsafeMutableRawPointer(base + offset), Int32(count)), "MPI collective")
            offset += count
        }
    }

    private static func check(_ code: Int32, _ function: String) throws {
        guard code != synapse_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(synapse_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw DistributedError.mpi(function: function, code: code, message: String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
