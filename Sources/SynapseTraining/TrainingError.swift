/// Why a training or evaluation run could not start or continue, in one readable line.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An option has a value no run can use.
    case invalidOption(option: String, reason: String)
    /// The run diverged by `step` of `epoch` (0-based): `reason` says what became non-finite or absurd.
    /// `keptCheckpoint` is the checkpoint file left as it was (the last state saved before), if any.
    case diverged(epoch: Int, step: Int, reason: String, keptCheckpoint: String? = nil)
    /// The images of `data` have shape `found`, but `model` takes `expected` (both `[C, H, W]`).
    case inputMismatch(data: String, found: [Int], model: String, expected: [Int])
    /// `data` holds no images.
    case emptyData(String)

    public var description: String {
        switch self {
        case let .invalidOption(option, reason):
            return "invalid value for \(option): \(reason)"
        case let .diverged(epoch, step, reason, kept):
            let keeping = kept.map { "; \($0) was not overwritten" } ?? ""
            return "training diverged by epoch \(epoch + 1), step \(step): \(reason) (try a lower --lr)\(keeping)"
        case let .inputMismatch(data, found, model, expected):
            return "\(data) holds images of \(Self.shape(found)), but model '\(model)' takes \(Self.shape(expected))"
        case let .emptyData(data):
            return "\(data) holds no images"
        }
    }

    /// `[1, 28, 28]` as `1×28×28`.
    static func shape(_ dimensions: [Int]) -> String {
        dimensions.map(String.init).joined(separator: "×")
    }
}
