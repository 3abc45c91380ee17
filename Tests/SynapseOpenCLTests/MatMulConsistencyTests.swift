import SynapseTestSupport
import Testing

/// Batched matrix products on every device against the CPU (`ConformanceSuite.matmul`), plus the
/// empty reduction, which has no CPU reference to compare with.
@Suite struct MatMulConsistencyTests {
    @Test(arguments: TestDevices.specs) func matmul(spec: String) { expectConformance(ConformanceSuite.matmul, on: spec) }

    @Test(arguments: TestDevices.specs)
    func emptyReductionGivesZeros(spec: String) throws {
        // k = 0: the product of empty matrices is all zeros.
        let empty = try Harness.run(.matmul(transposeA: false, transposeB: false), on: TestDevices.device(spec),
                                    inputs: [.floats([], [2, 3, 0]), .floats([], [2, 0, 4])], outputs: [Output(shape: [2, 3, 4], offset: 1)])
        #expect(empty[0] == .float([Output.sentinel] + [Float](repeating: 0, count: 24) + [Output.sentinel, Output.sentinel]),
                "k = 0 on \(spec)")
    }
}
