import SynapseBackend
/// Placeholder until the OpenCL backend lands (replace this file).
public final class OpenCLDevice: Device, @unchecked Sendable {
    public static func all() throws -> [OpenCLDevice] { [] }
    public static func best() throws -> OpenCLDevice { fatalError() }
    public static func device(platform: Int, index: Int) throws -> OpenCLDevice { fatalError() }
    public var info: DeviceInfo { fatalError() }
    public func allocate(byteCount: Int) throws -> DeviceBuffer { fatalError() }
    public func release(_ buffer: DeviceBuffer) {}
    public func write(_ source: UnsafeRawBufferPointer, to buffer: DeviceBuffer, byteOffset: Int) throws {}
    public func read(_ buffer: DeviceBuffer, byteOffset: Int, into destination: UnsafeMutableRawBufferPointer) throws {}
    public func execute(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws {}
    public func synchronize() throws {}
    public var memory: MemoryStats { MemoryStats() }
    public func resetPeakMemory() {}
    public func trimPool() {}
}
