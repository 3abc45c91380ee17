import SynapseBackend

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory owned by `CPUDevice`: one 64-byte-aligned block, so rows start on cache lines
/// and AVX loads never straddle them.
///
/// The memory is freed when the last reference to the buffer goes away; the device's pool keeps
/// released buffers alive for reuse until `trimPool()`.
public final class CPUBuffer: DeviceBuffer, @unchecked Sendable {
    /// Start of the block (`byteCount` usable bytes).
    public let pointer: UnsafeMutableRawPointer

    /// Allocates `byteCount` bytes aligned to 64; throws `DeviceError.outOfMemory` when the host
    /// has no room.
    init(allocating byteCount: Int) throws {
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, 64, max(byteCount, 64))
        guard status == 0, let raw else {
            throw DeviceError.outOfMemory(bytes: byteCount, device: "cpu", detail: "posix_memalign returned \(status)")
        }
        pointer = raw
        super.init(byteCount: byteCount)
    }

    deinit { free(pointer) }
}
