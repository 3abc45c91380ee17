import CSynapseBLAS
import Foundation
import SynapseBackend

/// The CPU backend: host memory from a `BufferPool`, OpenBLAS for GEMM, and loops over raw
/// pointers spread across all cores with `ParallelFor`.
///
/// It is the reference every other device is tested against, so each primitive follows the
/// definition in `Primitive` (and PyTorch's semantics for geometry and optimizers) exactly.
/// Work is synchronous: `execute` returns when the outputs are written, and `synchronize()` does
/// nothing. The device keeps no mutable state besides its (locked) pool, so any thread may call it.
public final class CPUDevice: Device, PrimitiveKernels {
    /// The one CPU device of the process.
    public static let shared = CPUDevice()

    /// Name, spec (`cpu`), core count, memory size and GEMM library.
    public let info: DeviceInfo

    private let pool: BufferPool

    private init() {
        let cpu = HostCPU.describe()
        // Before any GEMM: an OpenBLAS older than the processor would run its SSE3 fallback.
        OpenBLASCore.upgradeIfUnrecognised(flags: cpu.flags)
        // All parallelism is ours: OpenBLAS runs single-threaded inside our chunks, and large GEMMs
        // are split across cores by `CPUDevice+MatMul`. Letting OpenBLAS start its own threads
        // inside our parallel loops would oversubscribe the cores.
        OpenBLASRuntime.setThreadCount(1)
        let memory = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        info = DeviceInfo(
            spec: "cpu", name: cpu.model, backend: "cpu", kind: .cpu,
            platform: "host", vendor: cpu.vendor,
            driverVersion: ProcessInfo.processInfo.operatingSystemVersionString,
            computeUnits: ProcessInfo.processInfo.activeProcessorCount,
            globalMemoryBytes: memory, maxAllocationBytes: memory,
            gemmLibrary: OpenBLASRuntime.description)
        pool = BufferPool(make: { try CPUBuffer(allocating: $0) }, destroy: { _ in })
    }

    // MARK: Buffers

    /// A 64-byte-aligned host buffer of at least `byteCount` bytes, from the pool when one fits.
    public func allocate(byteCount: Int) throws -> DeviceBuffer {
        guard byteCount >= 0 else { throw DeviceError.unsupported("cpu allocate: negative byte count \(byteCount)") }
        return try pool.allocate(byteCount: byteCount)
    }

    /// Returns `buffer` to the pool for reuse.
    public func release(_ buffer: DeviceBuffer) {
        ensure(buffer is CPUBuffer, "CPUDevice.release: buffer \(type(of: buffer)) belongs to another device")
        pool.release(buffer)
    }

    /// Copies host bytes into `buffer` at `byteOffset`.
    public func write(_ source: UnsafeRawBufferPointer, to buffer: DeviceBuffer, byteOffset: Int) throws {
        let target = try cpuBuffer(buffer, "write")
        try checkRange(byteOffset, source.count, target, "write")
        guard let from = source.baseAddress, source.count > 0 else { return }
        (target.pointer + byteOffset).copyMemory(from: from, byteCount: source.count)
    }

    /// Copies bytes from `buffer` at `byteOffset` into host memory.
    public func read(_ buffer: DeviceBuffer, byteOffset: Int, into destination: UnsafeMutableRawBufferPointer) throws {
        let source = try cpuBuffer(buffer, "read")
        try checkRange(byteOffset, destination.count, source, "read")
        guard let to = destination.baseAddress, destination.count > 0 else { return }
        to.copyMemory(from: source.pointer + byteOffset, byteCount: destination.count)
    }

    /// Does nothing: CPU work is finished when `execute` returns.
    public func synchronize() throws {}

    /// Bytes held by live buffers, their peak, what the pool holds, and pool misses.
    public var memory: MemoryStats { pool.memory }

    /// Starts a new peak measurement from the current use.
    public func resetPeakMemory() { pool.resetPeak() }

    /// Frees every pooled buffer.
    public func trimPool() { pool.trim() }

    /// Runs `body` with `count` floats of workspace from the pool (counted in `memory` while in use).
    func withScratch<R>(floats count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) throws -> R {
        let buffer = try pool.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        defer { pool.release(buffer) }
        return try body((buffer as! CPUBuffer).pointer.assumingMemoryBound(to: Float.self))
    }

    private func cpuBuffer(_ buffer: DeviceBuffer, _ operation: String) throws -> CPUBuffer {
        guard let cpu = buffer as? CPUBuffer else {
            throw DeviceError.unsupported("cpu \(operation): buffer \(type(of: buffer)) belongs to another device")
        }
        return cpu
    }

    private func checkRange(_ byteOffset: Int, _ count: Int, _ buffer: CPUBuffer, _ operation: String) throws {
        guard byteOffset >= 0, count >= 0, byteOffset + count <= buffer.byteCount else {
            throw DeviceError.unsupported(
                "cpu \(operation): \(count) bytes at offset \(byteOffset) do not fit a buffer of \(buffer.byteCount) bytes")
        }
    }

    // MARK: Primitives

    /// Runs `primitive` to completion, after the shared checks of `PrimitiveKernels.dispatch`.
    public func execute(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws {
        try dispatch(primitive, inputs: inputs, outputs: outputs)
    }
}
