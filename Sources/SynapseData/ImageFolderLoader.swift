import Dispatch
import Foundation
import SynapseBackend
import SynapseCore

/// Mini-batches of image files on a device, decoded on background threads while the device trains.
///
/// Each batch's images are read, decoded (libpng, libjpeg-turbo), transformed (`ImageTransform`:
/// seeded random resized crop and flip for training) and normalised on all cores, then uploaded;
/// `prefetch` batches are prepared ahead of the one being used. `stats` counts the batches the
/// consumer had to wait for, the measure of whether decoding keeps up with the device.
///
/// Files are expected to decode (`ImageFolder.verify` checks them first). One that stops decoding
/// during the run (changed on disk) becomes a black image and is counted in `stats.failures`.
public final class ImageFolderLoader: BatchSource, @unchecked Sendable {
    /// How many batches waited for decoding, out of how many were taken, and for how long.
    public struct Stats: Sendable, Equatable {
        /// Batches handed out.
        public var batches = 0
        /// Batches that were not ready when asked for.
        public var waited = 0
        /// Of those, the first batch of an epoch (whose decoding cannot start before the epoch's order is known).
        public var waitedAtEpochStart = 0
        /// Seconds spent waiting for them.
        public var waitSeconds = 0.0
        /// Images that failed to decode during the run (each replaced by a black image).
        public var failures = 0
        /// The first such failure's message.
        public var firstFailure: String?
    }

    /// The images.
    public let items: [ImageFolder.Item]
    /// How each image becomes an input.
    public let transform: ImageTransform
    /// Applied to each channel.
    public let normalization: Normalization
    /// Examples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the images in a new seeded order.
    public let shuffle: Bool
    /// Seeds the order and the augmentation.
    public let seed: UInt64
    /// Whether a short last batch is left out.
    public let dropLast: Bool
    /// Where batches go.
    public let device: any Device
    /// Batches prepared ahead of the one in use.
    public let prefetch: Int

    private let tables: [[Float]]
    private let lock = NSLock()
    private var statistics = Stats()
    /// The first batch of the next epoch, started while the last batches of the current one were used.
    private var carried: (epoch: Int, job: PendingImageBatch)?

    /// A loader over `items` (non-empty) producing `transform.shape` inputs.
    public init(_ items: [ImageFolder.Item], transform: ImageTransform, normalization: Normalization, batchSize: Int,
                shuffle: Bool, seed: UInt64 = 0, dropLast: Bool = false, device: (any Device)? = nil, prefetch: Int = 3) {
        ensure(batchSize > 0 && prefetch >= 0, "ImageFolderLoader: batch size \(batchSize), prefetch \(prefetch)")
        ensure(normalization.fits(channels: transform.shape[0]),
               "ImageFolderLoader: \(normalization.means.count) means for \(transform.shape[0]) channels")
        self.items = items
        self.transform = transform
        self.normalization = normalization
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.device = device ?? TensorContext.device
        self.prefetch = prefetch
        self.tables = (0..<transform.shape[0]).map { normalization.table(channel: $0) }
    }

    /// The counts so far (all epochs).
    public var stats: Stats { lock.lock(); defer { lock.unlock() }; return statistics }

    public var batchesPerEpoch: Int {
        let whole = items.count / batchSize
        return dropLast || items.count % batchSize == 0 ? whole : whole + 1
    }
    public var examplesPerEpoch: Int { dropLast ? batchesPerEpoch * batchSize : items.count }
    public var exampleCount: Int { items.count }
    public var imageShape: [Int] { transform.shape }

    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        lock.lock()
        let head = carried.flatMap { $0.epoch == epoch && start == 0 ? $0.job : nil }
        carried = nil
        lock.unlock()
        return AnySequence(ImageFolderEpoch(loader: self, epoch: epoch, order: order(epoch: epoch), start: start, head: head))
    }

    /// The order in which `epoch` visits the items.
    func order(epoch: Int) -> [Int] {
        shuffle ? ShuffleOrder.permutation(count: items.count, seed: seed, epoch: epoch) : Array(0..<items.count)
    }

    /// Starts preparing the first batch of `epoch` now, for `batches(epoch:startingAt: 0)` to take.
    fileprivate func carry(into epoch: Int) {
        lock.lock()
        let already = carried?.epoch == epoch
        lock.unlock()
        guard !already, batchesPerEpoch > 0 else { return }
        let job = ImageFolderEpoch.schedule(0, of: self, epoch: epoch, order: order(epoch: epoch))
        lock.lock()
        carried = (epoch, job)
        lock.unlock()
    }

    /// The input bytes of item `index` in `epoch` (CHW) — what a batch holds before normalisation.
    public func input(of index: Int, epoch: Int) -> [UInt8] {
        let item = items[index]
        let imageSeed = CounterRandom.bits(seed: seed ^ 0xA06_D47A, counter: UInt64(epoch) << 32 | UInt64(index))
        do {
            return transform.apply(try DecodedImage.read(item.path), seed: imageSeed)
        } catch {
            lock.lock()
            statistics.failures += 1
            if statistics.firstFailure == nil { statistics.firstFailure = "\(error)" }
            lock.unlock()
            return [UInt8](repeating: 0, count: transform.shape.reduce(1, *))
        }
    }

    /// Decodes, normalises and uploads the items at `indices` (on all cores).
    func makeBatch(_ indices: ArraySlice<Int>, epoch: Int) -> Batch {
        let perImage = transform.shape.reduce(1, *), plane = transform.shape[1] * transform.shape[2]
        let indices = Array(indices)
        let values = ConcurrentBuffer(count: indices.count * perImage)
        DispatchQueue.concurrentPerform(iterations: indices.count) { row in
            let bytes = input(of: indices[row], epoch: epoch)
            values.write(at: row * perImage) { out in
                for (c, table) in tables.enumerated() {
                    for k in 0..<plane { out[c * plane + k] = table[Int(bytes[c * plane + k])] }
                }
            }
        }
        let labels = indices.map { items[$0].label }
        return Batch(images: Tensor(values.array, shape: [indices.count] + transform.shape, on: device),
                     labels: Tensor(int32: labels, on: device))
    }

    /// Records one batch handed out, and how long the consumer waited for it.
    func record(waited seconds: Double?, first: Bool) {
        lock.lock()
        statistics.batches += 1
        if let seconds {
            statistics.waited += 1
            if first { statistics.waitedAtEpochStart += 1 }
            statistics.waitSeconds += seconds
        }
        lock.unlock()
    }
}

