import Testing
import SynapseTestSupport

/// The pool's accounting, on a private pool whose "driver" is a counter.
@Suite struct BufferPoolTests {
    final class FakeDriver: @unchecked Sendable {
        var made = 0, destroyed = 0
    }

    func makePool(_ driver: FakeDriver) -> BufferPool {
        BufferPool(make: { driver.made += 1; return DeviceBuffer(byteCount: $0) }, destroy: { _ in driver.destroyed += 1 })
    }

    @Test func reuseIsAPoolHitAndPeakIsTracked() throws {
        let driver = FakeDriver()
        let pool = makePool(driver)
        let a = try pool.allocate(byteCount: 1000)
        let b = try pool.allocate(byteCount: 5000)
        #expect(pool.memory.inUse == a.byteCount + b.byteCount)
        #expect(pool.memory.driverAllocations == 2 && driver.made == 2)
        pool.release(a)
        #expect(pool.memory.pooled == a.byteCount)
        let again = try pool.allocate(byteCount: 1000)
        #expect(again === a && driver.made == 2, "same bucket: served from the pool")
        pool.release(again); pool.release(b)
        #expect(pool.memory.inUse == 0 && pool.memory.peak == a.byteCount + b.byteCount)
        pool.resetPeak()
        #expect(pool.memory.peak == 0)
        pool.trim()
        #expect(pool.memory.pooled == 0 && driver.destroyed == 2)
    }

    @Test func bucketsRoundUpButStayClose() {
        #expect(BufferPool.bucket(for: 1) == 256)
        #expect(BufferPool.bucket(for: 4096) == 4096)
        for size in [4097, 10_000, 1 << 20, 3_333_333, 100_000_000] {
            let bucket = BufferPool.bucket(for: size)
            #expect(bucket >= size && Double(bucket) <= Double(size) * 1.25, "\(size) -> \(bucket)")
        }
        // Large buffers (activations) waste at most 2 MiB: AlexNet's conv1 output at batch 128.
        let conv1 = 128 * 96 * 55 * 55 * 4
        #expect(BufferPool.bucket(for: conv1) == 142 << 20 && BufferPool.bucket(for: conv1) - conv1 < 2 << 20)
        #expect(BufferPool.bucket(for: (16 << 20) + 1) == 18 << 20)
        #expect(BufferPool.bucket(for: 16 << 20) == 16 << 20)
    }

    @Test func aDriverFailureTrimsThePoolAndRetriesOnce() throws {
        let driver = FakeDriver()
        var failNext = false
        let pool = BufferPool(make: { size in
            if failNext { failNext = false; throw DeviceError.outOfMemory(bytes: size, device: "fake", detail: "full") }
            driver.made += 1
            return DeviceBuffer(byteCount: size)
        }, destroy: { _ in driver.destroyed += 1 })
        pool.release(try pool.allocate(byteCount: 100))
        failNext = true
        _ = try pool.allocate(byteCount: 1 << 20)
        #expect(driver.destroyed == 1, "the pooled buffer was freed before the retry")
    }
}
