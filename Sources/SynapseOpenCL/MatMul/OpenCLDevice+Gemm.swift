import CSynapseOpenCL
import SynapseBackend

/// Our own SGEMM (`Kernels/gemm.cl`), built per product shape and blocking.
extension OpenCLDevice {
    /// `C = op(A)·op(B)` for `problem.batch` entries at the operands' batch strides.
    func ownGemm(_ problem: MatMulProblem, _ blocking: GemmBlocking, _ a: GemmOperand, _ b: GemmOperand,
                 _ c: GemmOperand) throws {
        let defines = Self.defines(["M": problem.m, "N": problem.n, "K": problem.k, "TRANS_A": a.transposed ? 1 : 0,
                                    "TRANS_B": b.transposed ? 1 : 0, "TM": blocking.rowsPerItem,
                                    "TN": blocking.columnsPerItem, "DELIBERATELY_WRONG": blocking.deliberatelyWrong ? 1 : 0])
        let kernel = try kernels.kernel(named: "gemm_f32", defines: defines)
        let columns = (problem.n + blocking.columnsPerItem - 1) / blocking.columnsPerItem
        let rows = (problem.m + blocking.rowsPerItem - 1) / blocking.rowsPerItem
        let group = min(blocking.groupSize, maxWorkGroupSize)
        try launch(kernel, "gemm_f32", global: [columns, rows, problem.batch], local: [group, 1, 1],
                   [.buffer(c.mem), .i(c.offset), .i(c.ld), .i(c.batchStride),
                    .buffer(a.mem), .i(a.offset), .i(a.ld), .i(a.batchStride),
                    .buffer(b.mem), .i(b.offset), .i(b.ld), .i(b.batchStride), .float(0)])
    }
}
