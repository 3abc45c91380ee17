import Foundation
import SynapseBackend

/// Where new tensors are created and whether operations record a graph.
///
/// The default device is process-wide (set it once, e.g. from `--device`); until it is set it is
/// the registry's host device (`Devices.host`, the CPU). `withDevice` and `withoutGradient` change
/// the context for one task and its children only.
public enum TensorContext {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosenDevice: (any Device)?

    /// The device new tensors go to when no `withDevice` scope is active.
    public static var defaultDevice: any Device {
        get {
            lock.lock(); let chosen = chosenDevice; lock.unlock()
            return chosen ?? Devices.host
        }
        set { lock.lock(); chosenDevice = newValue; lock.unlock() }
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

/// A position in the counter-based random stream: random tensors take consecutive ranges of
/// counters, so a run is reproducible from its seed and a draw costs no host work.
public final class RandomStream: @unchecked Sendable {
    private let lock = NSLock()
    private var seed: UInt64
    private var counter: UInt64

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }

    /// The stream position, to save in a checkpoint.
    public var state: (seed: UInt64, counter: UInt64) {
        lock.lock(); defer { lock.unlock() }
        return (seed, counter)
    }

    /// Moves to a saved position (or a new seed with counter 0).
    public func restore(seed: UInt64, counter: UInt64 = 0) {
        lock.lock(); self.seed = seed; self.counter = counter; lock.unlock()
    }

    /// Reserves the counters of `count` elements (two each, as normals use two).
    func reserve(_ count: Int) -> (seed: UInt64, offset: UInt64) {
        lock.lock(); defer { lock.unlock() }
        let offset = counter
        counter += UInt64(2 * count + 2)
        return (seed, offset)
    }
}

/// Where random tensors draw from: the process-wide stream, or one scoped by `withRandomSeed`.
public enum TensorRandom {
    /// The process-wide stream.
    public static let global = RandomStream(seed: 0)
    @TaskLocal static var scoped: RandomStream?

    /// The stream in effect here and now.
    public static var current: RandomStream { scoped ?? global }

    /// Restarts the process-wide stream from `seed`.
    public static func seed(_ value: UInt64) { global.restore(seed: value) }

    static func reserve(_ count: Int) -> (seed: UInt64, offset: UInt64) { current.reserve(count) }
}

/// Runs `body` drawing random tensors from a fresh stream seeded with `seed`, independent of other
/// tasks (parallel tests stay reproducible).
public func withRandomSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
    try TensorRandom.$scoped.withValue(RandomStream(seed: seed), operation: body)
}
