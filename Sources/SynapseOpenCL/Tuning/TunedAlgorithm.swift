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

/// A tuning result of either kind, as the tuning file stores it.
public enum TunedAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case convolution(ConvolutionAlgorithm)
    case matmul(MatMulAlgorithm)

    public var description: String {
        switch self {
        case let .convolution(algorithm): algorithm.description
        case let .matmul(algorithm): algorithm.description
        }
    }
}
