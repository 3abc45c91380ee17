import SynapseBackend
import Synapse

/// A training checkpoint in one safetensors file: the model's state dict under PyTorch's names
/// and layouts (F32), the optimizer's state under `optimizer/…`, and in the metadata the model
/// and optimizer names, the optimizer's scalar settings, the epoch and step, the position of
/// the random stream, and what `eval` and `predict` need to use the model (`ModelInfo`: input
/// shape, preprocessing, class names, data set).
///
/// The model tensors sit at the top level with no prefix, so
/// `{k: v for k, v in safetensors.torch.load_file(p).items() if "/" not in k}` is a PyTorch state
/// dict, and a plain state dict written by `safetensors.torch.save_file(model.state_dict(), p)`
/// loads here for evaluation (it has no optimizer state or progress, so it cannot resume).
/// Saving replaces the file atomically. Loading checks every key and shape against the model
/// before writing anything and names the file and key in every error.
public struct Checkpoint: Sendable {
    /// Prefix of the optimizer's tensors in the file (`/` never occurs in PyTorch parameter names).
    public static let optimizerPrefix = "optimizer/"
    /// Metadata keys written by Synapse.
    public enum Key {
        public static let model = "synapse.model"
        public static let optimizer = "synapse.optimizer"
        public static let optimizerSetting = "synapse.optimizer."
        public static let epoch = "synapse.epoch"
        public static let batch = "synapse.batch"
        public static let globalStep = "synapse.global_step"
        public static let randomSeed = "synapse.random_seed"
        public static let randomCounter = "synapse.random_counter"
    }

    /// Name of the model the weights belong to (`lenet5`), when recorded.
    public var modelName: String?
    /// Name of the optimizer (`sgd`), when recorded.
    public var optimizerName: String?
    /// The optimizer's scalar state and settings (step count, learning rate…), as strings.
    public var optimizerSettings: [String: String]
    /// Where the run stood; nil for a plain state dict.
    public var progress: TrainingProgress?
    /// Input shape, preprocessing, class names and data set, where recorded.
    public var info: ModelInfo
    /// Other metadata (`format: pt` and anything the caller adds).
    public var metadata: [String: String]
    /// Model tensors in state-dict order.
    public private(set) var modelTensors: [(name: String, tensor: SafeTensor)]
    /// Optimizer tensors in order, names without the prefix.
    public private(set) var optimizerTensors: [(name: String, tensor: SafeTensor)]
    /// The file this checkpoint was read from (`<memory>` when built in code).
    public let source: String

    /// A checkpoint of the given state, read back from the device (this waits for pending work).
    ///
    /// - Throws: a pending device failure.
    public init(model: [(name: String, tensor: Tensor)], optimizer: [(name: String, tensor: Tensor)] = [],
                modelName: String? = nil, optimizerName: String? = nil, optimizerSettings: [String: String] = [:],
                progress: TrainingProgress? = nil, info: ModelInfo = ModelInfo(),
                metadata: [String: String] = [:]) throws {
        self.modelTensors = try model.map { ($0.name, try Self.host($0.tensor)) }
        self.optimizerTensors = try optimizer.map { ($0.name, try Self.host($0.tensor)) }
        self.modelName = modelName
        self.optimizerName = optimizerName
        self.optimizerSettings = optimizerSettings
        self.progress = progress
        self.info = info
        self.metadata = metadata
        self.source = "<memory>"
    }

    /// Whether the file can resume training: it records progress (optimizer tensors may be
    /// absent for an optimizer without state, such as SGD without momentum).
    public var isResumable: Bool { progress != nil && optimizerName != nil }

    /// Writes the checkpoint to `path` atomically (temporary file, flush, rename).
    ///
    /// - Throws: `DataError.io` naming the path.
    public func write(to path: String) throws {
        var meta = metadata.merging(info.metadata) { _, recorded in recorded }
        meta["format"] = meta["format"] ?? "pt"
        if let modelName { meta[Key.model] = modelName }
        if let optimizerName { meta[Key.optimizer] = optimizerName }
        for (key, value) in optimizerSettings { meta[Key.optimizerSetting + key] = value }
        if let progress {
            meta[Key.epoch] = String(progress.epoch)
            meta[Key.batch] = String(progress.batch)
            meta[Key.globalStep] = String(progress.globalStep)
            meta[Key.randomSeed] = String(progress.randomSeed)
            meta[Key.randomCounter] = String(progress.randomCounter)
        }
        var file = SafeTensorsFile(metadata: meta)
        for (name, tensor) in modelTensors {
            ensure(!name.contains("/"), "Checkpoint: model tensor name '\(name)' contains '/'")
            file[name] = tensor
        }
        for (name, tensor) in optimizerTensors { file[Self.optimizerPrefix + name] = tensor }
        try file.write(to: path)
    }

