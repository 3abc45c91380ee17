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
