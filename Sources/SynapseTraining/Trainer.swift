import Foundation
import Synapse

/// The training loop behind `synapse train`, as a library type so tests can drive it.
///
/// One step is forward, cross-entropy, backward and the optimizer's fused update, all enqueued on
/// the device; the step's loss is added to an accumulator on the device, and the host reads it only
/// for a progress record (every `progressInterval` seconds) and at the end of an epoch. Everything
/// random (initialisation, shuffling, dropout, synthetic data) derives from the seed, so the same
/// configuration on the same device gives the same losses, and `checkpoint()` captures the exact
/// position (epoch, batch, optimizer state, random stream) for `resume(from:)`.
public final class Trainer {
    /// What the run trains.
    public let configuration: TrainingConfiguration
    /// Where tensors live.
    public let device: any Device
    /// The model, on `device`.
    public let model: Module
    /// The optimizer over the model's parameters.
    public let optimizer: any Optimizer
    /// Sets the learning rate per epoch.
    public let scheduler: LearningRateScheduler
    /// Training and test batches.
    public let data: TrainingData
    /// Seconds between progress records (nil: none, only epoch records).
    public var progressInterval: Double?
    /// Whether steps are captured once and replayed (on by default; see `Trainer+Capture.swift`).
    public var capturesSteps = true
    /// Receives remarks worth a line in verbose output (why a step runs eagerly).
    public var onNote: (String) -> Void = { _ in }
    /// The recorded forward and backward pass, with the batch and loss it was recorded with.
    var capture: StepCapture?
    /// Steps this trainer replayed from its recording (the others ran eagerly).
    public internal(set) var replayedSteps = 0
    /// Why steps are not captured, once a capture has failed (they then run eagerly).
    var captureRefusal: String?
    /// Runs between backward and the optimizer step with the step's loss, and returns the loss to
    /// record: the gradient exchange of a distributed run (`Trainer+Distributed.swift`).
    var afterBackward: ((Tensor) throws -> Tensor)?
    /// This rank's rows of the step's global batch, for dropout masks per global sample (nil: one process).
    var batchSlice: (() -> BatchSlice)?
    /// Runs the step's forward and backward pass: a distributed run exchanges gradients during backward.
    var aroundBackward: ((() throws -> (loss: Tensor, logits: Tensor)) throws -> (loss: Tensor, logits: Tensor))?
    /// How many steps the host may enqueue ahead of the device before waiting for it.
    static let maxStepsInFlight = 8
    /// Where to save a checkpoint after every epoch and when stopped early (nil: never).
    public var checkpointPath: String?
    /// Receives every record as it happens.
    public var onRecord: (TrainingRecord) -> Void = { _ in }
    /// Runs each checkpoint write (given as `write`); the command line wraps it so that a second
    /// Ctrl-C waits for the write in progress to finish before quitting.
    public var aroundSave: (_ write: () throws -> Void) throws -> Void = { try $0() }

    /// Where the run stands: epoch in progress, batches of it done, steps taken, random stream.
    public internal(set) var position: TrainingProgress
    /// Sum of this epoch's step losses so far, on the device, and how many steps it holds.
    var lossSum: Tensor?
    var lossSteps = 0
    /// This epoch's correct training predictions so far, counted on the device.
    let runningAccuracy = RunningAccuracy()
    /// When the epoch in progress began training in this process, and at which batch.
    var epochStart: (ContinuousClock.Instant, Int)?

    /// Trains any model on any data: `model` (its parameters on `device`), `optimizer` over
    /// `model.parameters()`, and batches from any `BatchSource`.
    ///
    /// `configuration` supplies the rest of the run: epochs, learning-rate schedule (its base is the
    /// optimizer's rate), seed of the random stream (shuffling, dropout), `batchSize` (for images per
    /// second and resume checks: give the data's), and the names written into records and checkpoints
    /// (`model` may be any name here; `optimizer` should name the optimizer's kind).
    /// - Throws: `TrainingError.invalidOption` for a setting no run can use, `.emptyData` for data
    ///   without a batch.
    public init(model: Module, optimizer: any Optimizer, data: TrainingData, device: any Device,
                configuration: TrainingConfiguration = TrainingConfiguration()) throws {
        try configuration.validateSettings()
        guard data.train.exampleCount > 0, data.train.batchesPerEpoch > 0 else {
            throw TrainingError.emptyData("the training set (\(data.name))")
        }
        self.configuration = configuration
        self.device = device
        self.data = data
        self.model = model
        self.optimizer = optimizer
        position = TrainingProgress(randomSeed: configuration.seed, randomCounter: 0)
        scheduler = LearningRateScheduler(
            optimizer, schedule: configuration.learningRateSchedule(stepsPerEpoch: Self.stepsPerEpoch(configuration, data)))
    }

    /// Builds the model (initialised from the seed), the optimizer and the data for `configuration`.
    ///
    /// - Parameter data: batches to use instead of those the configuration names (tests).
    /// - Throws: `TrainingError.invalidOption`, `ModelZooError`, `DataError` for missing data, or
    ///   `TrainingError.inputMismatch` / `.emptyData` for images the model cannot take.
    public convenience init(configuration: TrainingConfiguration, device: any Device, data: TrainingData? = nil) throws {
        try configuration.validate()
        let given = data
        let data = try given ?? TrainingData.make(configuration, device: device)
        let origin = given == nil ? " in \(configuration.dataDirectory)" : " (\(data.name))"
        try data.train.requireInput(of: configuration.model, describing: "the training set" + origin)
        try data.test?.requireInput(of: configuration.model, describing: "the test set" + origin)
        let seed = configuration.seed, classes = data.classCount ?? configuration.classCount
        let (model, counter) = try withDevice(device) {
            try withRandomSeed(seed) {
                (try ModelZoo.make(name: configuration.model, classes: classes),
                 TensorRandom.current.state.counter)
            }
        }
        // One flat buffer for the parameters and one for their gradients: one optimizer launch per step.
        model.packParameters()
        try self.init(model: model, optimizer: Trainer.makeOptimizer(configuration, model.parameters()), data: data,
                      device: device, configuration: configuration)
        position = TrainingProgress(randomSeed: seed, randomCounter: counter)
    }

