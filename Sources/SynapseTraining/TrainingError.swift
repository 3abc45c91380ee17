/// Why a training or evaluation run could not start or continue, in one readable line.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An option has a value no run can use.
    case invalidOption(option: String, reason: String)
    /// The loss became NaN or infinite at `step`: the learning rate is too high for this model.
    case diverged(epoch: Int, step: Int, loss: Float)

    public var description: String {
        switch self {
        case let .invalidOption(option, reason):
            return "invalid value for \(option): \(reason)"
        case let .diverged(epoch, step, loss):
            return "training diverged: loss \(loss) at epoch \(epoch + 1), step \(step) (try a lower --lr)"
        }
    }
}
