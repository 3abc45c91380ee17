import CSynapseOpenCL
import Foundation
import SynapseBackend

/// One OpenCL device: a context, one in-order command queue, a buffer pool and a kernel library.
///
/// `execute` and `write` only enqueue work and return; `read` and `synchronize` are the only calls
/// that wait for the device. One lock guards the queue and the shared kernel objects (setting kernel
/// arguments is not thread-safe on one `cl_kernel`), so the device may be used from any thread.
/// Devices are created once per process by `all()`, `best()` or `device(platform:index:)`.
public final class OpenCLDevice: Device, PrimitiveKernels, @unchecked Sendable {
    /// Name, spec (`opencl:N`), vendor, driver and limits.
    public let info: DeviceInfo
    /// Position of the platform in `clGetPlatformIDs` order, and of the device within it.
    public let platformIndex: Int, deviceIndex: Int

    let platformID: cl_platform_id
    let deviceID: cl_device_id
    let context: cl_context
    /// The in-order queue; use only while holding `queueLock`.
    var queue: cl_command_queue?
    let queueLock = NSLock()
    /// Largest work-group the device accepts.
    let maxWorkGroupSize: Int
    /// Build options every kernel file is compiled with.
    let buildOptions: String
    /// The kernels of `Kernels/*.cl`, built for this device on first use.
    public let kernels: KernelLibrary
    private let pool: BufferPool
    /// The tuned CLBlast parameters applied to this device, or nil for CLBlast's own.
    public let clblastTuning: CLBlastTuning?
    /// Which algorithm each convolution pass and product runs with (`kernelTuning`).
    let tuningState: KernelTuning
    /// `cl_khr_command_buffer`'s functions, when the device has the extension (and
    /// `SYNAPSE_COMMAND_BUFFERS` is not `0`).
    let commandBufferFunctions: CommandBufferFunctions?