    private static func makeOptimizer(_ c: TrainingConfiguration, _ parameters: [Parameter]) -> any Optimizer {
        switch c.optimizer {
        case .sgd:
            return SGD(parameters, learningRate: c.resolvedLearningRate, momentum: c.momentum,
                       weightDecay: c.resolvedWeightDecay)
        case .adam:
            return Adam(parameters, learningRate: c.resolvedLearningRate, weightDecay: c.resolvedWeightDecay)
        case .adamw:
            return AdamW(parameters, learningRate: c.resolvedLearningRate, weightDecay: c.resolvedWeightDecay)
        }
    }

    /// Steps in one epoch: the data's batches, bounded by `stepsPerEpoch` for real data.
    public var stepsPerEpoch: Int { Self.stepsPerEpoch(configuration, data) }

    static func stepsPerEpoch(_ configuration: TrainingConfiguration, _ data: TrainingData) -> Int {
        let batches = data.train.batchesPerEpoch
        return configuration.usesSyntheticData ? batches : Swift.min(batches, configuration.stepsPerEpoch ?? batches)
    }

    /// Sets the learning rate for where the run stands: its epoch, or its step with `--schedule-by step`.
    func applySchedule() {
        scheduler.set(epoch: configuration.scheduleUnit == .step ? position.globalStep : position.epoch)
    }

    /// Runs `body` on the trainer's device with the run's random stream at its saved position,
    /// saving the position afterwards.
    func inScope<R>(_ body: () throws -> R) rethrows -> R {
        try withDevice(device) {
            try withRandomSeed(position.randomSeed) {
                TensorRandom.current.restore(seed: position.randomSeed, counter: position.randomCounter)
                defer { position.randomCounter = TensorRandom.current.state.counter }
                return try body()
            }
        }
    }

    /// One optimizer step on `batch`; returns the loss (on the device, not read). The forward and
    /// backward pass is replayed from a recording when one fits (see `Trainer+Capture.swift`).
    func step(_ batch: Batch) throws -> Tensor {
        optimizer.zeroGradients()
        let pass = { try self.forwardAndBackward(batch) }
        var (value, logits) = try withBatchSlice(batchSlice?()) { try aroundBackward?(pass) ?? pass() }
        runningAccuracy.add(logits: logits, labels: batch.labels, epoch: position.epoch)
        if let afterBackward { value = try afterBackward(value) }  // a distributed run averages the gradients here
        if let maxNorm = configuration.clipGradientNorm { clipGradientNorm(optimizer.parameters, maxNorm: maxNorm) }
        if configuration.scheduleUnit == .step { applySchedule() }
        optimizer.step()
        // A replayed step returns the same loss tensor every time: the sum never aliases it.
        withoutGradient { lossSum = lossSum.map { $0 + value } ?? value * 1 }
        lossSteps += 1
        position.batch += 1
        position.globalStep += 1
        return value
    }

    /// Takes `count` steps from the current position (crossing epochs as needed) and returns each
    /// step's loss. Reads every loss, so it waits for the device each step: for tests, not speed.
    public func train(steps count: Int) throws -> [Float] {
        var losses: [Float] = []
        try inScope {
            while losses.count < count {
                if position.batch >= stepsPerEpoch { finishEpochPosition() }
                applySchedule()
                model.train()
                for batch in data.train.batches(epoch: position.epoch, startingAt: position.batch) {
                    guard losses.count < count, position.batch < stepsPerEpoch else { break }
                    losses.append(try step(batch).item())
                }
            }
        }
        return losses
    }

    /// Moves to the start of the next epoch.
    func finishEpochPosition() {
        position.epoch += 1
        position.batch = 0
        lossSum = nil
        lossSteps = 0
    }

    /// The mean training loss above which a run has diverged: 1000 times the loss of a uniform
    /// guess, ln(classes) (2.3 for 10 classes). Training that works stays near or below ln(classes);
    /// a rate far too high keeps finite losses of 1e6 and more, which no later epoch recovers from.
    var divergenceLoss: Float { 1000 * Float(log(Double(configuration.classCount))) }

    /// The mean loss of this epoch's steps so far (waits for the device). Throws a device failure,
    /// or `TrainingError.diverged` when it is not finite or above `divergenceLoss`.
    func meanLoss() throws -> Float {
        guard let lossSum, lossSteps > 0 else { return .nan }
        let mean = try lossSum.item() / Float(lossSteps)
        guard mean.isFinite else {
            throw TrainingError.diverged(epoch: position.epoch, step: position.batch, reason: "the mean training loss is \(mean)")
        }
        guard mean <= divergenceLoss else {
            throw TrainingError.diverged(
                epoch: position.epoch, step: position.batch,
                reason: "the mean training loss is \(mean), over \(divergenceLoss) (1000 × ln \(configuration.classCount))")
        }
        return mean
    }
}
