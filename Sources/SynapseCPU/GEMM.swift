import CSynapseBLAS

/// Row-major single-precision GEMM on top of `cblas_sgemm`: `C = op(A) op(B) + beta * C`, with
/// `op(A)` of shape `m×k`, `op(B)` `k×n`, `C` `m×n` and leading dimensions in elements.
///
/// OpenBLAS runs single-threaded (see `CPUDevice.init`); `parallel` splits one product across the
/// cores by rows or columns of `C`, which leaves every element's summation order unchanged, so the
/// result does not depend on the core count.
enum GEMM {
    /// Multiply-adds below which a product stays on one thread (OpenBLAS's own threshold).
    static let minimumParallelWork = 1 << 18

    /// One product on the calling thread. `k == 0` gives `beta * C`.
    @inline(__always)
    static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0 && n > 0 else { return }
        if k == 0 {
            for row in 0..<m where beta != 1 {
                let line = c + row * ldc
                if beta == 0 { line.update(repeating: 0, count: n) } else { for j in 0..<n { line[j] *= beta } }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// One product split across `chunks` threads along the longer of `m` and `n` (in slabs of
    /// whole multiples of 16 so every thread keeps full-width vector kernels).
    static func parallel(chunks: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        let blocks = (extent + 15) / 16
        let parts = max(1, min(chunks, blocks))
        if parts == 1 {
            multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        ParallelFor.split(blocks, chunks: parts) { range in
            let start = range.lowerBound * 16, end = min(extent, range.upperBound * 16)
            if splitColumns {
                // Columns start..<end of op(B) and C.
                multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: end - start, k: k,
                         a: a, lda: lda, b: transposeB ? b + start * ldb : b + start, ldb: ldb,
                         beta: beta, c: c + start, ldc: ldc)
            } else {
                // Rows start..<end of op(A) and C.
                multiply(transposeA: transposeA, transposeB: transposeB, m: end - start, n: n, k: k,
                         a: transposeA ? a + start : a + start * lda, lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c + start * ldc, ldc: ldc)
            }
        }
    }
}
