import Foundation

/// A learning rate as a function of the epoch (0-based), in closed form, so a resumed run only needs
/// the epoch. Schedules match PyTorch's epoch-indexed schedulers stepped once per epoch.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for `epoch` given the optimizer's initial rate `base`.
    func learningRate(epoch: Int, base: Float) -> Float
}

/// The initial rate throughout.
public struct ConstantLR: LearningRateSchedule {
    public init() {}
    public func learningRate(epoch: Int, base: Float) -> Float { base }
}

/// `base · gamma^⌊epoch / stepSize⌋` (PyTorch's `StepLR`).
public struct StepLR: LearningRateSchedule {
    public var stepSize: Int, gamma: Float

    public init(stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive, got \(stepSize)")
        self.stepSize = stepSize; self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) * pow(Double(gamma), Double(epoch / stepSize)))
    }
}

/// `base · gamma^(number of milestones ≤ epoch)` (PyTorch's `MultiStepLR`).
public struct MultiStepLR: LearningRateSchedule {
    public var milestones: [Int], gamma: Float

    public init(milestones: [Int], gamma: Float = 0.1) {
        self.milestones = milestones.sorted(); self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        let passed = milestones.filter { $0 <= epoch }.count
        return Float(Double(base) * pow(Double(gamma), Double(passed)))
    }
}

/// `etaMin + (base − etaMin) · (1 + cos(π · epoch / tMax)) / 2` (PyTorch's `CosineAnnealingLR`,
/// its closed form).
public struct CosineAnnealingLR: LearningRateSchedule {
    public var tMax: Int, etaMin: Float

    public init(tMax: Int, etaMin: Float = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax must be positive, got \(tMax)")
        self.tMax = tMax; self.etaMin = etaMin
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        let cosine = (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2
        return Float(Double(etaMin) + (Double(base) - Double(etaMin)) * cosine)
    }
}

/// A linear warm-up for `epochs` epochs, then `schedule` started afresh — PyTorch's
/// `SequentialLR([LinearLR(startFactor, 1, total_iters: epochs), schedule], milestones: [epochs])`.
/// During warm-up the rate is `base · (startFactor + (1 − startFactor) · epoch / epochs)`.
public struct LinearWarmup<Schedule: LearningRateSchedule>: LearningRateSchedule {
    public var epochs: Int, startFactor: Float
    public var schedule: Schedule

    public init(epochs: Int, startFactor: Float = 0.1, then schedule: Schedule) {
        precondition(epochs >= 0, "LinearWarmup: epochs must not be negative, got \(epochs)")
        precondition(startFactor > 0 && startFactor <= 1, "LinearWarmup: startFactor \(startFactor) must be in (0, 1]")
        self.epochs = epochs; self.startFactor = startFactor; self.schedule = schedule
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        guard epoch < epochs else { return schedule.learningRate(epoch: epoch - epochs, base: base) }
        let factor = Double(startFactor) + (1 - Double(startFactor)) * Double(epoch) / Double(epochs)
        return Float(Double(base) * factor)
    }
}

extension LearningRateSchedule {
    /// This schedule preceded by a linear warm-up of `epochs` epochs.
    public func withWarmup(epochs: Int, startFactor: Float = 0.1) -> LinearWarmup<Self> {
        LinearWarmup(epochs: epochs, startFactor: startFactor, then: self)
    }
}

/// Drives an optimizer's learning rate from a schedule, one `step()` per epoch (PyTorch's scheduler
/// objects). Construction sets the rate for epoch 0.
public final class LearningRateScheduler {
    public let optimizer: any Optimizer
    public let schedule: any LearningRateSchedule
    /// The optimizer's rate when the scheduler was made.
    public let baseLearningRate: Float
    /// The current epoch (0-based).
    public private(set) var epoch: Int

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
