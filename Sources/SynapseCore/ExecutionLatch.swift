import Foundation
import SynapseBackend

/// The error latch in front of `Device.execute`: runs the primitives of tensor operations and keeps
/// the first failure of each device.
///
/// Tensor operations do not throw: like CUDA's sticky errors, a failure (out of memory, a driver
/// error) is recorded for its device, later work on that device is skipped, and the error surfaces
/// from the next `toArray()`, `item()` or `Tensor.synchronize(_:)` on that device, which throw it.
/// Shape mistakes are programmer errors and stop the program with a message naming the operation
/// and the shapes.
public enum ExecutionLatch {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var failures: [ObjectIdentifier: any Error] = [:]

    static func recordFailure(_ error: any Error, on device: any Device) {
        lock.lock()
        if failures[ObjectIdentifier(device)] == nil { failures[ObjectIdentifier(device)] = error }
        lock.unlock()
    }

    /// Throws (and clears) the first failure on `device` since the last check, if any.
    public static func checkFailure(on device: any Device) throws {
        lock.lock()
        let error = failures.removeValue(forKey: ObjectIdentifier(device))
        lock.unlock()
        if let error { throw error }
    }

    static func hasFailure(on device: any Device) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return failures[ObjectIdentifier(device)] != nil
    }

    /// Runs `primitive` reading `inputs` and writing `outputs`, all on `device`. `retaining` keeps
    /// temporaries (and so their buffers) alive until the primitive has been handed to the device.
    static func run(_ primitive: Primitive, on device: any Device, inputs: [BufferView?], outputs: [BufferView?],
                    retaining: [Tensor] = []) {
        withExtendedLifetime(retaining) { runUnretained(primitive, on: device, inputs: inputs, outputs: outputs) }
    }

    private static func runUnretained(_ primitive: Primitive, on device: any Device, inputs: [BufferView?],
                                      outputs: [BufferView?]) {
        guard !hasFailure(on: device) else { return }
        let ins = inputs.compactMap { $0 }, outs = outputs.compactMap { $0 }
        guard ins.count == inputs.count, outs.count == outputs.count else { return }
        do {
            try device.execute(primitive, inputs: ins, outputs: outs)
            CaptureRegistry.capturing(device)?.record(primitive, inputs: ins, outputs: outs)
        } catch {
            recordFailure(error, on: device)
        }
    }
}
