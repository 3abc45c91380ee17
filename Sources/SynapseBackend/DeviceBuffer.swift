/// A block of memory owned by one device. Backends subclass it (`CPUBuffer`, `OpenCLBuffer`);
/// everything above the backend treats it as opaque and hands it back through `Device.release`.
open class DeviceBuffer: @unchecked Sendable {
    /// Usable size in bytes (at least what was asked for; pools round up).
    public let byteCount: Int

    public init(byteCount: Int) {
        self.byteCount = byteCount
    }
}
