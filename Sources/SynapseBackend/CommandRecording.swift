/// A device that can record the commands a block of code enqueues and submit them again as one
/// unit (OpenCL's `cl_khr_command_buffer`): what a captured training step replays through when
/// the device offers it.
public protocol CommandRecordingDevice: Device {
    /// Records what `body` enqueues, without running it. Returns the recording, or the reason the
    /// device cannot record it (no support, or `body` enqueued something a recording cannot hold:
    /// a transfer, a wait, a library's own commands). Nothing `body` enqueued has run either way.
    func recordCommands(_ body: () throws -> Void) throws -> Result<any RecordedCommands, CommandRecordingRefusal>
}

/// Commands recorded once, submitted any number of times; each submission runs them all, in
/// order, after what was enqueued before it.
public protocol RecordedCommands: AnyObject, Sendable {
    /// Commands per submission.
    var commandCount: Int { get }
    /// Enqueues every recorded command as one submission.
    func submit() throws
}

/// Why a device did not record a block.
public struct CommandRecordingRefusal: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