    init(platformID: cl_platform_id, deviceID: cl_device_id, platformIndex: Int, deviceIndex: Int,
         globalIndex: Int) throws {
        self.platformID = platformID
        self.deviceID = deviceID
        self.platformIndex = platformIndex
        self.deviceIndex = deviceIndex

        let name = try OpenCLDevice.string(deviceID, CL_DEVICE_NAME).trimmingCharacters(in: .whitespaces)
        let type: cl_device_type = try OpenCLDevice.value(deviceID, CL_DEVICE_TYPE)
        let kind: DeviceKind
        if type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 { kind = .gpu }
        else if type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 { kind = .cpu }
        else if type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 { kind = .accelerator }
        else { kind = .other }
        let computeUnits: cl_uint = try OpenCLDevice.value(deviceID, CL_DEVICE_MAX_COMPUTE_UNITS)
        let globalMemory: cl_ulong = try OpenCLDevice.value(deviceID, CL_DEVICE_GLOBAL_MEM_SIZE)
        let maxAllocation: cl_ulong = try OpenCLDevice.value(deviceID, CL_DEVICE_MAX_MEM_ALLOC_SIZE)
        let maxGroup: Int = try OpenCLDevice.value(deviceID, CL_DEVICE_MAX_WORK_GROUP_SIZE)
        let driver = try OpenCLDevice.string(deviceID, CL_DRIVER_VERSION)
        let fpConfig: cl_device_fp_config = try OpenCLDevice.value(deviceID, CL_DEVICE_SINGLE_FP_CONFIG)
        let spec = "opencl:\(globalIndex)"
        // Tuned CLBlast parameters go in before the first GEMM builds its kernels.
        let tuning = try CLBlastTuning.forDevice(named: name)
        if let tuning { try OpenCLDevice.apply(tuning, device: deviceID, label: "\(spec) (\(name))") }
        var gemmLibrary = "CLBlast \(CLBLAST_VERSION_MAJOR).\(CLBLAST_VERSION_MINOR).\(CLBLAST_VERSION_PATCH)"
        if let tuning { gemmLibrary += ", tuned " + tuning.kernels.keys.sorted().joined(separator: ", ") }
        // Convolutions and products pick per shape between CLBlast and kernels of our own.
        gemmLibrary += kind == .cpu ? ", own kernels by default" : ", own kernels where tuned"
        let info = DeviceInfo(
            spec: spec, name: name, backend: "opencl", kind: kind,
            platform: try OpenCLDevice.platformString(platformID, CL_PLATFORM_NAME),
            vendor: try OpenCLDevice.string(deviceID, CL_DEVICE_VENDOR),
            driverVersion: driver, computeUnits: Int(computeUnits),
            globalMemoryBytes: Int(globalMemory), maxAllocationBytes: Int(maxAllocation),
            gemmLibrary: gemmLibrary)
        self.info = info
        clblastTuning = tuning
        maxWorkGroupSize = maxGroup

        var status: cl_int = CL_SUCCESS
        var properties: [cl_context_properties] = [cl_context_properties(CL_CONTEXT_PLATFORM),
                                                   cl_context_properties(Int(bitPattern: UnsafeRawPointer(platformID))), 0]
        var device: cl_device_id? = deviceID
        guard let context = clCreateContext(&properties, 1, &device, nil, nil, &status), status == CL_SUCCESS else {
            throw OpenCLStatus.error(for: status, operation: "creating a context for \(spec) (\(name))")
        }
        self.context = context
        guard let queue = clCreateCommandQueue(context, deviceID, 0, &status), status == CL_SUCCESS else {
            throw OpenCLStatus.error(for: status, operation: "creating the command queue of \(spec) (\(name))")
        }
        self.queue = queue
        commandBufferFunctions = ProcessInfo.processInfo.environment["SYNAPSE_COMMAND_BUFFERS"] == "0"
            ? nil : CommandBufferFunctions(platform: platformID, device: deviceID)

        // Correctly rounded division and square root (where offered) keep results equal to the CPU's.
        var options = "-cl-std=CL1.2"
        if fpConfig & cl_device_fp_config(CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0 {
            options += " -cl-fp32-correctly-rounded-divide-sqrt"
        }
        if let extra = ProcessInfo.processInfo.environment["SYNAPSE_CL_OPTIONS"], !extra.isEmpty {
            options += " " + extra
        }
        buildOptions = options
        kernels = KernelLibrary(context: context, device: deviceID, deviceLabel: "\(spec) (\(name))",
                                deviceName: name, driverVersion: driver, options: options,
                                source: .fromEnvironment, cacheDirectory: KernelLibrary.defaultCacheDirectory)
        tuningState = KernelTuning(deviceName: name, driver: driver, deviceKind: kind,
                                        directory: KernelLibrary.defaultCacheDirectory)

        // A CPU device's buffers live in host memory. Allocating that memory when the buffer is
        // created (CL_MEM_ALLOC_HOST_PTR) turns host memory running out into an error from
        // clCreateBuffer; PoCL otherwise allocates at the buffer's first use and aborts on an
        // assertion when that fails.
        let memoryFlags = cl_mem_flags(kind == .cpu ? CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR : CL_MEM_READ_WRITE)
        let memoryName = kind == .cpu ? "host memory" : "device memory"
        pool = BufferPool(
            make: { size in
                if size > info.maxAllocationBytes {
                    throw DeviceError.outOfMemory(bytes: size, device: info.spec,
                                                  detail: "larger than the device's largest allocation of \(info.maxAllocationBytes) bytes")
                }
                var status: cl_int = CL_SUCCESS
                let mem = clCreateBuffer(context, memoryFlags, size, nil, &status)
                guard let mem, status == CL_SUCCESS else {
                    if OpenCLStatus.isOutOfMemory(status) {
                        throw DeviceError.outOfMemory(bytes: size, device: info.spec,
                                                      detail: "\(status == CL_OUT_OF_HOST_MEMORY ? "host memory" : memoryName) ran out: "
                                                          + "clCreateBuffer: \(OpenCLStatus.name(status))")
                    }
                    throw OpenCLStatus.error(for: status, operation: "allocating \(size) bytes")
                }
                return OpenCLBuffer(mem: mem, byteCount: size, deviceSpec: info.spec)
            },
            destroy: { buffer in
                if let buffer = buffer as? OpenCLBuffer { clReleaseMemObject(buffer.mem) }
            })
    }

    /// A new kernel library for this device, separate from `kernels` (for tests and kernel work):
    /// its own sources, its own disk cache directory (nil: no disk cache), its own statistics.
    public func makeKernelLibrary(source: KernelLibrary.Source, cacheDirectory: URL?) -> KernelLibrary {
        KernelLibrary(context: context, device: deviceID, deviceLabel: "\(info.spec) (\(info.name))",
                      deviceName: info.name, driverVersion: info.driverVersion, options: buildOptions,
                      source: source, cacheDirectory: cacheDirectory)
    }

    // MARK: Memory

    public func allocate(byteCount: Int) throws -> DeviceBuffer {
        try pool.allocate(byteCount: byteCount)
    }

    public func release(_ buffer: DeviceBuffer) {
        // A buffer a command being recorded uses stays with the recording.
        if let recording { recording.heldBuffers.append(buffer); return }
        pool.release(buffer)
    }

    public var memory: MemoryStats { pool.memory }

    public func resetPeakMemory() { pool.resetPeak() }

    public func trimPool() { pool.trim() }

    /// The `cl_mem` of a buffer this device allocated.
    func mem(_ buffer: DeviceBuffer, _ operation: @autoclosure () -> String) throws -> cl_mem {
        guard let buffer = buffer as? OpenCLBuffer, buffer.deviceSpec == info.spec else {
            throw DeviceError.unsupported("\(operation()): buffer was not allocated by \(info.spec)")
        }
        return buffer.mem
    }

    // MARK: Transfers

    public func write(_ source: UnsafeRawBufferPointer, to buffer: DeviceBuffer, byteOffset: Int) throws {
        let count = source.count
        guard count > 0, let base = source.baseAddress else { return }
        let mem = try mem(buffer, "write")
        guard byteOffset >= 0, byteOffset + count <= buffer.byteCount else {
            throw DeviceError.unsupported("write of \(count) bytes at offset \(byteOffset) into a buffer of \(buffer.byteCount) bytes")
        }
        // Stage a private copy so the caller may reuse `source` at once; the copy is freed by an
        // event callback when the transfer has completed.
        guard let staging = malloc(count) else {
            throw DeviceError.outOfMemory(bytes: count, device: "host", detail: "host memory for the staging copy of a write to \(info.spec)")
        }
        if let recording {
            free(staging)
            return recording.refuse("an upload to the device")
        }
        staging.copyMemory(from: base, byteCount: count)
        var event: cl_event?
        queueLock.lock()
        let status = clEnqueueWriteBuffer(queue, mem, cl_bool(CL_FALSE), byteOffset, count, staging, 0, nil, &event)
        tally { $0.writes += 1 }
        queueLock.unlock()
        guard status == CL_SUCCESS, let event else {
            free(staging)
            throw OpenCLStatus.error(for: status, operation: "writing \(count) bytes to \(info.spec)")
        }
        let freeStaging: @convention(c) (cl_event?, cl_int, UnsafeMutableRawPointer?) -> Void = { _, _, data in free(data) }
        if clSetEventCallback(event, CL_COMPLETE, freeStaging, staging) != CL_SUCCESS {
            var pending: cl_event? = event
            clWaitForEvents(1, &pending)
            free(staging)
        }
        clReleaseEvent(event)
    }

    public func read(_ buffer: DeviceBuffer, byteOffset: Int, into destination: UnsafeMutableRawBufferPointer) throws {
        let count = destination.count
        guard count > 0, let base = destination.baseAddress else { return }
        let mem = try mem(buffer, "read")
        guard byteOffset >= 0, byteOffset + count <= buffer.byteCount else {
            throw DeviceError.unsupported("read of \(count) bytes at offset \(byteOffset) from a buffer of \(buffer.byteCount) bytes")
        }
        if let recording { return recording.refuse("a read from the device") }
        // Enqueued without blocking and waited for outside the lock, so that another thread (a
        // gradient exchange) may read while this one keeps enqueueing work.
        var event: cl_event?
        queueLock.lock()
        let status = clEnqueueReadBuffer(queue, mem, cl_bool(CL_FALSE), byteOffset, count, base, 0, nil, &event)
        tally { $0.reads += 1; $0.waits += 1 }
        if status == CL_SUCCESS { clFlush(queue) }
        queueLock.unlock()
        try OpenCLStatus.check(status, "reading \(count) bytes from \(info.spec)")
        guard let event else { return }
        defer { clReleaseEvent(event) }
        var pending: cl_event? = event
        let waited = clWaitForEvents(1, &pending)
        try OpenCLStatus.check(waited, "reading \(count) bytes from \(info.spec) (or an earlier command failed)")
    }

    public func synchronize() throws {
        if let recording { return recording.refuse("a wait for the device") }
        queueLock.lock()
        let status = clFinish(queue)
        tally { $0.waits += 1 }
        queueLock.unlock()
        try OpenCLStatus.check(status, "waiting for \(info.spec) (an enqueued command failed)")
    }

    /// Kernels, CLBlast calls, transfers, waits and enqueue time go to `countingCommands`.
    public var countsCommands: Bool { true }

    /// Adds an enqueued command to the calling task's `CommandCounter`, if it is counting.
    func tally(_ update: (inout CommandCounts) -> Void) {
        CommandCounter.current?.add(update)
    }

    // MARK: Primitives

    /// Enqueues `primitive` after the shared checks of `PrimitiveKernels.dispatch`.
    public func execute(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws {
        try dispatch(primitive, inputs: inputs, outputs: outputs)
    }
}
