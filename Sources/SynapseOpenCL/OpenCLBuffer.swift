import CSynapseOpenCL
import SynapseBackend

/// A device buffer backed by one `cl_mem` of the device that allocated it.
final class OpenCLBuffer: DeviceBuffer, @unchecked Sendable {
    /// The OpenCL memory object; released by the device's pool when trimmed.
    let mem: cl_mem
    /// The spec of the device that owns it, to catch buffers handed to the wrong device.
    let deviceSpec: String

    init(mem: cl_mem, byteCount: Int, deviceSpec: String) {
        self.mem = mem
        self.deviceSpec = deviceSpec
        super.init(byteCount: byteCount)
    }
}
