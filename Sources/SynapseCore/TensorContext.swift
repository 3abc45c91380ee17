import Foundation
import SynapseBackend
import SynapseCPU

/// Where new tensors are created and whether operations record a graph.
///
/// The default device is process-wide (set it once, e.g. from `--device`); `withDevice` and
/// `withGradient(enabled:)` change it for one task and its children only.
public enum TensorContext {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _defaultDevice: any Device = CPUDevice.shared

    /// The device new tensors go to when no `withDevice` scope is active.
    public static var defaultDevice: any Device {
        get { lock.lock(); defer { lock.unlock() }; return _defaultDevice }
        set { lock.lock(); _defaultDevice = newValue; lock.unlock() }
    }

    @TaskLocal static var scopedDevice: (any Device)?
    @TaskLocal static var gradientEnabled = true

    /// The device new tensors are created on here and now.
    public static var device: any Device { scopedDevice ?? defaultDevice }
    /// Whether operations record what `backward()` needs.
    public static var isGradientEnabled: Bool { gradientEnabled }
}

/// Runs `body` with new tensors created on `device`.
public func withDevice<R>(_ device: any Device, _ body: () throws -> R) rethrows -> R {
    try TensorContext.$scopedDevice.withValue(device, operation: body)
}

/// Runs `body` without recording a graph (inference, optimizer updates, metrics).
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try TensorContext.$gradientEnabled.withValue(false, operation: body)
}

/// Process-wide seed for random tensors. Each random tensor takes the next range of counters of the
/// stream, so a run is reproducible from its seed, and draws cost no host work.
public enum TensorRandom {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var seed: UInt64 = 0
    nonisolated(unsafe) private static var nextCounter: UInt64 = 0

    /// Restarts the stream from `seed`.
    public static func seed(_ value: UInt64) {
        lock.lock(); seed = value; nextCounter = 0; lock.unlock()
    }

    /// The stream position, to save in a checkpoint.
    public static var state: (seed: UInt64, counter: UInt64) {
        lock.lock(); defer { lock.unlock() }
        return (seed, nextCounter)
    }

    /// Restores a position saved from `state`.
    public static func restore(seed value: UInt64, counter: UInt64) {
        lock.lock(); seed = value; nextCounter = counter; lock.unlock()
    }

    /// Reserves `count` counters (rounded so normals, which use two each, never overlap).
    static func reserve(_ count: Int) -> (seed: UInt64, offset: UInt64) {
        lock.lock(); defer { lock.unlock() }
        let offset = nextCounter
        nextCounter += UInt64(2 * count + 2)
        return (seed, offset)
    }
}
