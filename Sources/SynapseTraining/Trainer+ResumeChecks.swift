import Synapse

/// What `resume(from:)` checks before it loads anything: that the options the checkpoint records
/// agree with this run where they must, that its position lies inside this run, and that the
/// optimizer's step counts are whole numbers that agree with the position.
///
/// The rule for changed options: a checkpoint saved mid-epoch continues that epoch exactly, so
/// everything that decides the rest of it (batch size, training set, steps per epoch, seed,
/// learning rate, momentum, weight decay, schedule, warm-up) must match; at an epoch boundary the
/// next epoch starts afresh and they may change. The model and optimizer must always match, and
/// `--epochs` (the total) may always grow.
extension Trainer {
    /// Metadata keys for the options a checkpoint records so a resumed run can be checked against them.
    enum RunKey {
        static let batchSize = "synapse.batch_size"
        static let trainImages = "synapse.train_images"
        static let stepsPerEpoch = "synapse.steps_per_epoch"
        static let schedule = "synapse.schedule"
        static let warmupEpochs = "synapse.warmup_epochs"
        static let scheduleUnit = "synapse.schedule_by"
        static let warmupSteps = "synapse.warmup_steps"
        static let clipGradientNorm = "synapse.clip_grad_norm"
    }

    /// This run's options as checkpoint metadata.
    var runMetadata: [String: String] {
        [RunKey.batchSize: String(configuration.resolvedBatchSize), RunKey.trainImages: String(data.train.exampleCount),
         RunKey.stepsPerEpoch: String(stepsPerEpoch), RunKey.schedule: configuration.schedule.rawValue,
         RunKey.warmupEpochs: String(configuration.warmupEpochs), RunKey.scheduleUnit: configuration.scheduleUnit.rawValue,
         RunKey.warmupSteps: String(configuration.warmupSteps),
         RunKey.clipGradientNorm: configuration.clipGradientNorm.map { String($0) } ?? "none"]
    }

    /// One option compared on resume: its value in the checkpoint (nil when an older file does not
    /// record it), in this run, and how a value reads in a message.
    private struct RecordedOption {
        let saved: String?
        let current: String
        let describe: (String) -> String

        init(_ option: String, saved: String?, current: String) {
            self.init(saved: saved, current: current) { "\(option) \($0)" }
        }

        init(saved: String?, current: String, describe: @escaping (String) -> String) {
            self.saved = saved
            self.current = current
            self.describe = describe
        }

        /// Whether the saved value differs from this run's (numbers compared as numbers).
        var differs: Bool {
            guard let saved else { return false }
            if let a = Double(saved), let b = Double(current) { return a != b }
            return saved != current
        }
    }

    /// Throws `CheckpointError.optionMismatch` when a checkpoint saved mid-epoch records an option
    /// this run sets differently, and `notResumable` when SGD momentum is switched on or off (the
    /// momentum buffers can be neither made up nor dropped).
    func checkOptions(of checkpoint: Checkpoint, at progress: TrainingProgress) throws {
        let saved = checkpoint.optimizerSettings, current = optimizerSettings, meta = checkpoint.metadata
        if let before = saved["momentum"].flatMap(Float.init), let now = current["momentum"].flatMap(Float.init),
           (before == 0) != (now == 0) {
            throw CheckpointError.notResumable(
                file: checkpoint.source,
                reason: "it was saved with --momentum \(before), this run has \(now): momentum cannot be switched on or off")
        }
        guard progress.batch > 0 else { return }
        let options = [
            RecordedOption("--batch-size", saved: meta[RunKey.batchSize], current: String(configuration.resolvedBatchSize)),
            RecordedOption(saved: meta[RunKey.trainImages], current: String(data.train.exampleCount)) {
                "\($0) training images (--limit-train, --data-dir)"
            },
            RecordedOption("--steps", saved: meta[RunKey.stepsPerEpoch], current: String(stepsPerEpoch)),
            RecordedOption("--seed", saved: String(progress.randomSeed), current: String(configuration.seed)),
            RecordedOption("--lr", saved: saved["learning_rate"], current: current["learning_rate"] ?? ""),
            RecordedOption("--momentum", saved: saved["momentum"], current: current["momentum"] ?? ""),
            RecordedOption("--weight-decay", saved: saved["weight_decay"], current: current["weight_decay"] ?? ""),
            RecordedOption("--schedule", saved: meta[RunKey.schedule], current: configuration.schedule.rawValue),
            RecordedOption("--warmup-epochs", saved: meta[RunKey.warmupEpochs], current: String(configuration.warmupEpochs)),
            RecordedOption("--schedule-by", saved: meta[RunKey.scheduleUnit], current: configuration.scheduleUnit.rawValue),
            RecordedOption("--warmup-steps", saved: meta[RunKey.warmupSteps], current: String(configuration.warmupSteps)),
            RecordedOption("--clip-grad-norm", saved: meta[RunKey.clipGradientNorm],
                           current: configuration.clipGradientNorm.map { String($0) } ?? "none"),
        ]
        if let changed = options.first(where: \.differs), let value = changed.saved {
            throw CheckpointError.optionMismatch(file: checkpoint.source, saved: changed.describe(value),
                                                 requested: changed.describe(changed.current),
                                                 epoch: progress.epoch, step: progress.batch)
        }
    }

