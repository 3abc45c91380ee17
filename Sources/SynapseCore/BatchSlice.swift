import SynapseBackend

/// A rank's rows of a global batch while a data-parallel step runs, so that what is drawn per
/// sample (dropout masks) matches what one process training the whole batch draws.
public struct BatchSlice: Sendable, Equatable {
    /// The first row of the global batch that this rank holds.
    public let start: Int
    /// Rows this rank holds.
    public let count: Int
    /// Rows of the global batch.
    public let globalCount: Int

    public init(start: Int, count: Int, globalCount: Int) {
        ensure(start >= 0 && count >= 0 && start + count <= globalCount,
               "BatchSlice: rows \(start)..<\(start + count) outside a batch of \(globalCount)")
        self.start = start
        self.count = count
        self.globalCount = globalCount
    }

    @TaskLocal static var current: BatchSlice?
}

/// Runs `body` (a forward pass) as `slice` of its global batch: a dropout mask over a tensor whose
/// leading dimension is `slice.count` takes the counters of the global batch's mask and its rows
/// `slice.start…`, so the random stream and every sample's mask are those of one process.
public func withBatchSlice<R>(_ slice: BatchSlice?, _ body: () throws -> R) rethrows -> R {
    try BatchSlice.$current.withValue(slice, operation: body)
}

extension Tensor {
    /// `random(shape, distribution)`, or inside `withBatchSlice` with `shape` led by the slice's
    /// rows, the slice's rows of the tensor one process would draw for the global batch.
    static func randomRows(_ shape: [Int], _ distribution: RandomDistribution, on device: any Device) -> Tensor {
        guard let slice = BatchSlice.current, slice.count > 0, shape.first == slice.count else {
            return random(shape, distribution, on: device)
        }
        let tensor = Tensor(empty: shape, on: device)
        let perSample = tensor.count / slice.count
        let (seed, offset) = TensorRandom.reserve(slice.globalCount * perSample)
        ExecutionLatch.run(.random(distribution, seed: seed, offset: offset + UInt64(slice.start * perSample)),
                           on: tensor.device, inputs: [], outputs: [tensor.bufferView])
        return tensor
    }
}
