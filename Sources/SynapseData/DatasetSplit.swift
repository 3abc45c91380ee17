/// Which part of a dataset to load.
public enum DatasetSplit: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The training examples (`train-*` files; 60 000 for MNIST and Fashion-MNIST).
    case train
    /// The held-out test examples (`t10k-*` files; 10 000 for MNIST and Fashion-MNIST).
    case test

    /// The prefix of this split's IDX file names.
    public var filePrefix: String {
        switch self {
        case .train: return "train"
        case .test: return "t10k"
        }
    }

    /// The split's name (`train`, `test`).
    public var description: String { rawValue }
}
