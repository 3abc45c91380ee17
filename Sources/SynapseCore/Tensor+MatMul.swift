import SynapseBackend

extension Tensor {
    /// Matrix product: `[M, K] @ [K, N]`, batched `[B, M, K] @ [B, K, N]`, or `[B, M, K] @ [K, N]`
    /// (the right matrix shared by the batch). Transposed views are used without copying.
    public func matmul(_ other: Tensor) -> Tensor { matmul(other, into: nil) }

    /// `matmul(other)` written into `destination` (contiguous, of the product's shape) when given.
    func matmul(_ other: Tensor, into destination: Tensor?) -> Tensor {
        requireFloat("matmul"); other.requireFloat("matmul")
        let device = Tensor.commonDevice("matmul", [self, other])
        ensure((rank == 2 && other.rank == 2) || (rank == 3 && (other.rank == 2 || other.rank == 3)),
               "matmul: unsupported ranks, shapes \(shape) and \(other.shape)")
        let batch = rank == 3 ? shape[0] : 1
        let (m, k) = (shape[rank - 2], shape[rank - 1])
        let (k2, n) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        ensure(k == k2, "matmul: inner dimensions differ, shapes \(shape) and \(other.shape)")
        ensure(other.rank == 2 || other.shape[0] == batch,
               "matmul: batch sizes differ, shapes \(shape) and \(other.shape)")
        let outShape = rank == 3 ? [batch, m, n] : [m, n]
        if let destination {
            ensure(destination.shape == outShape && destination.isContiguous, "matmul: destination of shape \(destination.shape) for a product of shape \(outShape)")
        }
        let result = destination ?? Tensor(empty: outShape, on: device)
        let (a, transposeA, ownerA) = withoutGradient { self.gemmOperand() }
        let (b, transposeB, ownerB) = withoutGradient { other.gemmOperand() }
        let c = result.storage.buffer.map { BufferView(buffer: $0, shape: [batch, m, n], offset: result.offset) }
        ExecutionLatch.run(.matmul(transposeA: transposeA, transposeB: transposeB), on: device,
                   inputs: [a, b], outputs: [c], retaining: [ownerA, ownerB])
        return Tensor.record(result, .matmul, [self, other])
    }

    /// `self.matmul(other)` for 2-D operands, laid out like `like`: when `like` is a transposed
    /// matrix view, computes `(otherᵀ @ selfᵀ)ᵀ`, the transpose of a contiguous product. A gradient
    /// that flows back through a transposed view (Linear's `weight.transposed`) then arrives at the
    /// weight contiguous, instead of as a strided copy of a large matrix every step.
    func matmul(_ other: Tensor, layoutLike like: Tensor) -> Tensor {
        like.isTransposedMatrix ? other.transposed.matmul(transposed).transposed : matmul(other)
    }

    /// Whether this is a 2-D view stored column by column (the transpose of a contiguous matrix).
    var isTransposedMatrix: Bool {
        rank == 2 && shape[0] > 1 && shape[1] > 1 && strides == [1, shape[0]]
    }

    /// This matrix (or batch of matrices) as a rank-3 GEMM operand: row-major, or column-major
    /// passed with a transpose flag, copying only when neither layout fits. Returns the view, the
    /// flag, and the tensor that owns the memory.
    private func gemmOperand() -> (BufferView?, Bool, Tensor) {
        let rows = shape[rank - 2], cols = shape[rank - 1]
        let rowStride = strides[rank - 2], colStride = strides[rank - 1]
        let batchStride = rank == 3 ? (shape[0] == 1 ? 0 : strides[0]) : 0
        let batch = rank == 3 ? shape[0] : 1
        guard let buffer = storage.buffer else { return (nil, false, self) }
        if colStride == 1 || cols == 1, rowStride >= Swift.max(cols, 1) {
            return (BufferView(buffer: buffer, shape: [batch, rows, cols], strides: [batchStride, rowStride, 1],
                               offset: offset), false, self)
        }
        if rowStride == 1 || rows == 1, colStride >= Swift.max(rows, 1) {
            return (BufferView(buffer: buffer, shape: [batch, cols, rows], strides: [batchStride, colStride, 1],
                               offset: offset), true, self)
        }
        return contiguous().gemmOperand()
    }
}
