import SynapseBackend

/// The catalogue of conformance cases: every primitive, every unary, binary and reduce op and
/// every random distribution, over random shapes, broadcasts, strided views and the geometries
/// that break kernels (padding, stride, dilation, groups). A device conforms when each case's
/// outputs match the CPU's (or host-computed values) within the case's tolerance and nothing is
/// written outside the outputs.
///
/// The cases are grouped by primitive family (`unary`, `convolution`, …) so tests can run the
/// groups in parallel; `cases` is all of them.
public enum ConformanceSuite {
    /// Every group, named as tests and progress lines name them.
    public static let groups: [(name: String, cases: [ConformanceCase])] = [
        ("unary", unary), ("binary", binary), ("copy", copy), ("fill", fill), ("random", random),
        ("reduce", reduce), ("softmax", softmax), ("crossEntropy", crossEntropy),
        ("crossEntropyBackward", crossEntropyBackward), ("countCorrect", countCorrect), ("matmul", matmul), ("convolution", convolution),
        ("maxPool", maxPool), ("avgPool", avgPool), ("localResponseNorm", localResponseNorm), ("batchNorm", batchNorm),
        ("biasActivation", biasActivation), ("sgd", sgd), ("adam", adam),
    ]

    /// Every case.
    public static let cases: [ConformanceCase] = groups.flatMap(\.cases)

    /// The family names (`unary.exp`, `conv2d`, …; see `Primitive.allFamilyNames`) that no case
    /// in `cases` exercises. Empty for a complete suite.
    public static func uncoveredFamilies(in cases: [ConformanceCase]) -> [String] {
        let covered = Set(cases.map(\.family))
        return Primitive.allFamilyNames.filter { !covered.contains($0) }
    }
}
