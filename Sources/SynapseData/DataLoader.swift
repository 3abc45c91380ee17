import Dispatch
import SynapseBackend
import SynapseCore

/// Mini-batches of a `LabeledImages` set on a device: seeded per-epoch shuffling, optional
/// dropping of a short last batch, and normalisation, with the next batch prepared while the
/// current one trains.
///
/// Preparing a batch means gathering its images in the epoch's order, normalising them by table
/// look-up and uploading them with their labels. With `prefetch` on (the default) that happens on a
/// background queue one batch ahead, so a training step never waits for the host unless the
/// host is slower than the device. The same `seed` gives the same order in every run, and
/// `epoch(_:startingAt:)` can begin in the middle of an epoch to resume a run exactly.
public final class DataLoader: @unchecked Sendable {
    /// The examples.
    public let data: LabeledImages
    /// Examples per batch (the last batch of an epoch may be shorter unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the examples in a new seeded order (else in index order).
    public let shuffle: Bool
    /// Seeds the per-epoch permutations.
    public let seed: UInt64
    /// Whether a last batch shorter than `batchSize` is skipped.
    public let dropLast: Bool
    /// Applied to every pixel.
    public let normalization: Normalization
    /// Where batches are uploaded.
    public let device: any Device
    /// Whether the next batch is prepared on a background queue while the current one is used.
    public let prefetch: Bool

    /// The byte-to-value table of each channel.
    private let tables: [[Float]]

    /// A loader over `data`.
    ///
    /// - Parameters:
    ///   - device: where batches go; the current device (`withDevice`, `TensorContext`) when nil.
    public init(_ data: LabeledImages, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0,
                dropLast: Bool = false, normalization: Normalization = .fashionMNIST,
                device: (any Device)? = nil, prefetch: Bool = true) {
        ensure(batchSize > 0, "DataLoader: batch size must be positive, got \(batchSize)")
        self.data = data
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.normalization = normalization
        self.device = device ?? TensorContext.device
        self.prefetch = prefetch
        ensure(normalization.fits(channels: data.channels),
               "DataLoader: \(normalization.means.count) means for \(data.channels)-channel images")
        self.tables = (0..<data.channels).map { normalization.table(channel: $0) }
    }

    /// Batches in one epoch.
    public var batchesPerEpoch: Int {
        let whole = data.count / batchSize  // (count + batchSize - 1) would overflow for a huge batch size
        return dropLast || data.count % batchSize == 0 ? whole : whole + 1
    }

    /// Examples one epoch visits (all of them, less the remainder when `dropLast`).
    public var examplesPerEpoch: Int {
        dropLast ? batchesPerEpoch * batchSize : data.count
    }

    /// The order in which `epoch` visits the examples: a seeded permutation, or `0..<count`.
    public func order(epoch: Int) -> [Int] {
        shuffle ? ShuffleOrder.permutation(count: data.count, seed: seed, epoch: epoch) : Array(0..<data.count)
    }

    /// The batches of `epoch`, beginning with batch number `start` (to resume mid-epoch).
    public func epoch(_ epoch: Int, startingAt start: Int = 0) -> DataLoaderEpoch {
        ensure(start >= 0 && start <= batchesPerEpoch,
               "DataLoader: start batch \(start) outside 0...\(batchesPerEpoch)")
        return DataLoaderEpoch(loader: self, order: order(epoch: epoch), start: start)
    }

    /// The example indices of batch `number` within an epoch of `order`.
    func indices(of number: Int, in order: [Int]) -> ArraySlice<Int> {
        let start = number * batchSize
        return order[start ..< start + min(batchSize, order.count - start)]
    }

    /// Gathers, normalises and uploads the examples at `indices`.
    public func makeBatch(_ indices: ArraySlice<Int>) -> Batch {
        let perImage = data.pixelsPerImage, count = indices.count
        var pixels = [Float](repeating: 0, count: count * perImage)
        var labels = [Int32](repeating: 0, count: count)
        let plane = data.height * data.width
        data.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                for (channel, table) in tables.enumerated() {
                    table.withUnsafeBufferPointer { lookUp in
                        for (row, index) in indices.enumerated() {
                            let from = index * perImage + channel * plane, to = row * perImage + channel * plane
                            for k in 0..<plane { out[to + k] = lookUp[Int(source[from + k])] }
                        }
                    }
                }
            }
        }
        for (row, index) in indices.enumerated() { labels[row] = data.labels[index] }
        let shape = [count, data.channels, data.height, data.width]
        return Batch(images: Tensor(pixels, shape: shape, on: device), labels: Tensor(int32: labels, on: device))
    }
}

/// The batches of one epoch, in order; iterate it once (`for batch in loader.epoch(3) { … }`).
///
/// With prefetching, asking for batch `k` starts preparing batch `k + 1` on a background queue
/// before handing `k` over. Abandoning the iteration early is safe: the batch in preparation is
/// finished and dropped.
public final class DataLoaderEpoch: Sequence, IteratorProtocol, @unchecked Sendable {
    private let loader: DataLoader
    private let order: [Int]
    private var nextNumber: Int
    private var pending: PendingBatch?
    private static let queue = DispatchQueue(label: "synapse.dataloader", qos: .userInitiated)

    init(loader: DataLoader, order: [Int], start: Int) {
        self.loader = loader
        self.order = order
        self.nextNumber = start
    }

    /// Number of the batch the next call to `next()` returns (batches already taken, plus the start).
    public var position: Int { nextNumber }

    /// Batches left in the epoch.
    public var underestimatedCount: Int { Swift.max(loader.batchesPerEpoch - nextNumber, 0) }

    /// The next batch, or nil at the end of the epoch.
    public func next() -> Batch? {
        let number = nextNumber
        guard number < loader.batchesPerEpoch else { pending = nil; return nil }
        nextNumber += 1
        guard loader.prefetch else { return loader.makeBatch(loader.indices(of: number, in: order)) }
        let current = pending ?? schedule(number)
        pending = number + 1 < loader.batchesPerEpoch ? schedule(number + 1) : nil
        return current.wait()
    }

    private func schedule(_ number: Int) -> PendingBatch {
        let job = PendingBatch()
        let loader = self.loader, indices = loader.indices(of: number, in: order)
        Self.queue.async { job.fulfil(loader.makeBatch(indices)) }
        return job
    }
}

/// A batch being prepared on the loader's queue.
private final class PendingBatch: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var batch: Batch?

    func fulfil(_ batch: Batch) {
        self.batch = batch
        ready.signal()
    }

    func wait() -> Batch {
        ready.wait()
        return batch!
    }
}
