import Foundation
import SynapseBackend

/// The shared scalar constants of each device (`Tensor.constant`), made outside any capture so
/// they outlive every recording.
enum ConstantCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var tensors: [Key: Tensor] = [:]

    private struct Key: Hashable {
        let device: ObjectIdentifier
        let bits: UInt32
    }

    static func tensor(_ value: Float, on device: any Device) -> Tensor {
        let key = Key(device: ObjectIdentifier(device), bits: value.bitPattern)
        lock.lock()
        if let cached = tensors[key] { lock.unlock(); return cached }
        lock.unlock()
        let made = CaptureRegistry.$current.withValue(nil) { () -> Tensor in
            let storage = Storage(device: device, count: 1, dtype: .float32, constant: value)
            let tensor = Tensor(storage: storage, shape: [])
            ExecutionLatch.run(.fill(value: value), on: device, inputs: [], outputs: [tensor.bufferView])
            return tensor
        }
        lock.lock(); defer { lock.unlock() }
        if let cached = tensors[key] { return cached }
        tensors[key] = made
        return made
    }
}
