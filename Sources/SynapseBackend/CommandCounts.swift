/// What a device was asked to enqueue since its counters were last reset: what makes a small
/// network's step cost more on a GPU than its arithmetic (each command costs host time and a launch).
public struct CommandCounts: Sendable, Equatable, Codable {
    /// Kernels of our own (`Kernels/*.cl`) launched.
    public var kernels = 0
    /// Calls into a GEMM library (CLBlast), each one or more kernels inside it.
    public var libraryCalls = 0
    /// Host-to-device and device-to-host transfers.
    public var writes = 0, reads = 0
    /// Times the host waited for the device (`synchronize`, blocking reads).
    public var waits = 0
    /// Host time spent setting arguments and enqueuing, in nanoseconds.
    public var enqueueNanoseconds: UInt64 = 0

    public init() {}

    /// Everything enqueued: kernels, library calls and transfers.
    public var commands: Int { kernels + libraryCalls + writes + reads }
}

extension Device {
    /// No counters: the device runs work as it is asked.
    public var commandCounts: CommandCounts? { nil }
    /// Nothing to reset.
    public func resetCommandCounts() {}
}
