import Foundation
import Synapse

/// What a checkpoint records beside the weights so that `eval`, `predict` and `export` need no
/// options: the input shape, the preprocessing, the class names and the data set, in the
/// safetensors `__metadata__` (strings only, as the format requires).
///
/// Every field is optional: files written before these keys existed, and plain PyTorch state
/// dicts, have none of them, and their users name what is missing with options.
public struct ModelInfo: Sendable, Equatable {
    /// Metadata keys.
    public enum Key {
        /// `C,H,W` (`1,28,28`).
        public static let inputShape = "synapse.input_shape"
        /// `Normalization`'s text form (`0.286,0.353`, `0.485,0.456,0.406/0.229,0.224,0.225`).
        public static let normalization = "synapse.normalize"
        /// A JSON array of strings, indexed by label.
        public static let classNames = "synapse.class_names"
        /// `DataSource`'s text form (`fashion-mnist`, `imagefolder:/data/shapes`).
        public static let dataset = "synapse.dataset"
    }

    /// `[C, H, W]` of one input.
    public var inputShape: [Int]?
    /// Applied to pixels in `[0, 1]` before the model sees them.
    public var normalization: Normalization?
    /// Class names indexed by label.
    public var classNames: [String]?
    /// The data the model was trained on, as `--data` names it.
    public var dataset: String?

    /// A description with the given fields.
    public init(inputShape: [Int]? = nil, normalization: Normalization? = nil, classNames: [String]? = nil,
                dataset: String? = nil) {
        self.inputShape = inputShape
        self.normalization = normalization
        self.classNames = classNames
        self.dataset = dataset
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { self == ModelInfo() }

    /// The fields as metadata entries.
    public var metadata: [String: String] {
        var meta: [String: String] = [:]
        if let inputShape { meta[Key.inputShape] = inputShape.map(String.init).joined(separator: ",") }
        if let normalization { meta[Key.normalization] = normalization.description }
        if let classNames, let json = try? JSONEncoder().encode(classNames) {
            meta[Key.classNames] = String(decoding: json, as: UTF8.self)
        }
        if let dataset { meta[Key.dataset] = dataset }
        return meta
    }

    /// Reads (and removes) the fields from `metadata` of `file`.
    ///
    /// - Throws: `CheckpointError.badMetadata` naming the key for a value that does not parse.
    init(taking metadata: inout [String: String], file: String) throws {
        func bad(_ key: String, _ value: String) -> CheckpointError {
            .badMetadata(file: file, key: key, value: value.count > 80 ? String(value.prefix(77)) + "..." : value)
        }
        if let text = metadata.removeValue(forKey: Key.inputShape) {
            let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard sizes.count == 3, sizes.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1 << 16 }) else {
                throw bad(Key.inputShape, text)
            }
            inputShape = sizes.map { $0! }
        }
        if let text = metadata.removeValue(forKey: Key.normalization) {
            guard let normalization = Normalization(parsing: text) else { throw bad(Key.normalization, text) }
            self.normalization = normalization
        }
        if let text = metadata.removeValue(forKey: Key.classNames) {
            guard let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), !names.isEmpty else {
                throw bad(Key.classNames, text)
            }
            classNames = names
        }
        dataset = metadata.removeValue(forKey: Key.dataset)
    }
}
