/// A problem the tuner keys results on: a convolution pass or a matrix product.
public enum TunableProblem: Sendable, Hashable, CustomStringConvertible {
    case convolution(ConvolutionProblem)
    case matmul(MatMulProblem)

    /// The tuning file's key.
    public var key: String {
        switch self {
        case let .convolution(problem): problem.key
        case let .matmul(problem): problem.key
        }
    }

    public var description: String { key }
}
