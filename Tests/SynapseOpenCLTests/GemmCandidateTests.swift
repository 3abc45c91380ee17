import SynapseTestSupport
import Testing

/// Every tuning candidate of our GEMM kernel against the CPU: every transpose combination, edge
/// tiles (sizes not divisible by any tile), batches with a shared operand, and the LeNet-5 and
/// AlexNet dense-layer shapes, forced with `forcedMatMulAlgorithm`.
@Suite struct GemmCandidateTests {
    /// (batch, m, n, k, batch the left operand, batch the right one), each with all four transposes.
    static let shapes: [(Int, Int, Int, Int, Bool, Bool)] = [
        (1, 1, 1, 1, false, false), (1, 7, 13, 5, false, false), (1, 33, 17, 29, false, false),
        (3, 9, 11, 6, true, true), (2, 5, 19, 4, true, false), (2, 6, 3, 8, false, true),
        (1, 256, 120, 400, false, false), (1, 64, 84, 120, false, false), (1, 16, 10, 84, false, false),
        (1, 8, 512, 9216, false, false),
    ]

    static func cases() -> [ConformanceCase] {
        var random = SeededRandom(52)
        var cases: [ConformanceCase] = []
        for (batch, m, n, k, batchA, batchB) in shapes {
            for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
                let a = [batchA ? batch : 1] + (transposeA ? [k, m] : [m, k])
                let b = [batchB ? batch : 1] + (transposeB ? [n, k] : [k, n])
                // Sums of k products drift from the CPU's order by about √k rounding steps.
                let drift = Float(max(k, 1)).squareRoot() * 2e-6
                let tolerance = Tolerance(abs: max(1e-4, drift), rel: max(1e-4, drift))
                cases.append(ConformanceCase("b\(batch) \(m)x\(n)x\(k) batchA \(batchA) batchB \(batchB)",
                                             .matmul(transposeA: transposeA, transposeB: transposeB),
                                             inputs: [.floats(random.floats(a.reduce(1, *)), a), .floats(random.floats(b.reduce(1, *)), b)],
                                             outputs: [Output(shape: [batch, m, n], offset: 1)], tolerance: tolerance))
            }
        }
        return cases
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func everyCandidateMatchesTheCPU(spec: String) throws {
        let device = try Harness.openCL(spec)
        let product = MatMulProblem(transposeA: false, transposeB: false, m: 64, n: 64, k: 64)
        let candidates = device.tuningCandidates(for: .matmul(product)).compactMap { candidate -> MatMulAlgorithm? in
            guard case let .matmul(algorithm) = candidate else { return nil }
            return algorithm
        }
        #expect(candidates.count >= 3 && candidates.first == .clblast, "\(candidates)")
        for candidate in candidates {
            OpenCLDevice.$forcedMatMulAlgorithm.withValue(candidate) {
                expectConformance(Self.cases(), on: spec, "\(candidate)")
            }
        }
    }
}
