import Foundation
import SynapseTestSupport
import Testing

/// Batched matrix products through CLBlast against the CPU's BLAS.
@Suite struct MatMulConsistencyTests {
    /// `[batch, rows, cols]` operand of the stored shape (`rows × cols` as the primitive sees it),
    /// optionally a sub-matrix of a wider buffer (leading dimension > cols) or shared over the batch.
    static func operand(_ random: inout TestRandom, batch: Int, rows: Int, cols: Int,
                        padding: Int = 0, shared: Bool = false, offset: Int = 0) -> Operand {
        let ld = cols + padding
        let stored = shared ? 1 : batch
        let data = random.floats(offset + stored * rows * ld)
        return .view(data, [batch, rows, cols], strides: [shared ? 0 : rows * ld, ld, 1], offset: offset)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func matmul(spec: String) throws {
        var random = TestRandom(20)
        let (m, n, k) = (7, 5, 11)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let (aRows, aCols) = transposeA ? (k, m) : (m, k)
                let (bRows, bCols) = transposeB ? (n, k) : (k, n)
                let cases: [(String, Int, Operand, Operand)] = [
                    ("batch 1", 1, Self.operand(&random, batch: 1, rows: aRows, cols: aCols),
                     Self.operand(&random, batch: 1, rows: bRows, cols: bCols)),
                    ("batch 3", 3, Self.operand(&random, batch: 3, rows: aRows, cols: aCols, offset: 5),
                     Self.operand(&random, batch: 3, rows: bRows, cols: bCols)),
                    ("shared b, padded a", 4, Self.operand(&random, batch: 4, rows: aRows, cols: aCols, padding: 3),
                     Self.operand(&random, batch: 4, rows: bRows, cols: bCols, shared: true)),
                    ("shared a", 2, Self.operand(&random, batch: 2, rows: aRows, cols: aCols, shared: true),
                     Self.operand(&random, batch: 2, rows: bRows, cols: bCols, padding: 2, offset: 1)),
                ]
                for (label, batch, a, b) in cases {
                    try Harness.compare(.matmul(transposeA: transposeA, transposeB: transposeB), on: spec, inputs: [a, b],
                                        outputs: [Output(shape: [batch, m, n], offset: 3)], tolerance: .accumulation, label)
                }
            }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func matmulShapesAndEdges(spec: String) throws {
        var random = TestRandom(21)
        // Contiguous batch with one shared right-hand side (folded into one taller GEMM), a
        // larger product, and vectors.
        let shapes: [(Int, Int, Int, Int)] = [(5, 9, 1, 13), (1, 67, 45, 129), (2, 1, 8, 1), (3, 1, 1, 1)]
        for (batch, m, n, k) in shapes {
            let a = Self.operand(&random, batch: batch, rows: m, cols: k)
            let b = Self.operand(&random, batch: batch, rows: k, cols: n, shared: true)
            try Harness.compare(.matmul(transposeA: false, transposeB: false), on: spec, inputs: [a, b],
                                outputs: [Output(shape: [batch, m, n])], tolerance: .accumulation, "\(batch)x\(m)x\(n)x\(k)")
        }
        // Large enough for CLBlast's indirect kernel on GPUs (which pads and transposes into a pooled
        // scratch buffer); PoCL keeps the direct kernel at these sizes.
        for (transposeA, transposeB) in [(false, false), (true, true)] {
            let (m, n, k) = (301, 320, 290)
            let a = transposeA ? Self.operand(&random, batch: 1, rows: k, cols: m) : Self.operand(&random, batch: 1, rows: m, cols: k)
            let b = transposeB ? Self.operand(&random, batch: 1, rows: n, cols: k) : Self.operand(&random, batch: 1, rows: k, cols: n)
            try Harness.compare(.matmul(transposeA: transposeA, transposeB: transposeB), on: spec, inputs: [a, b],
                                outputs: [Output(shape: [1, m, n], offset: 1)], tolerance: .accumulation, "indirect GEMM")
        }
        // k = 0: the product of empty matrices is all zeros.
        let empty = try Harness.run(.matmul(transposeA: false, transposeB: false), on: TestDevices.device(spec),
                                    inputs: [.floats([], [2, 3, 0]), .floats([], [2, 0, 4])], outputs: [Output(shape: [2, 3, 4], offset: 1)])
        Harness.expectClose(empty[0], .float([Output.sentinel] + [Float](repeating: 0, count: 24) + [Output.sentinel, Output.sentinel]),
                            .exact, "k = 0 on \(spec)")
        // A batch extent of 1 broadcasts like a batch stride of 0.
        let a = Operand.floats(random.floats(3 * 4 * 6), [3, 4, 6])
        let b = Operand.floats(random.floats(6 * 2), [1, 6, 2])
        try Harness.compare(.matmul(transposeA: false, transposeB: false), on: spec, inputs: [a, b],
                            outputs: [Output(shape: [3, 4, 2])], tolerance: .accumulation, "batch-1 broadcast")
    }
}
