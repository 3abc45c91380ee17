import Synapse
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
    /// The file records no model name (a PyTorch state dict) and none was given.
    case unknownModel(file: String)
    /// The file holds weights only (no optimizer state, epoch or random stream), so it cannot resume training.
    case notResumable(file: String, reason: String)
    /// The entry `key` (a tensor or a `synapse.*` metadata value) parses but cannot be true of any
    /// run (a position beyond the epoch, a step count that is not a whole number…); `reason` says how.
    case invalidValue(file: String, key: String, reason: String)
    /// Tensor `key` holds `value` (NaN or ±infinity) at element `index`.
    case nonFinite(file: String, key: String, value: Float, index: Int)
    /// The file was saved mid-epoch (`epoch`, 0-based, after `step` steps) with `saved`, and the run
    /// resuming it has `requested`: the rest of the epoch would not be the one the checkpoint began.
    case optionMismatch(file: String, saved: String, requested: String, epoch: Int, step: Int)

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
        case let .unknownModel(file):
            return "\(file): checkpoint does not record its model (a PyTorch state dict?); name it with --model "
                + "(\(ModelZoo.names.joined(separator: ", ")))"
        case let .notResumable(file, reason):
            return "\(file): cannot resume training from this checkpoint: \(reason)"
        case let .invalidValue(file, key, reason):
            return "\(file): checkpoint entry '\(key)' \(reason)"
        case let .nonFinite(file, key, value, index):
            return "\(file): checkpoint tensor '\(key)' holds \(value) at element \(index); only finite values can be loaded"
        case let .optionMismatch(file, saved, requested, epoch, step):
            return "\(file): checkpoint was saved mid-epoch (epoch \(epoch + 1), step \(step)) with \(saved), this run has "
                + "\(requested); resume with the saved value, or from a checkpoint saved at the end of an epoch"
        }
    }
}
