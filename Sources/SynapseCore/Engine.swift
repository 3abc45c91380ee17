import Foundation
import SynapseBackend

/// Runs primitives for tensor operations and keeps the first device failure.
///
/// Tensor operations do not throw: like CUDA's sticky errors, a failure (out of memory, a driver
/// error) is recorded, later work is skipped, and the error surfaces from the next `toArray()`,
/// `item()` or `Tensor.synchronize(on:)`, which throw it. Shape mistakes are programmer errors and
/// trap with a message naming the operation and the shapes.
public enum Engine {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var failure: (any Error)?

    static func recordFailure(_ error: any Error) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    /// Throws (and clears) the first failure since the last check, if any.
    public static func checkFailure() throws {
        lock.lock()
        let error = failure
        failure = nil
        lock.unlock()
        if let error { throw error }
    }

    static var hasFailure: Bool {
        lock.lock(); defer { lock.unlock() }
        return failure != nil
    }

    /// Runs `primitive` reading `inputs` and writing `outputs`, all on `device`. `retaining` keeps
    /// temporaries (and so their buffers) alive until the primitive has been handed to the device.
    static func run(_ primitive: Primitive, on device: any Device, inputs: [BufferView?], outputs: [BufferView?],
                    retaining: [Tensor] = []) {
        withExtendedLifetime(retaining) { runUnretained(primitive, on: device, inputs: inputs, outputs: outputs) }
    }

    private static func runUnretained(_ primitive: Primitive, on device: any Device, inputs: [BufferView?],
                                      outputs: [BufferView?]) {
        guard !hasFailure else { return }
        let ins = inputs.compactMap { $0 }, outs = outputs.compactMap { $0 }
        guard ins.count == inputs.count, outs.count == outputs.count else { return }
        do {
            try device.execute(primitive, inputs: ins, outputs: outs)
        } catch {
            recordFailure(error)
        }
    }
}
