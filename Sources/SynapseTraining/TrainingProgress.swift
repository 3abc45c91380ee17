import Synapse
/// Where a training run stands, as a checkpoint records it so a resumed run continues exactly.
public struct TrainingProgress: Sendable, Hashable, Codable {
    /// The epoch in progress (0-based); equal to the number of finished epochs when `batch` is 0.
    public var epoch: Int
    /// Batches of `epoch` already trained (0 at an epoch boundary).
    public var batch: Int
    /// Optimizer steps taken since the run began.
    public var globalStep: Int
    /// Seed of the tensor random stream (dropout, initialisation).
    public var randomSeed: UInt64
    /// Position of the tensor random stream.
    public var randomCounter: UInt64

    /// The largest epoch, batch or step count a checkpoint may record: 2^53, beyond any run (and
    /// the last integer a double holds exactly), so counting on from it cannot overflow.
    public static let maxCount = 1 << 53
    /// The largest random-stream position a checkpoint may record: 2^62 leaves room for more draws
    /// than any run makes before the 64-bit counter would wrap.
    public static let maxRandomCounter: UInt64 = 1 << 62

    /// A position in a run.
    public init(epoch: Int = 0, batch: Int = 0, globalStep: Int = 0, randomSeed: UInt64 = 0, randomCounter: UInt64 = 0) {
        self.epoch = epoch
        self.batch = batch
        self.globalStep = globalStep
        self.randomSeed = randomSeed
        self.randomCounter = randomCounter
    }
}
