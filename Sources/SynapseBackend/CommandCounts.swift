import Foundation

/// What code asked devices to enqueue (see `countingCommands`): what makes a small
/// network's step cost more on a GPU than its arithmetic (each command costs host time and a launch).
public struct CommandCounts: Sendable, Equatable, Codable {
    /// Kernels of our own (`Kernels/*.cl`) launched.
    public var kernels = 0
    /// Calls into a GEMM library (CLBlast), each one or more kernels inside it.
    public var libraryCalls = 0
    /// Submissions of recorded commands (`RecordedCommands.submit`), each many kernels.
    public var recordedSubmissions = 0
    /// Host-to-device and device-to-host transfers.
    public var writes = 0, reads = 0
    /// Times the host waited for the device (`synchronize`, blocking reads).
    public var waits = 0
    /// Host time spent setting arguments and enqueuing, in nanoseconds.
    public var enqueueNanoseconds: UInt64 = 0
    /// Primitives run, by name (`unary(tanh)`, `matmul(transposeA: false, transposeB: true)`), on
    /// every device, counting ones included: what a step is made of, before a backend splits a
    /// primitive into kernels.
    public var primitives: [String: Int] = [:]

    public init() {}

    /// Everything enqueued: kernels, library calls, recorded submissions and transfers.
    public var commands: Int { kernels + libraryCalls + recordedSubmissions + writes + reads }
}

extension Device {
    /// No counting: the device runs work as it is asked.
    public var countsCommands: Bool { false }
}

/// Counts the commands enqueued by one piece of code, however many other threads use the same
/// device meanwhile: devices add what they enqueue to the counter of the calling task.
public final class CommandCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = CommandCounts()

    /// The counter of the code running now (set by `countingCommands`), if any.
    @TaskLocal public static var current: CommandCounter?

    /// What was counted so far.
    public var total: CommandCounts {
        lock.lock(); defer { lock.unlock() }
        return counts
    }

    /// Adds to the counter (for devices).
    public func add(_ update: (inout CommandCounts) -> Void) {
        lock.lock(); update(&counts); lock.unlock()
    }
}

/// Runs `body` and returns what it enqueued on any device that counts commands (the OpenCL ones),
/// leaving out what other tasks enqueued at the same time.
public func countingCommands(_ body: () throws -> Void) rethrows -> CommandCounts {
    let counter = CommandCounter()
    try CommandCounter.$current.withValue(counter, operation: body)
    return counter.total
}
