/// Why a state dictionary (of a module or an optimizer) could not be loaded. Nothing is written
/// when loading fails.
public enum StateDictError: Error, Equatable, CustomStringConvertible {
    /// The model expects `key` but the state does not hold it.
    case missingKey(String)
    /// The state holds `key` but the model has no such parameter or buffer.
    case unexpectedKey(String)
    /// The state holds `key` twice.
    case duplicateKey(String)
    /// The value for `key` has shape `found` where `expected` is needed.
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missingKey(key): "state dict: missing key '\(key)'"
        case let .unexpectedKey(key): "state dict: unexpected key '\(key)'"
        case let .duplicateKey(key): "state dict: key '\(key)' appears more than once"
        case let .shapeMismatch(key, expected, found):
            "state dict: shape mismatch for '\(key)': the model has \(expected), the state has \(found)"
        }
    }
}
