/// A learning rate as a function of the epoch (0-based), in closed form, so a resumed run only needs
/// the epoch. Schedules match PyTorch's epoch-indexed schedulers stepped once per epoch; indexed by
/// optimizer step instead ("epoch" then counts steps), they are its schedulers stepped once per batch.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for `epoch` given the optimizer's initial rate `base`.
    func learningRate(epoch: Int, base: Float) -> Float
}

/// The initial rate throughout.
public struct ConstantLR: LearningRateSchedule {
    /// The constant schedule.
    public init() {}
    public func learningRate(epoch: Int, base: Float) -> Float { base }
}

extension LearningRateSchedule {
    /// This schedule preceded by a linear warm-up of `epochs` epochs.
    public func withWarmup(epochs: Int, startFactor: Float = 0.1) -> LinearWarmup<Self> {
        LinearWarmup(epochs: epochs, startFactor: startFactor, then: self)
    }
}
