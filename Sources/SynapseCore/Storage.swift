import SynapseBackend

/// A device buffer owned by one or more tensors (views share it). When the last tensor that
/// uses it goes away, the buffer returns to its device's pool.
public final class Storage: @unchecked Sendable {
    /// The device the memory lives on.
    public let device: any Device
    /// The memory, or nil when allocation failed (the failure is pending in `ExecutionLatch`).
    public let buffer: DeviceBuffer?
    /// Elements it holds.
    public let count: Int
    /// The value of a shared constant (`Tensor.constant`), which nothing may overwrite.
    let constant: Float?

    init(device: any Device, count: Int, dtype: DType, constant: Float? = nil) {
        self.device = device
        self.count = count
        self.constant = constant
        do {
            buffer = try CaptureRegistry.allocate(on: device, byteCount: max(count, 1) * dtype.byteSize)
        } catch {
            ExecutionLatch.recordFailure(error, on: device)
            buffer = nil
        }
    }

    deinit {
        if let buffer { CaptureRegistry.release(buffer, on: device) }
    }
}
