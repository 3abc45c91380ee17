import COpenCL
import SynapseBackend

/// A row-major matrix operand for CLBlast: buffer, element offset, leading dimension, whether it is
/// stored transposed relative to the product's needs, and the element stride between batch entries.
struct GemmOperand {
    var mem: cl_mem
    var offset: Int
    var ld: Int
    var transposed: Bool
    var batchStride: Int = 0
}

extension OpenCLDevice {
    func matmul(transposeA: Bool, transposeB: Bool, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "matmul(transposeA: \(transposeA), transposeB: \(transposeB))"
        try expect(inputs, 2, "inputs", name); try expect(outputs, 1, "output", name)
        var (a, b) = (inputs[0], inputs[1])
        let c = outputs[0]
        guard a.rank == 3, b.rank == 3, c.rank == 3 else {
            throw DeviceError.unsupported("\(name): operands must be rank 3, got \(a.shape), \(b.shape), \(c.shape)")
        }
        let batch = c.shape[0]
        let (m, k) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
        let (kb, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
        // A batch extent of 1 broadcasts that operand over the batch, like a batch stride of 0.
        guard k == kb, c.shape[1] == m, c.shape[2] == n, a.shape[0] == batch || a.shape[0] == 1,
              b.shape[0] == batch || b.shape[0] == 1 else {
            throw DeviceError.unsupported("\(name): shapes \(a.shape) and \(b.shape) do not multiply into \(c.shape)")
        }
        try expectContiguous(c, count: batch * m * n, name, "output")
        let cm = try checkedMem(c, name, dtype: .float32)
        guard batch > 0, m > 0, n > 0 else { return }
        if k == 0 { return try fillWords(c, bits: 0, name) }

        var scratchBuffers: [DeviceBuffer] = []
        defer { scratchBuffers.forEach(release) }
        // Operands whose inner dimensions are neither row- nor column-major are copied first.
        var am = try checkedMem(a, name, dtype: .float32), bm = try checkedMem(b, name, dtype: .float32)
        if matrixOperand(a, am, transposeA) == nil {
            let (copy, buffer) = try contiguous(a, name); a = copy; buffer.map { scratchBuffers.append($0) }
            am = try checkedMem(a, name)
        }
        if matrixOperand(b, bm, transposeB) == nil {
            let (copy, buffer) = try contiguous(b, name); b = copy; buffer.map { scratchBuffers.append($0) }
            bm = try checkedMem(b, name)
        }
        guard var opA = matrixOperand(a, am, transposeA), var opB = matrixOperand(b, bm, transposeB) else {
            throw DeviceError.unsupported("\(name): cannot lay out \(a.shape) and \(b.shape) for GEMM")
        }
        opA.batchStride = batch > 1 && a.shape[0] > 1 ? a.strides[0] : 0
        opB.batchStride = batch > 1 && b.shape[0] > 1 ? b.strides[0] : 0
        let opC = GemmOperand(mem: cm, offset: c.offset, ld: n, transposed: false, batchStride: m * n)

        if batch == 1 {
            try gemm(m: m, n: n, k: k, opA, opB, opC, beta: 0, name)
        } else if !opA.transposed && opA.batchStride == m * opA.ld && opB.batchStride == 0 {
            // One shared right-hand matrix and stacked left-hand rows: a single taller GEMM.
            try gemm(m: batch * m, n: n, k: k, opA, opB, opC, beta: 0, name)
        } else {
            try gemmStridedBatched(m: m, n: n, k: k, opA, opB, opC, beta: 0, batch: batch, name)
        }
    }

    /// How CLBlast can read the inner `[rows, cols]` of a rank-3 view (`transposed` as asked by the
    /// primitive): row-major with unit stride in the last dimension, or column-major (then read as
    /// the transpose of a row-major matrix). Nil when it is neither.
    func matrixOperand(_ view: BufferView, _ mem: cl_mem, _ transposed: Bool) -> GemmOperand? {
        let (rows, cols) = (view.shape[1], view.shape[2])
        let (rowStride, colStride) = (view.strides[1], view.strides[2])
        // CLBlast needs ld >= the stored row length; 1-row or 1-column views may carry any stride.
        if (colStride == 1 || cols == 1) && (rows == 1 || rowStride >= cols) {
            return GemmOperand(mem: mem, offset: view.offset, ld: rows == 1 ? max(cols, 1) : rowStride, transposed: transposed)
        }
        if (rowStride == 1 || rows == 1) && (cols == 1 || colStride >= rows) {
            return GemmOperand(mem: mem, offset: view.offset,
                               ld: cols == 1 ? max(rows, 1) : colStride, transposed: !transposed)
        }
        return nil
    }

    /// Enqueues `C = A·B (+ beta·C)` for row-major operands: one CLBlast SGEMM. When CLBlast's
    /// indirect kernel needs scratch (padded or transposed copies), it comes from the pool and goes
    /// back right after the enqueue, instead of CLBlast creating and freeing buffers on every call.
    func gemm(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand, beta: Float,
              _ op: String) throws {
        let transA = a.transposed ? CLBlastTransposeYes : CLBlastTransposeNo
        let transB = b.transposed ? CLBlastTransposeYes : CLBlastTransposeNo
        var tempBytes = 0
        queueLock.lock()
        let sizeStatus = CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, transA, transB, m, n, k,
                                                    a.offset, a.ld, b.offset, b.ld, c.offset, c.ld, &queue, &tempBytes)
        queueLock.unlock()
        try checkCLBlast(sizeStatus, "CLBlastSGemmTempBufferSize m=\(m) n=\(n) k=\(k) for \(op)")
        let temp = tempBytes > 0 ? try allocate(byteCount: tempBytes) : nil
        defer { temp.map(release) }
        let tempMem = try temp.map { try mem($0, op) }
        queueLock.lock()
        defer { queueLock.unlock() }
        let status = CLBlastSgemmWithTempBuffer(CLBlastLayoutRowMajor, transA, transB, m, n, k, 1,
                                                a.mem, a.offset, a.ld, b.mem, b.offset, b.ld,
                                                beta, c.mem, c.offset, c.ld, &queue, nil, tempMem)
        try checkCLBlast(status, "CLBlastSgemm m=\(m) n=\(n) k=\(k) for \(op)")
    }

