import SynapseBackend

/// Batched matrix products through `cblas_sgemm`, honouring each operand's leading dimension and
/// a batch stride of 0 (one matrix reused for every batch item).
extension CPUDevice {
    /// Runs `.matmul`: `c[i] = op(a[i]) @ op(b[i])` per batch item through `cblas_sgemm`, honouring
    /// each operand's row stride (BLAS's leading dimension) and a batch extent of 1 or stride of 0.
    package func matmul(_ shape: MatMulShape, a: BufferView, b: BufferView, c: BufferView) throws {
        let (batch, m, n, k) = (shape.batch, shape.m, shape.n, shape.k)
        let (transposeA, transposeB) = (shape.transposeA, shape.transposeB)
        let ap0 = try floats(a), bp0 = try floats(b), cp = try floats(c)
        let (lda, ldb) = (CPUDevice.leading(a), CPUDevice.leading(b))
        let (strideA, strideB) = (a.shape[0] == 1 ? 0 : a.strides[0], b.shape[0] == 1 ? 0 : b.strides[0])
        for limit in [m, n, k, lda, ldb] where limit > Int(Int32.max) {
            throw failure("matmul", "dimension \(limit) exceeds BLAS's 32-bit indices")
        }

        func item(_ i: Int, chunks: Int) {
            let ap = ap0 + i * strideA, bp = bp0 + i * strideB, out = cp + i * m * n
            GEMM.parallel(chunks: chunks, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                          a: ap, lda: lda, b: bp, ldb: ldb, beta: 0, c: out, ldc: n)
        }
        let work = m * n * max(k, 1)
        // Below about 64³ multiply-adds a product takes microseconds: not worth waking other threads.
        let chunks = batch * work >= GEMM.minimumParallelWork ? ParallelFor.cores : 1
        if batch >= chunks {
            // Enough independent products: one thread per group of batch items.
            ParallelFor.split(batch, chunks: chunks) { range in
                for i in range { item(i, chunks: 1) }
            }
        } else {
            for i in 0..<batch { item(i, chunks: chunks) }
        }
    }

    /// BLAS's leading dimension of a checked `[batch, rows, cols]` operand: its row stride, or any
    /// legal value where the row stride is never used (one row, or no columns).
    private static func leading(_ view: BufferView) -> Int {
        let (rows, cols) = (view.shape[1], view.shape[2])
        return rows <= 1 || cols == 0 ? max(cols, 1) : view.strides[1]
    }
}
