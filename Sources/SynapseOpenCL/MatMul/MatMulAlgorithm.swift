/// How our own GEMM kernel (`Kernels/gemm.cl`) splits its work: each work item computes
/// `rowsPerItem` rows × `columnsPerItem` columns (the columns strided by the launch width), in
/// work-groups of `groupSize`.
public struct GemmBlocking: Sendable, Hashable, CustomStringConvertible {
    public var rowsPerItem: Int
    public var columnsPerItem: Int
    public var groupSize: Int
    /// Tests only: the kernel adds 1 to one output, so the tuner must reject this candidate.
    package var deliberatelyWrong = false

    public init(rowsPerItem: Int, columnsPerItem: Int, groupSize: Int) {
        self.rowsPerItem = rowsPerItem
        self.columnsPerItem = columnsPerItem
        self.groupSize = groupSize
    }

    public var description: String {
        "gemm \(rowsPerItem)×\(columnsPerItem)/\(groupSize)" + (deliberatelyWrong ? " (deliberately wrong)" : "")
    }
}

/// One way to compute a matrix product on an OpenCL device.
public enum MatMulAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// CLBlast's SGEMM (batched where the product is): every shape and layout.
    case clblast
    /// Our own kernel, built for the product's sizes and transposes.
    case own(GemmBlocking)

    public var description: String {
        switch self {
        case .clblast: "CLBlast"
        case let .own(blocking): blocking.description
        }
    }
}