    /// Enqueues `batch` products at fixed element strides: one `CLBlastSgemmStridedBatched`
    /// (a stride of 0 reuses one matrix for every entry).
    func gemmStridedBatched(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand,
                            beta: Float, batch: Int, _ op: String) throws {
        queueLock.lock()
        defer { queueLock.unlock() }
        let status = CLBlastSgemmStridedBatched(
            CLBlastLayoutRowMajor, a.transposed ? CLBlastTransposeYes : CLBlastTransposeNo,
            b.transposed ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, 1,
            a.mem, a.offset, a.ld, a.batchStride, b.mem, b.offset, b.ld, b.batchStride,
            beta, c.mem, c.offset, c.ld, c.batchStride, batch, &queue, nil)
        try checkCLBlast(status, "CLBlastSgemmStridedBatched m=\(m) n=\(n) k=\(k) batch=\(batch) for \(op)")
    }

    func checkCLBlast(_ status: CLBlastStatusCode, _ operation: @autoclosure () -> String) throws {
        let code = Int32(status.rawValue)
        guard code != 0 else { return }
        if OpenCLStatus.isOutOfMemory(code) || code == -2050 {
            throw DeviceError.outOfMemory(bytes: 0, device: info.spec, detail: "\(OpenCLStatus.clblastName(code)) in \(operation())")
        }
        throw DeviceError.library(name: "CLBlast " + OpenCLStatus.clblastName(code), status: code, operation: "\(operation()) on \(info.spec)")
    }
}
