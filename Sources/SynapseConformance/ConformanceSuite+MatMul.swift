import SynapseBackend

/// Batched matrix products with every transpose combination, offsets, padded leading dimensions,
/// shared (stride-0) operands and a product large enough for CLBlast's indirect kernel.
extension ConformanceSuite {
    /// A `[batch, rows, cols]` operand (`rows × cols` as stored), optionally a sub-matrix of a wider
    /// buffer (leading dimension `cols + padding`) or one matrix shared over the batch.
    static func matrix(_ random: inout SeededRandom, batch: Int, rows: Int, cols: Int,
                       padding: Int = 0, shared: Bool = false, offset: Int = 0) -> ConformanceOperand {
        let ld = cols + padding
        let data = random.floats(offset + (shared ? 1 : batch) * rows * ld)
        return .view(data, [batch, rows, cols], strides: [shared ? 0 : rows * ld, ld, 1], offset: offset)
    }

    /// `.matmul` over transposes, layouts and shapes.
    public static let matmul: [ConformanceCase] = {
        var cases: [ConformanceCase] = []
        var random = SeededRandom(20)
        let (m, n, k) = (7, 5, 11)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let (aRows, aCols) = transposeA ? (k, m) : (m, k)
                let (bRows, bCols) = transposeB ? (n, k) : (k, n)
                let layouts: [(String, Int, ConformanceOperand, ConformanceOperand)] = [
                    ("batch 1", 1, matrix(&random, batch: 1, rows: aRows, cols: aCols),
                     matrix(&random, batch: 1, rows: bRows, cols: bCols)),
                    ("batch 3", 3, matrix(&random, batch: 3, rows: aRows, cols: aCols, offset: 5),
                     matrix(&random, batch: 3, rows: bRows, cols: bCols)),
                    ("shared b, padded a", 4, matrix(&random, batch: 4, rows: aRows, cols: aCols, padding: 3),
                     matrix(&random, batch: 4, rows: bRows, cols: bCols, shared: true)),
                    ("shared a", 2, matrix(&random, batch: 2, rows: aRows, cols: aCols, shared: true),
                     matrix(&random, batch: 2, rows: bRows, cols: bCols, padding: 2, offset: 1)),
                ]
                for (label, batch, a, b) in layouts {
                    cases.append(ConformanceCase("transposeA \(transposeA) transposeB \(transposeB) \(label)",
                                                 .matmul(transposeA: transposeA, transposeB: transposeB), inputs: [a, b],
                                                 outputs: [ConformanceOutput(shape: [batch, m, n], offset: 3)],
                                                 tolerance: .accumulation))
                }
            }
        }
        random = SeededRandom(21)
        // A contiguous batch with one shared right-hand side (folded into one taller GEMM), a
        // larger product, and vectors.
        for (batch, m, n, k) in [(5, 9, 1, 13), (1, 67, 45, 129), (2, 1, 8, 1), (3, 1, 1, 1)] {
            let a = matrix(&random, batch: batch, rows: m, cols: k)
            let b = matrix(&random, batch: batch, rows: k, cols: n, shared: true)
            cases.append(ConformanceCase("\(batch)x\(m)x\(n)x\(k)", .matmul(transposeA: false, transposeB: false), inputs: [a, b],
                                         outputs: [ConformanceOutput(shape: [batch, m, n])], tolerance: .accumulation))
        }
        // Large enough for CLBlast's indirect kernel on GPUs (which pads and transposes into a
        // pooled scratch buffer).
        for (transposeA, transposeB) in [(false, false), (true, true)] {
            let (m, n, k) = (301, 320, 290)
            let a = transposeA ? matrix(&random, batch: 1, rows: k, cols: m) : matrix(&random, batch: 1, rows: m, cols: k)
            let b = transposeB ? matrix(&random, batch: 1, rows: n, cols: k) : matrix(&random, batch: 1, rows: k, cols: n)
            cases.append(ConformanceCase("indirect GEMM transposeA \(transposeA) transposeB \(transposeB)",
                                         .matmul(transposeA: transposeA, transposeB: transposeB), inputs: [a, b],
                                         outputs: [ConformanceOutput(shape: [1, m, n], offset: 1)], tolerance: .accumulation))
        }
        // A batch extent of 1 broadcasts like a batch stride of 0.
        let a = ConformanceOperand.floats(random.floats(3 * 4 * 6), [3, 4, 6])
        let b = ConformanceOperand.floats(random.floats(6 * 2), [1, 6, 2])
        cases.append(ConformanceCase("batch-1 broadcast", .matmul(transposeA: false, transposeB: false), inputs: [a, b],
                                     outputs: [ConformanceOutput(shape: [3, 4, 2])], tolerance: .accumulation))
        return cases
    }()
}