    /// Reads the checkpoint at `path`.
    ///
    /// - Throws: `DataError` for a file that is missing, truncated or not safetensors;
    ///   `CheckpointError.badMetadata` for a `synapse.*` entry that does not parse.
    public init(contentsOf path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path)
        source = file.source
        var model: [(name: String, tensor: SafeTensor)] = []
        var optimizer: [(name: String, tensor: SafeTensor)] = []
        for name in file.names {
            let tensor = try file.tensor(named: name)
            if name.hasPrefix(Self.optimizerPrefix) {
                optimizer.append((String(name.dropFirst(Self.optimizerPrefix.count)), tensor))
            } else {
                model.append((name, tensor))
            }
        }
        modelTensors = model
        optimizerTensors = optimizer

        var meta = file.metadata
        modelName = meta.removeValue(forKey: Key.model)
        optimizerName = meta.removeValue(forKey: Key.optimizer)
        var settings: [String: String] = [:]
        for key in meta.keys where key.hasPrefix(Key.optimizerSetting) {
            settings[String(key.dropFirst(Key.optimizerSetting.count))] = meta.removeValue(forKey: key)
        }
        optimizerSettings = settings
        info = try ModelInfo(taking: &meta, file: path)
        if meta[Key.epoch] != nil {
            func number<T: FixedWidthInteger>(_ key: String, _: T.Type, max: T = .max, bound: String = "") throws -> T {
                let text = meta.removeValue(forKey: key) ?? "<missing>"
                guard let value = T(text), value >= 0 else {
                    throw CheckpointError.badMetadata(file: path, key: key, value: text)
                }
                guard value <= max else {
                    throw CheckpointError.invalidValue(file: path, key: key, reason: "is \(text), beyond \(bound)")
                }
                return value
            }
            let count = TrainingProgress.maxCount, counts = "2^53, more than any run counts"
            progress = TrainingProgress(
                epoch: try number(Key.epoch, Int.self, max: count, bound: counts),
                batch: try number(Key.batch, Int.self, max: count, bound: counts),
                globalStep: try number(Key.globalStep, Int.self, max: count, bound: counts),
                randomSeed: try number(Key.randomSeed, UInt64.self),
                randomCounter: try number(Key.randomCounter, UInt64.self, max: TrainingProgress.maxRandomCounter,
                                          bound: "2^62, more random numbers than any run draws"))
        } else {
            progress = nil
        }
        metadata = meta
    }

    /// Throws `CheckpointError.modelMismatch` when the file records a model other than `name`
    /// (a file that records none, such as one written by PyTorch, passes).
    public func requireModel(_ name: String) throws {
        if let modelName, modelName != name {
            throw CheckpointError.modelMismatch(file: source, saved: modelName, requested: name)
        }
    }

    /// Overwrites the model's tensors in place with the file's values.
    ///
    /// `reference` is the model's state dict (views of the live parameters and buffers). Every
    /// key is checked first: missing, unexpected, wrong shape or unusable dtype throw a
    /// `CheckpointError` naming the file and the key, and then nothing has been written.
    public func loadModel(into reference: [(name: String, tensor: Tensor)]) throws {
        let values = try Self.match(modelTensors, to: reference, file: source, prefix: "")
        for ((_, target), value) in zip(reference, values) { value.write(into: target) }
    }

    /// The optimizer's tensors checked against `reference` (names and shapes), on `device`.
    ///
    /// Every name, shape and dtype is checked against `reference` before any tensor is built, so a
    /// stray entry of an absurd shape is reported by name; optimizer state is floating-point, and
    /// must be finite. Without a reference (optimizers that create their state lazily import what
    /// the file holds) the values are still checked to be finite.
    /// - Throws: `CheckpointError` naming the file and the key.
    public func optimizerState(matching reference: [(name: String, shape: [Int])]? = nil,
                               on device: any Device) throws -> [(name: String, tensor: Tensor)] {
        if let reference {
            let names = Set(reference.map(\.name))
            if let extra = optimizerTensors.first(where: { !names.contains($0.name) }) {
                throw CheckpointError.unexpectedKey(file: source, key: Self.optimizerPrefix + extra.name)
            }
            for (name, shape) in reference {
                let key = Self.optimizerPrefix + name
                guard let stored = optimizerTensors.first(where: { $0.name == name })?.tensor else {
                    throw CheckpointError.missingKey(file: source, key: key)
                }
                guard stored.shape == shape else {
                    throw CheckpointError.shapeMismatch(file: source, key: key, expected: shape, found: stored.shape)
                }
                guard stored.dtype.isFloatingPoint else {
                    throw CheckpointError.wrongDType(file: source, key: key, found: stored.dtype.rawValue, expected: "float32")
                }
            }
        }
        return try optimizerTensors.map { name, stored in
            let key = Self.optimizerPrefix + name
            guard Self.isAddressable(stored.shape) else {
                throw CheckpointError.invalidValue(file: source, key: key, reason: "has shape \(stored.shape), too large to hold")
            }
            switch stored.dtype {
            case .int32, .int64, .uint8:
                let values = try Self.int32s(stored, key: key, file: source)
                return (name, Tensor(int32: values, shape: stored.shape, on: device))
            case .float32, .float64, .float16, .bfloat16:
                let values = try Self.finite(stored.floatValues(), key: key, file: source)
                return (name, Tensor(values, shape: stored.shape, on: device))
            }
        }
    }

    /// The first model or optimizer tensor holding NaN or ±infinity (its full key), with the value
    /// and its index; nil when every value is finite. Check before saving: such a file cannot resume.
    public func firstNonFinite() -> (key: String, value: Float, index: Int)? {
        let tensors = modelTensors.map { ($0.name, $0.tensor) }
            + optimizerTensors.map { (Self.optimizerPrefix + $0.name, $0.tensor) }
        for (key, tensor) in tensors where tensor.dtype.isFloatingPoint {
            let values = tensor.floatValues()
            if let index = values.firstIndex(where: { !$0.isFinite }) { return (key, values[index], index) }
        }
        return nil
    }

    // MARK: Helpers

    /// Host values ready to write into a device tensor.
    enum Values {
        case floats([Float]), ints([Int32])

        func write(into target: Tensor) {
            let replacement: Tensor
            switch self {
            case let .floats(values):
                if target.isContiguous { target.load(values); return }
                replacement = Tensor(values, shape: target.shape, on: target.device)
            case let .ints(values):
                if target.isContiguous { target.load(int32: values); return }
                replacement = Tensor(int32: values, shape: target.shape, on: target.device)
            }
            withoutGradient { target.assign(replacement) }
        }
    }

    /// Checks `stored` against `reference` key by key and converts the values, in reference order.
    static func match(_ stored: [(name: String, tensor: SafeTensor)], to reference: [(name: String, tensor: Tensor)],
                      file: String, prefix: String) throws -> [Values] {
        var byName: [String: SafeTensor] = [:]
        for (name, tensor) in stored { byName[name] = tensor }
        var values: [Values] = []
        for (name, target) in reference {
            let key = prefix + name
            guard let tensor = byName.removeValue(forKey: name) else {
                throw CheckpointError.missingKey(file: file, key: key)
            }
            guard tensor.shape == target.shape else {
                throw CheckpointError.shapeMismatch(file: file, key: key, expected: target.shape, found: tensor.shape)
            }
            switch (target.dtype, tensor.dtype) {
            case (.float32, .float32), (.float32, .float64), (.float32, .float16), (.float32, .bfloat16):
                values.append(.floats(try finite(tensor.floatValues(), key: key, file: file)))
            case (.int32, .int32), (.int32, .int64), (.int32, .uint8):
                values.append(.ints(try int32s(tensor, key: key, file: file)))
            default:
                throw CheckpointError.wrongDType(file: file, key: key, found: tensor.dtype.rawValue,
                                                 expected: target.dtype.rawValue)
            }
        }
        if let extra = stored.first(where: { byName[$0.name] != nil }) {
            throw CheckpointError.unexpectedKey(file: file, key: prefix + extra.name)
        }
        return values
    }

    /// `values`, unless one is NaN or infinite: then `CheckpointError.nonFinite` naming it.
    static func finite(_ values: [Float], key: String, file: String) throws -> [Float] {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError.nonFinite(file: file, key: key, value: values[index], index: index)
        }
        return values
    }

    /// Whether a device tensor of `shape` can be laid out: the product of its non-zero sizes (its
    /// largest stride) fits in an `Int`. A file may declare `[0, 2^62, 4]`, which holds no bytes.
    static func isAddressable(_ shape: [Int]) -> Bool {
        var product = 1
        for size in shape where size > 0 {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            if overflow { return false }
            product = next
        }
        return true
    }

    private static func int32s(_ tensor: SafeTensor, key: String, file: String) throws -> [Int32] {
        do {
            return try tensor.int32Values()
        } catch {
            throw CheckpointError.wrongDType(file: file, key: key, found: tensor.dtype.rawValue, expected: "int32")
        }
    }

    /// A device tensor's values as a host `SafeTensor` (F32 or I32).
    static func host(_ tensor: Tensor) throws -> SafeTensor {
        switch tensor.dtype {
        case .float32: return SafeTensor(try tensor.toArray(), shape: tensor.shape)
        case .int32: return SafeTensor(try tensor.toInt32Array(), shape: tensor.shape)
        }
    }
}

extension SafeTensorDType {
    /// Whether the elements are floating-point (F32, F64, F16, BF16).
    var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        case .int32, .int64, .uint8: return false
        }
    }
}