    /// Checks that `progress` lies inside this run (an epoch still to train, a batch within the
    /// epoch) and returns the partial epoch's loss sum and step count, when recorded.
    ///
    /// - Throws: `CheckpointError.invalidValue` naming the file and the metadata key.
    func checkPosition(_ progress: TrainingProgress, of checkpoint: Checkpoint) throws -> (sum: Float, steps: Int)? {
        func invalid(_ key: String, _ reason: String) -> CheckpointError {
            .invalidValue(file: checkpoint.source, key: key, reason: reason)
        }
        let epochs = configuration.epochs
        guard progress.epoch < epochs else {
            throw invalid(Checkpoint.Key.epoch, "is \(progress.epoch): the run has finished \(progress.epoch) epoch(s), "
                + "and --epochs \(epochs) asks for \(epochs) in all; pass --epochs \(progress.epoch + 1) or more to train further")
        }
        guard progress.batch <= stepsPerEpoch else {
            throw invalid(Checkpoint.Key.batch, "is \(progress.batch), beyond the \(stepsPerEpoch) steps of an epoch")
        }
        let meta = checkpoint.metadata
        guard meta[LossKey.sum] != nil || meta[LossKey.steps] != nil else { return nil }
        let stepsText = meta[LossKey.steps] ?? "<missing>"
        guard let steps = Int(stepsText), (1...Swift.max(progress.batch, 1)).contains(steps), progress.batch > 0 else {
            throw invalid(LossKey.steps, "is \(stepsText), not a step count from 1 to the \(progress.batch) steps done")
        }
        let sumText = meta[LossKey.sum] ?? "<missing>"
        guard let bits = UInt32(sumText), Float(bitPattern: bits).isFinite, Float(bitPattern: bits) >= 0 else {
            throw invalid(LossKey.sum, "is \(sumText), not the bits of a finite loss sum")
        }
        return (Float(bitPattern: bits), steps)
    }

    /// Checks the optimizer's step counts: `optimizer/step` must equal `synapse.global_step`, and a
    /// parameter's own count (`state.N.step`) must be a whole number from 1 to it. Run after the
    /// names and shapes are checked (every count is then one element).
    ///
    /// - Throws: `CheckpointError.invalidValue` naming the file and the tensor.
    func checkStepCounts(of checkpoint: Checkpoint, at progress: TrainingProgress) throws {
        let total = Float(progress.globalStep)  // as the optimizer saved it
        for (name, tensor) in checkpoint.optimizerTensors where name == "step" || name.hasSuffix(".step") {
            let value = tensor.floatValues().first ?? .nan
            let key = Checkpoint.optimizerPrefix + name
            if name == "step" {
                guard value == total else {
                    throw CheckpointError.invalidValue(
                        file: checkpoint.source, key: key,
                        reason: "holds \(value), not the step count \(progress.globalStep) that synapse.global_step records")
                }
            } else {
                guard value.isFinite, value == value.rounded(), value >= 1, value <= total else {
                    throw CheckpointError.invalidValue(
                        file: checkpoint.source, key: key, reason: "holds \(value), not a step count from 1 to \(progress.globalStep)")
                }
            }
        }
    }
}
