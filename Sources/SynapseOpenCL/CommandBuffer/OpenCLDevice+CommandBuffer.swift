import CSynapseOpenCL
import Foundation
import SynapseBackend

/// Commands recorded into an OpenCL command buffer (`cl_khr_command_buffer`): kernel launches
/// only, each waiting for the one before (sync points), submitted as one enqueue.
final class CommandBufferRecording: RecordedCommands, @unchecked Sendable {
    unowned let device: OpenCLDevice
    let functions: CommandBufferFunctions
    let buffer: cl_command_buffer_khr
    private(set) var commandCount = 0
    private var lastSyncPoint: cl_sync_point_khr?
    /// Why the recording cannot be used, once something it cannot hold was enqueued.
    var refusal: String?
    /// Scratch buffers the recorded commands use: held for the recording's life, not given back
    /// to the pool where other code could get them between submissions.
    var heldBuffers: [DeviceBuffer] = []
    /// The kernel objects of the recorded launches, one per launch.
    private var kernels: [cl_kernel] = []

    init(device: OpenCLDevice, functions: CommandBufferFunctions, buffer: cl_command_buffer_khr) {
        self.device = device
        self.functions = functions
        self.buffer = buffer
    }

    /// Records one launch whose arguments are set on `kernel` now (they are captured at this call).
    func recordLaunch(_ kernel: cl_kernel, dimensions: Int, global: inout [Int], local: inout [Int]) -> cl_int {
        var point: cl_sync_point_khr = 0
        let status: cl_int
        if var wait = lastSyncPoint {
            status = functions.ndRange(buffer, nil, nil, kernel, cl_uint(dimensions), nil, &global, &local, 1, &wait, &point, nil)
        } else {
            status = functions.ndRange(buffer, nil, nil, kernel, cl_uint(dimensions), nil, &global, &local, 0, nil, &point, nil)
        }
        if status == CL_SUCCESS {
            lastSyncPoint = point
            commandCount += 1
        }
        return status
    }

    /// A new kernel object for `name` from `kernel`'s program, owned by the recording: the recorded
    /// command's arguments stay its own whatever later launches set on `kernel`.
    func privateKernel(like kernel: cl_kernel, named name: String) throws -> cl_kernel {
        var program: cl_program?
        try OpenCLStatus.check(clGetKernelInfo(kernel, cl_kernel_info(CL_KERNEL_PROGRAM), MemoryLayout<cl_program?>.size,
                                               &program, nil), "querying the program of kernel \(name)")
        var status: cl_int = CL_SUCCESS
        guard let program, let copy = clCreateKernel(program, name, &status), status == CL_SUCCESS else {
            throw OpenCLStatus.error(for: status, operation: "creating a kernel \(name) for a recording")
        }
        kernels.append(copy)
        return copy
    }

    func refuse(_ reason: String) {
        if refusal == nil { refusal = reason }
    }

    func submit() throws {
        try device.submit(self)
    }

    deinit {
        _ = functions.release(buffer)
        for kernel in kernels { clReleaseKernel(kernel) }
        for held in heldBuffers { device.release(held) }
    }
}

extension OpenCLDevice: CommandRecordingDevice {
    /// The recording the calling task is filling on some device, if any.
    @TaskLocal static var activeRecording: CommandBufferRecording?

    /// Whether the device records command buffers (`cl_khr_command_buffer`), so captured steps
    /// replay as one submission.
    public var recordsCommandBuffers: Bool { commandBufferFunctions != nil }

    /// This device's recording in progress on the calling task.
    var recording: CommandBufferRecording? {
        guard let recording = Self.activeRecording, recording.device === self else { return nil }
        return recording
    }

    public func recordCommands(_ body: () throws -> Void) throws -> Result<any RecordedCommands, CommandRecordingRefusal> {
        guard let functions = commandBufferFunctions else {
            return .failure(CommandRecordingRefusal("\(info.spec) has no cl_khr_command_buffer"))
        }
        var status: cl_int = CL_SUCCESS
        queueLock.lock()
        var queues: [cl_command_queue?] = [queue]
        // Simultaneous use: a step may be submitted again before the previous submission finished.
        var properties: [cl_command_buffer_properties_khr] = [
            cl_command_buffer_properties_khr(CL_COMMAND_BUFFER_FLAGS_KHR),
            cl_command_buffer_properties_khr(CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR), 0]
        let created = functions.create(1, &queues, &properties, &status)
        queueLock.unlock()
        guard let created, status == CL_SUCCESS else {
            return .failure(CommandRecordingRefusal("clCreateCommandBufferKHR: \(OpenCLStatus.name(status))"))
        }
        let recording = CommandBufferRecording(device: self, functions: functions, buffer: created)
        try Self.$activeRecording.withValue(recording) { try body() }
        if let refusal = recording.refusal { return .failure(CommandRecordingRefusal(refusal)) }
        let finalized = functions.finalize(created)
        guard finalized == CL_SUCCESS else {
            return .failure(CommandRecordingRefusal("clFinalizeCommandBufferKHR: \(OpenCLStatus.name(finalized))"))
        }
        return .success(recording)
    }

    /// Enqueues a finished recording as one command on the queue.
    func submit(_ recording: CommandBufferRecording) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        queueLock.lock()
        defer { queueLock.unlock() }
        // No queues given: the one the buffer was recorded for (this device's queue). Some drivers
        // expect the completion event to be asked for.
        var event: cl_event?
        let status = recording.functions.enqueue(0, nil, recording.buffer, 0, nil, &event)
        if let event { clReleaseEvent(event) }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        tally { $0.recordedSubmissions += 1; $0.enqueueNanoseconds += elapsed }
        try OpenCLStatus.check(status, "submitting \(recording.commandCount) recorded commands on \(info.spec)")
    }
}
