import SynapseBackend
/// A linear warm-up for `epochs` epochs, then `schedule` started afresh — PyTorch's
/// `SequentialLR([LinearLR(startFactor, 1, total_iters: epochs), schedule], milestones: [epochs])`.
/// During warm-up the rate is `base · (startFactor + (1 − startFactor) · epoch / epochs)`.
public struct LinearWarmup<Schedule: LearningRateSchedule>: LearningRateSchedule {
    /// Warm-up length and the fraction of the base rate it starts from.
    public var epochs: Int, startFactor: Float
    /// What follows the warm-up (its epoch 0 is the first after warm-up).
    public var schedule: Schedule

    /// Warm up over `epochs` epochs from `startFactor · base`, then follow `schedule`.
    public init(epochs: Int, startFactor: Float = 0.1, then schedule: Schedule) {
        ensure(epochs >= 0, "LinearWarmup: epochs must not be negative, got \(epochs)")
        ensure(startFactor > 0 && startFactor <= 1, "LinearWarmup: startFactor \(startFactor) must be in (0, 1]")
        self.epochs = epochs; self.startFactor = startFactor; self.schedule = schedule
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        guard epoch < epochs else { return schedule.learningRate(epoch: epoch - epochs, base: base) }
        let factor = Double(startFactor) + (1 - Double(startFactor)) * Double(epoch) / Double(epochs)
        return Float(Double(base) * factor)
    }
}
