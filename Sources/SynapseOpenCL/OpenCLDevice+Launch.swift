import Foundation
import CSynapseOpenCL
import SynapseBackend

/// One argument of a kernel launch.
enum KernelArgument {
    case buffer(cl_mem)
    case int(Int32)
    case float(Float)
    case ulong(UInt64)
    /// An `int8` vector: exactly eight values.
    case int8([Int32])

    /// An `int` argument from a Swift `Int` that the caller has checked fits.
    static func i(_ value: Int) -> KernelArgument { .int(Int32(truncatingIfNeeded: value)) }
    static func bool(_ value: Bool) -> KernelArgument { .int(value ? 1 : 0) }
}

extension OpenCLDevice {
    /// Work-group size of the one-dimensional elementwise launches.
    static let elementwiseGroup = 256

    /// Enqueues a one-dimensional launch of `name` over `global` work items (rounded up to a multiple
    /// of the work-group size, which is `local` clamped to what the device and kernel allow; callers
    /// that need an exact group size get it from `rowGroupSize(for:kernel:)`). Returns without waiting.
    func launch(_ name: String, global: Int, local: Int = OpenCLDevice.elementwiseGroup, _ arguments: [KernelArgument]) throws {
        guard global > 0 else { return }
        let kernel = try kernels.kernel(named: name)
        let group = max(1, min(local, maxWorkGroupSize, try kernels.maxWorkGroupSize(of: name)))
        try launch(kernel, name, global: [global], local: [group], arguments)
    }

    /// A one-dimensional launch of `name` from the build of its file specialised with `defines`
    /// (`Self.defines`): geometry the kernel reads as compile-time constants.
    func launch(_ name: String, defines: String, global: Int, local: Int = OpenCLDevice.elementwiseGroup,
                _ arguments: [KernelArgument]) throws {
        guard global > 0 else { return }
        let kernel = try kernels.kernel(named: name, defines: defines)
        try launch(kernel, name, global: [global], local: [max(1, min(local, maxWorkGroupSize))], arguments)
    }

    /// `-DNAME=VALUE` build options, in order.
    static func defines(_ values: KeyValuePairs<String, Int>) -> String {
        values.map { "-D\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Enqueues `kernel` over `global` work items in one to three dimensions, each rounded up to a
    /// multiple of its `local` work-group extent (which the caller has checked the device allows).
    func launch(_ kernel: cl_kernel, _ name: String, global: [Int], local: [Int], _ arguments: [KernelArgument]) throws {
        guard global.allSatisfy({ $0 > 0 }) else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        var globalSize = zip(global, local).map { ($0 + $1 - 1) / $1 * $1 }
        var localSize = local
        queueLock.lock()
        defer { queueLock.unlock() }
        // A recorded launch gets a kernel object of its own: some drivers (PoCL 3.1) take a
        // recorded command's arguments from its kernel object when the recording is submitted.
        let kernel = try recording.map { try $0.privateKernel(like: kernel, named: name) } ?? kernel
        for (index, argument) in arguments.enumerated() {
            let status: cl_int
            switch argument {
            case var .buffer(mem):
                status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem>.size, &mem)
            case var .int(value):
                status = clSetKernelArg(kernel, cl_uint(index), 4, &value)
            case var .float(value):
                status = clSetKernelArg(kernel, cl_uint(index), 4, &value)
            case var .ulong(value):
                status = clSetKernelArg(kernel, cl_uint(index), 8, &value)
            case let .int8(values):
                ensure(values.count == 8, "\(name): int8 argument \(index) needs 8 values, got \(values.count)")
                status = values.withUnsafeBytes { clSetKernelArg(kernel, cl_uint(index), 32, $0.baseAddress) }
            }
            try OpenCLStatus.check(status, "setting argument \(index) of kernel \(name)")
        }
        if let recording {
            let status = recording.recordLaunch(kernel, dimensions: global.count, global: &globalSize, local: &localSize)
            return try OpenCLStatus.check(status, "recording kernel \(name) (global \(globalSize), local \(localSize)) on \(info.spec)")
        }
        let status = clEnqueueNDRangeKernel(queue, kernel, cl_uint(global.count), nil, &globalSize, &localSize, 0, nil, nil)
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        tally { $0.kernels += 1; $0.enqueueNanoseconds += elapsed }
        try OpenCLStatus.check(status, "launching kernel \(name) (global \(globalSize), local \(localSize)) on \(info.spec)")
        if let profile = KernelProfile.shared {
            clFinish(queue); profile.add(name, DispatchTime.now().uptimeNanoseconds - start)
        }
    }

    /// The work-group size of the one-group-per-row kernels: the smallest power of two from 32 up that
    /// covers `length`, at most `limit` (their local arrays' size) and what the device and `kernel` allow.
    func rowGroupSize(for length: Int, kernel: String, limit: Int = 256) throws -> Int {
        var size = 32
        while size < length && size < limit { size *= 2 }
        let allowed = min(maxWorkGroupSize, try kernels.maxWorkGroupSize(of: kernel))
        while size > allowed && size > 1 { size /= 2 }
        return size
    }

    // MARK: Temporaries

    /// A contiguous float32 scratch buffer of `count` elements from the pool. Give it back with
    /// `release` right after enqueuing the last command that uses it: later users are enqueued behind
    /// those commands on the same in-order queue.
    func scratch(_ count: Int) throws -> DeviceBuffer {
        try allocate(byteCount: max(count, 1) * 4)
    }
}

// MARK: View checks (of the views a backend builds itself; the dispatch checked the primitive's)

extension OpenCLDevice {
    /// The `cl_mem` of a view after checking that every element it reaches lies inside its buffer and
    /// that element offsets fit the kernels' 32-bit index arithmetic.
    func checkedMem(_ view: BufferView, _ op: String, dtype: DType? = nil) throws -> cl_mem {
        if let dtype, view.dtype != dtype {
            throw DeviceError.unsupported("\(op): expected a \(dtype) view, got \(view.dtype) of shape \(view.shape)")
        }
        let mem = try mem(view.buffer, op)
        guard let reach = view.elementReach else { return mem }
        let (low, high, capacity) = (reach.lowerBound, reach.upperBound, view.bufferCapacity)
        if low < 0 || high >= capacity {
            throw DeviceError.unsupported("\(op): view of shape \(view.shape), strides \(view.strides), offset \(view.offset) reaches elements \(low)...\(high) of a buffer of \(capacity)")
        }
        if capacity > Int(Int32.max) && high > Int(Int32.max) {
            throw DeviceError.unsupported("\(op): element offset \(high) exceeds the 32-bit index range of the OpenCL kernels")
        }
        return mem
    }

    /// Throws unless `view` is contiguous with exactly `shape`'s element count.
    func expectContiguous(_ view: BufferView, count: Int, _ op: String, _ role: String) throws {
        if !view.isContiguous {
            throw DeviceError.unsupported("\(op): \(role) must be contiguous, got shape \(view.shape) strides \(view.strides)")
        }
        if view.count != count {
            throw DeviceError.unsupported("\(op): \(role) has shape \(view.shape) (\(view.count) elements), expected \(count) elements")
        }
    }
}
