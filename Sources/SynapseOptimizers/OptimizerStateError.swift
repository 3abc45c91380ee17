/// Why saved optimizer state cannot be restored, beyond the key and shape checks of `StateDictError`.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The step count `key` holds `value`, which is not a whole number of steps (NaN, infinite,
    /// negative, fractional, or beyond 2^53).
    case invalidCount(key: String, value: Double)

    public var description: String {
        switch self {
        case let .invalidCount(key, value):
            "optimizer state '\(key)' holds \(value), not a step count (a whole number from 0 to 2^53)"
        }
    }
}
