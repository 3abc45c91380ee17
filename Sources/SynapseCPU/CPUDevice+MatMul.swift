import SynapseBackend

/// Batched matrix products through `cblas_sgemm`, honouring each operand's leading dimension and
/// a batch stride of 0 (one matrix reused for every batch item).
extension CPUDevice {
    /// Row-major layout of one `[batch, rows, cols]` operand as BLAS needs it.
    private struct Operand {
        var pointer: UnsafeMutablePointer<Float>
        var rows: Int, cols: Int, leading: Int, batchStride: Int
    }

    private func operand(_ name: String, _ role: String, _ view: BufferView, batch: Int) throws -> Operand {
        guard view.rank == 3 else { throw failure(name, "\(role) must have rank 3 [batch, rows, cols], has shape \(view.shape)") }
        let (rows, cols) = (view.shape[1], view.shape[2])
        guard view.shape[0] == batch || view.shape[0] == 1 else {
            throw failure(name, "\(role) has batch \(view.shape[0]) but the output has \(batch)")
        }
        guard cols <= 1 || view.strides[2] == 1 else {
            throw failure(name, "\(role) (shape \(view.shape), strides \(view.strides)) needs unit stride in its last dimension")
        }
        // With one row, or none, or no columns, the row stride is never used: give BLAS a legal one.
        let leading = rows <= 1 || cols == 0 ? max(cols, 1) : view.strides[1]
        guard leading >= max(cols, 1) else {
            throw failure(name, "\(role) (shape \(view.shape), strides \(view.strides)) has leading dimension \(leading) < \(cols) columns")
        }
        let batchStride = view.shape[0] == 1 ? 0 : view.strides[0]
        guard batchStride >= 0 else { throw failure(name, "\(role) has negative batch stride \(batchStride)") }
        return Operand(pointer: try floats(name, role, view), rows: rows, cols: cols, leading: leading, batchStride: batchStride)
    }

    /// Runs `.matmul`: `c[i] = op(a[i]) @ op(b[i])` per batch item through `cblas_sgemm`.
    func matmul(transposeA: Bool, transposeB: Bool, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "matmul(transposeA: \(transposeA), transposeB: \(transposeB))"
        try expectArity(name, inputs, 2, outputs, 1)
        let c = outputs[0]
        guard c.rank == 3 else { throw failure(name, "output must have rank 3 [batch, rows, cols], has shape \(c.shape)") }
        let (batch, m, n) = (c.shape[0], c.shape[1], c.shape[2])
        let a = try operand(name, "first input", inputs[0], batch: batch)
        let b = try operand(name, "second input", inputs[1], batch: batch)
        let (aRows, k) = transposeA ? (a.cols, a.rows) : (a.rows, a.cols)
        let (bRows, bCols) = transposeB ? (b.cols, b.rows) : (b.rows, b.cols)
        guard aRows == m, bCols == n, bRows == k else {
            throw failure(name, "op(a) is \(aRows)x\(k) and op(b) is \(bRows)x\(bCols) (shapes \(inputs[0].shape) and \(inputs[1].shape)), output is \(m)x\(n)")
        }
        let cp = try contiguousFloats(name, "output", c, c.shape)
        guard batch > 0, m > 0, n > 0 else { return }
        for limit in [m, n, k, a.leading, b.leading] where limit > Int(Int32.max) {
            throw failure(name, "dimension \(limit) exceeds BLAS's 32-bit indices")
        }

        func item(_ i: Int, chunks: Int) {
            let ap = a.pointer + i * a.batchStride, bp = b.pointer + i * b.batchStride, out = cp + i * m * n
            GEMM.parallel(chunks: chunks, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                          a: ap, lda: a.leading, b: bp, ldb: b.leading, beta: 0, c: out, ldc: n)
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
}
