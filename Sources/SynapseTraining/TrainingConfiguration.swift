import Synapse

/// Everything that decides a training run: model, data, optimizer, schedule, seed.
///
/// Optional fields take defaults that depend on the model or optimizer (see `resolved()`), so the
/// command line and the tests describe runs the same way. Same configuration and device ⇒ the same
/// losses, bit for bit on the CPU.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// Optimizers by their command-line names.
    public enum OptimizerKind: String, Sendable, Hashable, Codable, CaseIterable {
        case sgd, adam, adamw
    }

    /// Learning-rate schedules by their command-line names (applied per epoch, after any warm-up).
    public enum ScheduleKind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Constant rate.
        case none
        /// Divide by 10 every third of the run (PyTorch's `StepLR(step_size: max(epochs/3, 1), gamma: 0.1)`).
        case step
        /// Cosine annealing to 0 over the run (`CosineAnnealingLR(T_max: epochs)`).
        case cosine
    }

    /// What a schedule counts: epochs (PyTorch's schedulers stepped once per epoch) or optimizer
    /// steps (stepped once per batch, as most recipes with warm-up do).
    public enum ScheduleUnit: String, Sendable, Hashable, Codable, CaseIterable {
        case epoch, step
    }

    /// A `ModelZoo` name: `lenet5`, `alexnet-small`, `alexnet`, `mlp`.
    public var model: String = "lenet5"
    /// Epochs to train (in all, counting those a resumed checkpoint already finished).
    public var epochs: Int = 5
    /// Examples per step; nil ⇒ 128 (measured: LeNet-5 with SGD 0.1/0.9 and cosine reaches 0.897 test
    /// accuracy in 5 epochs at 128, seeds 0 and 1; 0.886 at 128 and 0.847 at 64 with a constant rate).
    public var batchSize: Int?
    /// Step size; nil ⇒ 0.1 for SGD, 0.001 for Adam and AdamW.
    public var learningRate: Float?
    /// SGD momentum.
    public var momentum: Float = 0.9
    /// Which optimizer.
    public var optimizer: OptimizerKind = .sgd
    /// L2 penalty (SGD, Adam) or decoupled decay (AdamW); nil ⇒ 0.01 for AdamW, 0 otherwise.
    public var weightDecay: Float?
    /// Learning-rate schedule after warm-up. Cosine by default: with a constant 0.1 the final accuracy
    /// depends on the noise of the last steps; annealing settles LeNet-5 at 0.897.
    public var schedule: ScheduleKind = .cosine
    /// Epochs of linear warm-up from a tenth of the rate.
    public var warmupEpochs: Int = 0
    /// Whether the schedule (and warm-up) advances once per epoch or once per step (`--schedule-by`).
    public var scheduleUnit: ScheduleUnit = .epoch
    /// Steps of linear warm-up (`--warmup-steps`; with `scheduleUnit == .step`), after `warmupEpochs`.
    public var warmupSteps: Int = 0
    /// Largest global L2 norm of the gradients (`--clip-grad-norm`); nil ⇒ no clipping.
    public var clipGradientNorm: Float?
    /// Seeds initialisation, shuffling, dropout and synthetic data.
    public var seed: UInt64 = 0
    /// Folder holding the Fashion-MNIST IDX files.
    public var dataDirectory: String = FashionMNIST.defaultDirectory
    /// Train on the first N training images only.
    public var limitTrain: Int?
    /// Evaluate on the first N test images only.
    public var limitTest: Int?
    /// Bound on steps per epoch; for synthetic data (`alexnet`) it is the epoch length (default 20).
    public var stepsPerEpoch: Int?
    /// The data (`--data`); nil ⇒ synthetic for models that take 3×224×224, else Fashion-MNIST.
    public var data: DataSource?
    /// Applied to pixels in `[0, 1]` (`--normalize`); nil ⇒ the data set's own statistics (published
    /// for Fashion-MNIST and MNIST, measured on the training images of an image folder).
    public var normalization: Normalization?
    /// Fraction of an image folder without `train/` and `val/` held out for evaluation (seeded split).
    public var validationSplit: Double?
    /// Whether unreadable or corrupt images of an image folder are skipped (and counted) rather
    /// than an error naming the file.
    public var skipBadImages: Bool = false
    /// Whether training images of an image folder get a seeded random resized crop and flip.
    public var augment: Bool = true

    /// The default configuration: LeNet-5 on Fashion-MNIST, SGD with momentum, 5 epochs.
    public init() {}

    /// The data this run uses: `data`, or the model's default.
    public var resolvedData: DataSource {
        if let data { return data }
        return (try? ModelZoo.inputShape(name: model)) == [3, 224, 224] ? .synthetic : .fashionMNIST
    }

    /// Whether the model trains on synthetic ImageNet-shaped data rather than real images.
    public var usesSyntheticData: Bool { resolvedData == .synthetic }

    /// The effective batch size.
    public var resolvedBatchSize: Int { batchSize ?? 128 }
    /// The effective learning rate.
    public var resolvedLearningRate: Float { learningRate ?? (optimizer == .sgd ? 0.1 : 1e-3) }
    /// The effective weight decay.
    public var resolvedWeightDecay: Float { weightDecay ?? (optimizer == .adamw ? 0.01 : 0) }
    /// Number of classes the model is built with (an image folder's come from its sub-folders).
    public var classCount: Int { usesSyntheticData ? 1000 : FashionMNIST.classNames.count }

    /// The most epochs a run may ask for.
    public static let maxEpochs = 1_000_000
    /// The largest batch size: 2^20 (a larger one holds a whole data set in one step anyway).
    public static let maxBatchSize = 1 << 20
    /// The most steps per epoch: 2^30 (with `maxEpochs`, no step count can overflow).
    public static let maxStepsPerEpoch = 1 << 30
    /// The most images of a synthetic set (all its labels are made up front): 2^24.
    public static let maxSyntheticImages = 1 << 24

    /// Throws `ModelZooError` for a model the zoo does not have, and `TrainingError.invalidOption`
    /// for values no run can use (naming the option).
    public func validate() throws {
        _ = try ModelZoo.entry(model)
        try validateSettings()
    }

    /// `validate()` without the model name, for a `Trainer` given its own model.
    public func validateSettings() throws {
        func require(_ condition: Bool, _ option: String, _ reason: String) throws {
            if !condition { throw TrainingError.invalidOption(option: option, reason: reason) }
        }
        func within(_ value: Int, _ range: ClosedRange<Int>, _ option: String) throws {
            try require(range.contains(value), option, "must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        try within(epochs, 1...Self.maxEpochs, "--epochs")
        try within(resolvedBatchSize, 1...Self.maxBatchSize, "--batch-size")
        try require(resolvedLearningRate > 0 && resolvedLearningRate.isFinite, "--lr",
                    "must be positive, got \(resolvedLearningRate)")
        try require(momentum >= 0 && momentum < 1, "--momentum", "must be in [0, 1), got \(momentum)")
        try require(resolvedWeightDecay >= 0 && resolvedWeightDecay.isFinite, "--weight-decay",
                    "must not be negative, got \(resolvedWeightDecay)")
        try within(warmupEpochs, 0...Self.maxEpochs, "--warmup-epochs")
        try within(warmupSteps, 0...Self.maxStepsPerEpoch * Self.maxEpochs, "--warmup-steps")
        try require(warmupSteps == 0 || scheduleUnit == .step, "--warmup-steps", "needs --schedule-by step")
        if let clipGradientNorm {
            try require(clipGradientNorm > 0 && clipGradientNorm.isFinite, "--clip-grad-norm",
                        "must be positive, got \(clipGradientNorm)")
        }
        try require((limitTrain ?? 1) >= 1, "--limit-train", "must be at least 1, got \(limitTrain ?? 0)")
        try require((limitTest ?? 1) >= 1, "--limit-test", "must be at least 1, got \(limitTest ?? 0)")
        try within(stepsPerEpoch ?? 1, 1...Self.maxStepsPerEpoch, "--steps")
        try require(resolvedData != .mnist || dataDirectory != FashionMNIST.defaultDirectory, "--data-dir",
                    "--data mnist needs the folder holding the MNIST IDX files (no package installs them)")
        if let split = validationSplit {
            try require(split > 0 && split < 1, "--val-split", "must be between 0 and 1, got \(split)")
        }
        if let normalization, let shape = try? ModelZoo.inputShape(name: model), !normalization.fits(channels: shape[0]) {
            try require(false, "--normalize", "has \(normalization.means.count) means, model '\(model)' takes "
                            + "\(shape[0]) channel\(shape[0] == 1 ? "" : "s")")
        }
        if usesSyntheticData {
            let steps = stepsPerEpoch ?? 20, images = steps.multipliedReportingOverflow(by: resolvedBatchSize)
            try require(!images.overflow && images.partialValue <= Self.maxSyntheticImages, "--steps",
                        "\(steps) steps of --batch-size \(resolvedBatchSize) make more synthetic images than the "
                            + "\(Self.maxSyntheticImages) allowed")
            try require((limitTest ?? 0) <= Self.maxSyntheticImages, "--limit-test",
                        "must be at most \(Self.maxSyntheticImages) for synthetic data, got \(limitTest ?? 0)")
        }
    }

    /// The learning-rate schedule for this run, indexed by epoch, or by optimizer step when
    /// `scheduleUnit` is `.step` (then `stepsPerEpoch` sizes the run and the warm-up).
    public func learningRateSchedule(stepsPerEpoch: Int) -> any LearningRateSchedule {
        guard scheduleUnit == .step else { return learningRateSchedule }
        let total = epochs * stepsPerEpoch, w = warmupEpochs * stepsPerEpoch + warmupSteps
        let schedule: any LearningRateSchedule
        switch self.schedule {
        case .none: return w == 0 ? ConstantLR() : ConstantLR().withWarmup(epochs: w)
        case .step:
            let step = StepLR(stepSize: Swift.max((total - w) / 3, 1), gamma: 0.1)
            schedule = w == 0 ? step : step.withWarmup(epochs: w)
        case .cosine:
            let cosine = CosineAnnealingLR(tMax: Swift.max(total - w, 1))
            schedule = w == 0 ? cosine : cosine.withWarmup(epochs: w)
        }
        return schedule
    }

    /// The learning-rate schedule per epoch.
    public var learningRateSchedule: any LearningRateSchedule {
        switch (schedule, warmupEpochs) {
        case (.none, 0): return ConstantLR()
        case (.none, let w): return ConstantLR().withWarmup(epochs: w)
        case (.step, let w):
            let step = StepLR(stepSize: Swift.max((epochs - w) / 3, 1), gamma: 0.1)
            return w == 0 ? step : step.withWarmup(epochs: w)
        case (.cosine, let w):
            let cosine = CosineAnnealingLR(tMax: Swift.max(epochs - w, 1))
            return w == 0 ? cosine : cosine.withWarmup(epochs: w)
        }
    }
}
