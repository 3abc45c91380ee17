import SynapseTestSupport
import Testing

/// Batched matrix products on every device against the CPU (`ConformanceSuite.matmul`), plus what
/// only the OpenCL backend accepts beyond the contract the CPU enforces.
@Suite struct MatMulConsistencyTests {
    @Test(arguments: TestDevices.specs) func matmul(spec: String) { expectConformance(ConformanceSuite.matmul, on: spec) }

    @Test(arguments: TestDevices.openCLSpecs)
    func emptyReductionAndColumnMajorOperands(spec: String) throws {
        // k = 0: the product of empty matrices is all zeros. (The CPU rejects the leading dimension 0
        // of a contiguous [2, 3, 0] view, so this is checked against zeros directly.)
        let empty = try Harness.run(.matmul(transposeA: false, transposeB: false), on: TestDevices.device(spec),
                                    inputs: [.floats([], [2, 3, 0]), .floats([], [2, 0, 4])], outputs: [Output(shape: [2, 3, 4], offset: 1)])
        #expect(empty[0] == .float([Output.sentinel] + [Float](repeating: 0, count: 24) + [Output.sentinel, Output.sentinel]),
                "k = 0 on \(spec)")
        // A column-major view (a transposed matrix without the flag) is still multiplied correctly;
        // the CPU, which requires unit stride in the last dimension, gets the same matrix contiguous.
        var random = TestRandom(22)
        let stored = random.floats(5 * 3)
        let columnMajor = Operand.view(stored, [1, 3, 5], strides: [15, 1, 3])
        let rowMajor = Operand.floats((0..<15).map { stored[($0 / 5) + 3 * ($0 % 5)] }, [1, 3, 5])
        let right = Operand.floats(random.floats(5 * 4), [1, 5, 4])
        try Harness.compare(.matmul(transposeA: false, transposeB: false), on: spec, inputs: [columnMajor, right],
                            reference: [rowMajor, right], outputs: [Output(shape: [1, 3, 4])], tolerance: .accumulation,
                            "column-major a")
    }
}
