import Foundation

/// A size-bucketed free list of device buffers plus memory accounting, shared by the backends.
///
/// Sizes are rounded up (to 256 bytes when small, then to an eighth of the next power of two, and
/// above 16 MiB to a multiple of 2 MiB) so that buffers of nearly equal size are interchangeable.
/// Large buffers round finely: they are activations whose sizes recur exactly every step, and an
/// eighth of a power of two would waste up to 12% of the memory they hold. Thread-safe.
public final class BufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Int: [DeviceBuffer]] = [:]
    private var stats = MemoryStats()
    private let makeBuffer: (Int) throws -> DeviceBuffer
    private let destroyBuffer: (DeviceBuffer) -> Void

    /// `make` asks the driver for a buffer of exactly the given size; `destroy` frees one.
    public init(make: @escaping (Int) throws -> DeviceBuffer, destroy: @escaping (DeviceBuffer) -> Void) {
        self.makeBuffer = make
        self.destroyBuffer = destroy
    }

    /// Above this size, buckets are multiples of `largeGranule`.
    public static let largeBuffer = 16 << 20
    public static let largeGranule = 2 << 20

    /// The bucket size a request of `byteCount` bytes is served from.
    public static func bucket(for byteCount: Int) -> Int {
        let size = max(byteCount, 4)
        if size <= 4096 { return (size + 255) & ~255 }
        if size > largeBuffer { return (size + largeGranule - 1) / largeGranule * largeGranule }
        let power = 1 << (Int.bitWidth - (size - 1).leadingZeroBitCount)
        let quarter = power / 8
        return (size + quarter - 1) / quarter * quarter
    }

    /// A pooled buffer of at least `byteCount` bytes, or a new one. On a driver failure the pool is
    /// emptied and the allocation tried once more before the error is passed on.
    public func allocate(byteCount: Int) throws -> DeviceBuffer {
        let size = BufferPool.bucket(for: byteCount)
        lock.lock()
        if let buffer = free[size]?.popLast() {
            stats.pooled -= size
            stats.inUse += size
            stats.peak = max(stats.peak, stats.inUse)
            lock.unlock()
            return buffer
        }
        lock.unlock()
        let buffer: DeviceBuffer
        do {
            buffer = try makeBuffer(size)
        } catch {
            trim()
            buffer = try makeBuffer(size)
        }
        lock.lock()
        stats.inUse += size
        stats.peak = max(stats.peak, stats.inUse)
        stats.driverAllocations += 1
        lock.unlock()
        return buffer
    }

    /// Puts `buffer` back for reuse.
    public func release(_ buffer: DeviceBuffer) {
        lock.lock()
        free[buffer.byteCount, default: []].append(buffer)
        stats.inUse -= buffer.byteCount
        stats.pooled += buffer.byteCount
        lock.unlock()
    }

    /// Frees every pooled buffer.
    public func trim() {
        lock.lock()
        let all = free.values.flatMap { $0 }
        free.removeAll()
        stats.pooled = 0
        lock.unlock()
        all.forEach(destroyBuffer)
    }

    public var memory: MemoryStats {
        lock.lock(); defer { lock.unlock() }
        return stats
    }

    public func resetPeak() {
        lock.lock(); stats.peak = stats.inUse; lock.unlock()
    }
}
