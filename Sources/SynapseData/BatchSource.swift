/// Something that yields the mini-batches of an epoch: a `DataLoader` over real images or a
/// `SyntheticImages` set. Training loops take this so one loop serves both.
public protocol BatchSource: AnyObject, Sendable {
    /// Batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// Examples in one epoch.
    var examplesPerEpoch: Int { get }
    /// The batches of `epoch`, beginning with batch number `start` (to resume mid-epoch).
    func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch>
}

extension DataLoader: BatchSource {
    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        AnySequence(self.epoch(epoch, startingAt: start))
    }
}

extension SyntheticImages: BatchSource {
    public var batchesPerEpoch: Int { batchCount }
    public var examplesPerEpoch: Int { batchCount * batchSize }

    public func batches(epoch: Int, startingAt start: Int) -> AnySequence<Batch> {
        AnySequence(self.epoch(startingAt: start))
    }
}
