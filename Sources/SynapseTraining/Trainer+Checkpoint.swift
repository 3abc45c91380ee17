import Foundation
import Synapse

extension Trainer {
    /// Metadata keys for the partial epoch's loss, so a resumed run reports the same epoch loss.
    enum LossKey {
        static let sum = "synapse.epoch_loss_sum"
        static let steps = "synapse.epoch_loss_steps"
    }

    /// The optimizer's settings as the checkpoint records them (`learning_rate`, `momentum`, `weight_decay`).
    var optimizerSettings: [String: String] {
        var settings = ["learning_rate": String(scheduler.baseLearningRate)]
        if configuration.optimizer == .sgd { settings["momentum"] = String(configuration.momentum) }
        settings["weight_decay"] = String(configuration.resolvedWeightDecay)
        return settings
    }

    /// The run's state: model, optimizer, position, random stream, and the options a resumed run
    /// must share (reads the device).
    public func checkpoint() throws -> Checkpoint {
        var metadata = runMetadata
        if let lossSum, lossSteps > 0 {
            metadata[LossKey.sum] = String(try lossSum.item().bitPattern)
            metadata[LossKey.steps] = String(lossSteps)
        }
        return try Checkpoint(
            model: model.stateDict(), optimizer: optimizer.stateDict(), modelName: configuration.model,
            optimizerName: configuration.optimizer.rawValue, optimizerSettings: optimizerSettings, progress: position,
            info: modelInfo, metadata: metadata)
    }

    /// Saves `checkpoint()` to `path` atomically, through `aroundSave`, and reports it.
    ///
    /// A diverged state is never saved: a non-finite or absurd epoch loss, or a non-finite weight
    /// or optimizer value, throws `TrainingError.diverged` and leaves the file at `path` as it was.
    public func save(to path: String) throws {
        try keepingCheckpoint(at: path) {
            _ = try meanLoss()
            let checkpoint = try checkpoint()
            if let bad = checkpoint.firstNonFinite() {
                throw TrainingError.diverged(epoch: position.epoch, step: position.batch,
                                             reason: "tensor '\(bad.key)' holds \(bad.value) at element \(bad.index)")
            }
            try aroundSave { try checkpoint.write(to: path) }
        }
        onRecord(.checkpoint(CheckpointSaved(path: path, epochsCompleted: position.epoch, step: position.batch)))
    }

    /// Runs `body`; a `TrainingError.diverged` it throws is completed with `path` when that file
    /// exists (a diverged state is never saved, so it still holds the last state saved before).
    func keepingCheckpoint<R>(at path: String?, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let TrainingError.diverged(epoch, step, reason, nil) {
            let kept = path.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            throw TrainingError.diverged(epoch: epoch, step: step, reason: reason, keptCheckpoint: kept)
        }
    }

    /// Continues the run saved at `path`: weights, optimizer state, epoch and batch, random stream
    /// and the partial epoch's loss, so the steps that follow are those an uninterrupted run takes.
    ///
    /// Nothing in the file is trusted: the options it records, its position, every optimizer
    /// tensor's name, shape, dtype and step count, and every value's finiteness are checked before
    /// anything is loaded, so a failed resume leaves the trainer as it was.
    /// - Throws: `DataError` for an unreadable file; `CheckpointError` naming the file (and key) for
    ///   another model or optimizer, a weights-only file, a mid-epoch checkpoint of other options, a
    ///   position outside this run, a missing, unexpected, misshapen or non-finite tensor.
    public func resume(from path: String) throws {
        let checkpoint = try Checkpoint(contentsOf: path)
        try checkpoint.requireModel(configuration.model)
        guard let progress = checkpoint.progress, let saved = checkpoint.optimizerName else {
            throw CheckpointError.notResumable(
                file: path, reason: "it holds weights only (no optimizer state or progress); use it with 'synapse eval'")
        }
        guard saved == configuration.optimizer.rawValue else {
            throw CheckpointError.notResumable(
                file: path, reason: "it was saved with optimizer '\(saved)', this run uses '\(configuration.optimizer.rawValue)'")
        }
        try checkOptions(of: checkpoint, at: progress)
        let epochLoss = try checkPosition(progress, of: checkpoint)
        let layout = progress.globalStep == 0 ? [(name: "step", shape: [Int]())] : optimizer.stateLayout()
        let state = try withDevice(device) { try checkpoint.optimizerState(matching: layout, on: device) }
        try checkStepCounts(of: checkpoint, at: progress)
        try checkpoint.loadModel(into: model.stateDict())
        for (_, module) in model.namedModules() { try module.didLoadState() }
        do {
            try optimizer.loadStateDict(state)
        } catch let error as StateDictError {
            throw Self.checkpointError(error, file: path, prefix: Checkpoint.optimizerPrefix)
        } catch let OptimizerStateError.invalidCount(key, value) {
            throw CheckpointError.invalidValue(file: path, key: Checkpoint.optimizerPrefix + key,
                                               reason: "holds \(value), not a step count")
        }
        position = progress
        lossSum = epochLoss.map { Tensor(scalar: $0.sum, on: device) }
        lossSteps = epochLoss?.steps ?? 0
        epochStart = nil
        applySchedule()
    }

    /// A model loaded from `path` for evaluation: built by name on `device`, weights checked key by
    /// key (and every value finite). Accepts Synapse checkpoints and plain PyTorch state dicts (safetensors).
    public static func loadModel(name: String, classes: Int, checkpoint path: String, device: any Device) throws -> Module {
        let checkpoint = try Checkpoint(contentsOf: path)
        try checkpoint.requireModel(name)
        let model = try withDevice(device) { try ModelZoo.make(name: name, classes: classes) }
        try checkpoint.loadModel(into: model.stateDict())
        for (_, module) in model.namedModules() { try module.didLoadState() }
        return model
    }

    static func checkpointError(_ error: StateDictError, file: String, prefix: String) -> CheckpointError {
        switch error {
        case let .missingKey(key): return .missingKey(file: file, key: prefix + key)
        case let .unexpectedKey(key), let .duplicateKey(key): return .unexpectedKey(file: file, key: prefix + key)
        case let .shapeMismatch(key, expected, found):
            return .shapeMismatch(file: file, key: prefix + key, expected: expected, found: found)
        }
    }
}
