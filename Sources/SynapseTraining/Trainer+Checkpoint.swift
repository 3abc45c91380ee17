import Synapse

extension Trainer {
    /// Metadata keys for the partial epoch's loss, so a resumed run reports the same epoch loss.
    enum LossKey {
        static let sum = "synapse.epoch_loss_sum"
        static let steps = "synapse.epoch_loss_steps"
    }

    /// The run's state: model, optimizer, position and random stream (reads the device).
    public func checkpoint() throws -> Checkpoint {
        var metadata: [String: String] = [:]
        if let lossSum, lossSteps > 0 {
            metadata[LossKey.sum] = String(try lossSum.item().bitPattern)
            metadata[LossKey.steps] = String(lossSteps)
        }
        var settings = ["learning_rate": String(scheduler.baseLearningRate)]
        if configuration.optimizer == .sgd { settings["momentum"] = String(configuration.momentum) }
        settings["weight_decay"] = String(configuration.resolvedWeightDecay)
        return try Checkpoint(
            model: model.stateDict(), optimizer: optimizer.stateDict(), modelName: configuration.model,
            optimizerName: configuration.optimizer.rawValue, optimizerSettings: settings, progress: position,
            metadata: metadata)
    }

    /// Saves `checkpoint()` to `path` atomically and reports it.
    public func save(to path: String) throws {
        try checkpoint().write(to: path)
        onRecord(.checkpoint(CheckpointSaved(path: path, epochsCompleted: position.epoch, step: position.batch)))
    }

    /// Continues the run saved at `path`: weights, optimizer state, epoch and batch, random stream
    /// and the partial epoch's loss, so the steps that follow are those an uninterrupted run takes.
    ///
    /// - Throws: `DataError` for an unreadable file; `CheckpointError` naming the file (and key) for
    ///   another model, another optimizer, a weights-only file, or a missing, unexpected or
    ///   misshapen tensor.
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
        try checkpoint.loadModel(into: model.stateDict())
        for (_, module) in model.namedModules() { try module.didLoadState() }
        let state = try withDevice(device) { try checkpoint.optimizerState(on: device) }
        do {
            try optimizer.loadStateDict(state)
        } catch let error as StateDictError {
            throw Self.checkpointError(error, file: path, prefix: Checkpoint.optimizerPrefix)
        }
        position = progress
        lossSum = nil
        lossSteps = 0
        if let bits = checkpoint.metadata[LossKey.sum].flatMap(UInt32.init),
           let steps = checkpoint.metadata[LossKey.steps].flatMap(Int.init), steps > 0 {
            lossSum = Tensor(scalar: Float(bitPattern: bits), on: device)
            lossSteps = steps
        }
        epochStart = nil
        scheduler.set(epoch: position.epoch)
    }

    /// A model loaded from `path` for evaluation: built by name on `device`, weights checked key by
    /// key. Accepts Synapse checkpoints and plain PyTorch state dicts (safetensors).
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
