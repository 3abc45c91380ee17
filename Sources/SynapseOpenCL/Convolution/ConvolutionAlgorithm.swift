/// The three passes of a convolution layer, each its own kernel and its own tuning entry.
public enum ConvolutionPass: String, Sendable, Hashable, Codable, CaseIterable {
    case forward
    case inputGradient = "input-gradient"
    case weightGradient = "weight-gradient"
}

/// How a direct-convolution kernel splits its work (`Kernels/conv_direct.cl`): each work item
/// computes `outputsPerItem` channels × `columnsPerItem` consecutive output columns (forward and
/// input gradient) or `outputsPerItem` channels × all taps of one kernel row (weight gradient, over
/// `slices` image slices summed afterwards), in work-groups of `groupSize`.
public struct DirectConvolutionBlocking: Sendable, Hashable, Codable, CustomStringConvertible {
    public var outputsPerItem: Int
    public var columnsPerItem: Int
    public var groupSize: Int
    public var slices: Int
    /// Tests only: the kernel adds 1 to one output, so the tuner must reject this candidate.
    package var deliberatelyWrong = false

    public init(outputsPerItem: Int, columnsPerItem: Int, groupSize: Int, slices: Int = 1) {
        self.outputsPerItem = outputsPerItem
        self.columnsPerItem = columnsPerItem
        self.groupSize = groupSize
        self.slices = slices
    }

    public var description: String {
        "direct \(outputsPerItem)×\(columnsPerItem)/\(groupSize)" + (slices > 1 ? " ×\(slices) slices" : "")
            + (deliberatelyWrong ? " (deliberately wrong)" : "")
    }

    enum CodingKeys: String, CodingKey { case outputsPerItem, columnsPerItem, groupSize, slices }
}

/// One way to compute a convolution pass on an OpenCL device.
public enum ConvolutionAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// im2col (col2im for the input gradient) around CLBlast GEMMs: works for every geometry.
    case im2colGEMM
    /// Our own kernel, reading NCHW directly.
    case direct(DirectConvolutionBlocking)

    public var description: String {
        switch self {
        case .im2colGEMM: "im2col + CLBlast"
        case let .direct(blocking): blocking.description
        }
    }
}

