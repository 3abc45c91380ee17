/// Something that yields the mini-batches of an epoch: a `DataLoader` over real images or a
/// `SyntheticImages` set. Training loops take this so one loop serves both.
public protocol BatchSource: AnyObject, Sendable {
    /// Batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// Examples in one epoch.
    var examplesPerEpoch: Int { get }
    /// Examples in the whole set (an epoch may leave a short last batch out).
    var exampleCount: Int { get }
    /// `[channels, height, width]` of every image.
    var imageShape: [Int] { get }
    /// The batches of `epoch`, beginning with batch number `start` (to resume mid-epoch).
    func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch>
}

extension DataLoader: BatchSource {
    public var exampleCount: Int { data.count }
    public var imageShape: [Int] { [data.channels, data.height, data.width] }

    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        AnySequence(self.epoch(epoch, startingAt: start))
    }
}

extension SyntheticImages: BatchSource {
    public var batchesPerEpoch: Int { batchCount }
    public var examplesPerEpoch: Int { batchCount * batchSize }
    public var exampleCount: Int { batchCount * batchSize }

    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        AnySequence(self.epoch(startingAt: start))
    }
}
