/// Why a checkpoint cannot be used for the model or run at hand. Every case names the file, and
/// the key where there is one, so the message alone says what to fix.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The model expects `key` but the file does not hold it.
    case missingKey(file: String, key: String)
    /// The file holds `key` but the model (or optimizer) has no such entry.
    case unexpectedKey(file: String, key: String)
    /// `key` has shape `found` in the file where the model has `expected`.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// `key` is stored with a dtype that cannot be loaded into the model's tensor.
    case wrongDType(file: String, key: String, found: String, expected: String)
    /// A `synapse.*` metadata entry does not hold what it should.
    case badMetadata(file: String, key: String, value: String)
    /// The file was saved from a different model than the one asked for.
    case modelMismatch(file: String, saved: String, requested: String)
    /// The file holds weights only (no optimizer state, epoch or random stream), so it cannot resume training.
    case notResumable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingKey(file, key):
            return "\(file): checkpoint has no tensor '\(key)' that the model needs"
        case let .unexpectedKey(file, key):
            return "\(file): checkpoint tensor '\(key)' does not belong to the model"
        case let .shapeMismatch(file, key, expected, found):
            return "\(file): checkpoint tensor '\(key)' has shape \(found), the model needs \(expected)"
        case let .wrongDType(file, key, found, expected):
            return "\(file): checkpoint tensor '\(key)' is \(found), cannot load it as \(expected)"
        case let .badMetadata(file, key, value):
            return "\(file): checkpoint metadata '\(key)' has an invalid value '\(value)'"
        case let .modelMismatch(file, saved, requested):
            return "\(file): checkpoint was saved from model '\(saved)', not '\(requested)'"
        case let .notResumable(file, reason):
            return "\(file): cannot resume training from this checkpoint: \(reason)"
        }
    }
}
