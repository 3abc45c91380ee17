/// Why `ModelZoo` could not build a model.
public enum ModelZooError: Error, Equatable, CustomStringConvertible {
    case unknownModel(String, valid: [String])
    case invalidClasses(Int)

    public var description: String {
        switch self {
        case let .unknownModel(name, valid): "unknown model '\(name)'; valid models: \(valid.joined(separator: ", "))"
        case let .invalidClasses(n): "the number of classes must be positive, got \(n)"
        }
    }
}
