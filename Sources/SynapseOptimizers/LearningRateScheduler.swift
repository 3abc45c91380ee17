/// Drives an optimizer's learning rate from a schedule, one `step()` per epoch (PyTorch's scheduler
/// objects). Construction sets the rate for epoch 0.
public final class LearningRateScheduler {
    /// The optimizer whose rate is set.
    public let optimizer: any Optimizer
    /// The rate per epoch.
    public let schedule: any LearningRateSchedule
    /// The optimizer's rate when the scheduler was made.
    public let baseLearningRate: Float
    /// The current epoch (0-based).
    public private(set) var epoch: Int

    /// Takes `optimizer`'s current rate as the base and sets the rate for `epoch`.
    public init(_ optimizer: any Optimizer, schedule: any LearningRateSchedule, epoch: Int = 0) {
        self.optimizer = optimizer
        self.schedule = schedule
        baseLearningRate = optimizer.learningRate
        self.epoch = epoch
        apply()
    }

    /// Moves to the next epoch and sets its rate.
    public func step() { epoch += 1; apply() }

    /// Jumps to `epoch` (when resuming) and sets its rate.
    public func set(epoch: Int) { self.epoch = epoch; apply() }

    /// The rate for the current epoch.
    public var learningRate: Float { schedule.learningRate(epoch: epoch, base: baseLearningRate) }

    private func apply() { optimizer.learningRate = learningRate }
}
