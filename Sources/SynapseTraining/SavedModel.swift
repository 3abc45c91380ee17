import Synapse

/// A model loaded from a checkpoint for use (`eval`, `predict`, `export`), with what it needs to
/// see an image as it was trained: input shape, preprocessing and class names.
///
/// The checkpoint's `ModelInfo` decides each of them unless the caller overrides it; a plain
/// PyTorch state dict records no model, so it needs a model name from the caller. Its class count
/// is then read off the file's last weight (`fc3.weight` of LeNet-5 is `[classes, 84]`).
public struct SavedModel {
    /// The weights file.
    public let path: String
    /// The `ModelZoo` name.
    public let modelName: String
    /// The model, on the device it was loaded to, in evaluation mode.
    public let model: Module
    /// `[C, H, W]` of one input.
    public let inputShape: [Int]
    /// Applied to pixels in `[0, 1]`.
    public let normalization: Normalization
    /// Class names indexed by label (`0`, `1`, … when the file records none).
    public let classNames: [String]
    /// What the file records.
    public let info: ModelInfo

    /// Loads `path` onto `device`.
    ///
    /// - Parameters:
    ///   - modelName: the model, required when the file records none; must agree when it does.
    ///   - normalization: overrides the recorded preprocessing. With neither, `fallbackNormalization`
    ///     (what `eval` always used: Fashion-MNIST's statistics for IDX data) applies.
    /// - Throws: `DataError` for an unreadable file, `CheckpointError` naming the file (a missing model
    ///   name, another model, a missing, unexpected or misshapen tensor), `ModelZooError`.
    public static func load(_ path: String, modelName: String? = nil, normalization: Normalization? = nil,
                            fallbackNormalization: Normalization = .fashionMNIST, device: any Device) throws -> SavedModel {
        try load(Checkpoint(contentsOf: path), modelName: modelName, normalization: normalization,
                 fallbackNormalization: fallbackNormalization, device: device)
    }

    /// Loads the model of a checkpoint already read (see `load(_:modelName:normalization:fallbackNormalization:device:)`).
    public static func load(_ checkpoint: Checkpoint, modelName: String? = nil, normalization: Normalization? = nil,
                            fallbackNormalization: Normalization = .fashionMNIST, device: any Device) throws -> SavedModel {
        if let modelName { try checkpoint.requireModel(modelName.lowercased()) }
        guard let name = modelName?.lowercased() ?? checkpoint.modelName else {
            throw CheckpointError.unknownModel(file: checkpoint.source)
        }
        let info = checkpoint.info
        let entry = try ModelZoo.entry(name)
        let classes = try info.classNames?.count ?? classCount(of: checkpoint, model: name)
        let model = try withDevice(device) { try ModelZoo.make(name: name, classes: classes) }
        try checkpoint.loadModel(into: model.stateDict())
        for (_, module) in model.namedModules() { try module.didLoadState() }
        model.eval()
        let chosen = normalization ?? info.normalization ?? fallbackNormalization
        let inputShape = entry.inputShape
        if let recorded = info.inputShape, recorded != inputShape {
            throw CheckpointError.invalidValue(
                file: checkpoint.source, key: ModelInfo.Key.inputShape,
                reason: "is \(recorded.map(String.init).joined(separator: ",")), but model '\(name)' takes "
                    + inputShape.map(String.init).joined(separator: ","))
        }
        if !chosen.fits(channels: inputShape[0]) {
            throw TrainingError.invalidOption(
                option: "--normalize", reason: "has \(chosen.means.count) means, model '\(name)' takes \(inputShape[0]) channels")
        }
        let names = info.classNames ?? (0..<classes).map(String.init)
        return SavedModel(path: checkpoint.source, modelName: name, model: model, inputShape: inputShape,
                          normalization: chosen, classNames: names, info: info)
    }

    /// The number of classes of the weights in `checkpoint` for model `name`: the leading size of
    /// the model's last weight as the file holds it (10 when the file lacks it: loading reports that).
    static func classCount(of checkpoint: Checkpoint, model name: String) throws -> Int {
        let probe = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: name, classes: 1) }
        guard let last = probe.namedParameters().last(where: { $0.name.hasSuffix("weight") })?.name,
              let stored = checkpoint.modelTensors.first(where: { $0.name == last })?.tensor,
              let classes = stored.shape.first, classes > 0, classes <= 1 << 20
        else { return 10 }
        return classes
    }

    /// Writes the weights alone to `output` under PyTorch's names and dtypes (integer buffers such as
    /// `num_batches_tracked` as I64), so `model.load_state_dict(load_file(output))` accepts it with
    /// `strict=True`. The metadata keeps the model name and `ModelInfo`, so Synapse loads it as it
    /// loads the checkpoint. Replaces `output` atomically.
    ///
    /// - Throws: a device failure, `DataError.io` naming `output`.
    public func exportWeights(to output: String) throws {
        var meta = info.metadata
        meta[Checkpoint.Key.model] = modelName
        meta[ModelInfo.Key.inputShape] = inputShape.map(String.init).joined(separator: ",")
        meta[ModelInfo.Key.normalization] = normalization.description
        meta["format"] = "pt"
        var file = SafeTensorsFile(metadata: meta)
        for (name, tensor) in model.stateDict() {
            switch tensor.dtype {
            case .float32: file[name] = SafeTensor(try tensor.toArray(), shape: tensor.shape)
            case .int32: file[name] = SafeTensor(try tensor.toInt32Array().map(Int64.init), shape: tensor.shape)
            }
        }
        try file.write(to: output)
    }
}
