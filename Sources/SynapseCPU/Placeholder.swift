import SynapseBackend
/// Placeholder until the CPU backend lands (replace this file).
public final class CPUDevice: Device, @unchecked Sendable {
    public static let shared = CPUDevice()
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