/// Floats written by concurrent iterations, each to its own range.
final class ConcurrentBuffer: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Float>
    private let count: Int

    init(count: Int) {
        base = .allocate(capacity: Swift.max(count, 1))
        base.initialize(repeating: 0, count: Swift.max(count, 1))
        self.count = count
    }

    /// Lets `body` fill the range starting at `offset`.
    func write(at offset: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) { body(base + offset) }

    deinit { base.deallocate() }

    /// The values written.
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// The batches of one epoch of an `ImageFolderLoader`, prepared ahead on a background queue.
final class ImageFolderEpoch: Sequence, IteratorProtocol, @unchecked Sendable {
    private let loader: ImageFolderLoader
    private let epoch: Int
    private let order: [Int]
    private var nextNumber: Int
    private let start: Int
    private var pending: [(number: Int, job: PendingImageBatch)] = []
    private static let queue = DispatchQueue(label: "synapse.imagefolder", qos: .userInitiated)

    fileprivate init(loader: ImageFolderLoader, epoch: Int, order: [Int], start: Int, head: PendingImageBatch?) {
        self.loader = loader
        self.epoch = epoch
        self.order = order
        self.nextNumber = Swift.max(0, start)
        self.start = Swift.max(0, start)
        if let head { pending = [(0, head)] }
    }

    func next() -> Batch? {
        let number = nextNumber
        guard number < loader.batchesPerEpoch else { pending = []; return nil }
        nextNumber += 1
        var wanted = number
        while pending.count <= loader.prefetch, wanted < loader.batchesPerEpoch {
            if !pending.contains(where: { $0.number == wanted }) {
                pending.append((wanted, Self.schedule(wanted, of: loader, epoch: epoch, order: order)))
            }
            wanted += 1
        }
        // Near the end, start the next epoch's first batch, so a new epoch need not wait either.
        if loader.prefetch > 0, loader.batchesPerEpoch - number <= loader.prefetch { loader.carry(into: epoch + 1) }
        let job = pending.removeFirst().job, first = number == start
        if let batch = job.ready() {
            loader.record(waited: nil, first: first)
            return batch
        }
        let start = ContinuousClock.now
        let batch = job.wait()
        let elapsed = ContinuousClock.now - start
        loader.record(waited: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                      first: first)
        return batch
    }

    /// Starts preparing batch `number` of `epoch` (visiting `order`) on the background queue.
    fileprivate static func schedule(_ number: Int, of loader: ImageFolderLoader, epoch: Int, order: [Int]) -> PendingImageBatch {
        let job = PendingImageBatch()
        let start = number * loader.batchSize
        let indices = order[start ..< Swift.min(start + loader.batchSize, order.count)]
        queue.async { job.fulfil(loader.makeBatch(indices, epoch: epoch)) }
        return job
    }
}

/// A batch being prepared on the loader's queue.
fileprivate final class PendingImageBatch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var batch: Batch?

    func fulfil(_ batch: Batch) {
        lock.lock()
        self.batch = batch
        lock.unlock()
        done.signal()
    }

    /// The batch if it is ready now.
    func ready() -> Batch? {
        lock.lock()
        defer { lock.unlock() }
        return batch
    }

    func wait() -> Batch {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return batch!
    }
}
