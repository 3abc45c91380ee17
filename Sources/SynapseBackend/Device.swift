/// A place where buffers live and primitives run: the CPU, or one OpenCL device.
///
/// Devices are `final` classes, safe to call from any thread. Work may be asynchronous: `execute`
/// and `write` may return before the device has finished, in order; `read` and `synchronize`
/// wait. Buffers come from a per-device pool, so a steady training loop does not call the driver.
public protocol Device: AnyObject, Sendable, CustomStringConvertible {
    /// Name, spec, vendor, driver and limits.
    var info: DeviceInfo { get }

    /// A buffer of at least `byteCount` bytes, from the pool when one fits.
    /// Throws `DeviceError.outOfMemory` when the device has no room.
    func allocate(byteCount: Int) throws -> DeviceBuffer
    /// Returns `buffer` to the pool. Work already enqueued on it still completes first.
    func release(_ buffer: DeviceBuffer)

    /// Copies host bytes into `buffer` at `byteOffset`. The source may be reused as soon as this returns.
    func write(_ source: UnsafeRawBufferPointer, to buffer: DeviceBuffer, byteOffset: Int) throws
    /// Copies bytes from `buffer` at `byteOffset` to the host, waiting for pending work on the device.
    func read(_ buffer: DeviceBuffer, byteOffset: Int, into destination: UnsafeMutableRawBufferPointer) throws

    /// Runs (or enqueues) one primitive. See `Primitive` for what each case reads and writes.
    func execute(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws
    /// Waits until all enqueued work has finished.
    func synchronize() throws

    /// Bytes in use by live buffers, the peak since the last reset, and what the pool holds.
    var memory: MemoryStats { get }
    /// Starts a new peak measurement from the current use.
    func resetPeakMemory()
    /// Gives pooled, unused buffers back to the driver.
    func trimPool()

    /// Whether the device counts the commands it enqueues into `countingCommands` (OpenCL); false
    /// for a device that runs work as it is asked (the CPU; the default).
    var countsCommands: Bool { get }
}

extension Device {
    public var description: String { "\(info.spec) (\(info.name))" }
}

/// What kind of processor a device is.
public enum DeviceKind: String, Sendable, Codable {
    case cpu, gpu, accelerator, other
}

/// Facts about a device, as `synapse devices` prints them.
public struct DeviceInfo: Sendable, Codable, Hashable {
    /// How a user selects it: `cpu`, `opencl:0`, …
    public var spec: String
    public var name: String
    /// `cpu` or `opencl`.
    public var backend: String
    public var kind: DeviceKind
    public var platform: String
    public var vendor: String
    public var driverVersion: String
    public var computeUnits: Int
    public var globalMemoryBytes: Int
    public var maxAllocationBytes: Int
    /// Library that does GEMM (`OpenBLAS 0.3.21`, `CLBlast 1.5.3`).
    public var gemmLibrary: String

    public init(spec: String, name: String, backend: String, kind: DeviceKind, platform: String, vendor: String,
                driverVersion: String, computeUnits: Int, globalMemoryBytes: Int, maxAllocationBytes: Int,
                gemmLibrary: String) {
        self.spec = spec; self.name = name; self.backend = backend; self.kind = kind; self.platform = platform
        self.vendor = vendor; self.driverVersion = driverVersion; self.computeUnits = computeUnits
        self.globalMemoryBytes = globalMemoryBytes; self.maxAllocationBytes = maxAllocationBytes
        self.gemmLibrary = gemmLibrary
    }
}

/// Memory accounting of one device, in bytes.
public struct MemoryStats: Sendable, Codable, Hashable {
    /// Held by live buffers.
    public var inUse: Int
    /// Highest `inUse` since the last `resetPeakMemory()`.
    public var peak: Int
    /// Held by the pool for reuse (not in use).
    public var pooled: Int
    /// Allocations that went to the driver (pool misses) since the device was created.
    public var driverAllocations: Int

    public init(inUse: Int = 0, peak: Int = 0, pooled: Int = 0, driverAllocations: Int = 0) {
        self.inUse = inUse; self.peak = peak; self.pooled = pooled; self.driverAllocations = driverAllocations
    }
}
