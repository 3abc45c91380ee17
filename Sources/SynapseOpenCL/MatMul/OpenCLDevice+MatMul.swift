import Foundation
import CSynapseOpenCL
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
    package func matmul(_ shape: MatMulShape, a: BufferView, b: BufferView, c: BufferView) throws {
        let problem = MatMulProblem(shape)
        var (algorithm, needsTuning) = kernelTuning.algorithm(for: problem)
        if let forced = Self.forcedMatMulAlgorithm {
            algorithm = forced
        } else if Self.clblastOnly {
            algorithm = .clblast
        } else if needsTuning, case let .matmul(winner) = try tune(.matmul(problem)).winner {
            algorithm = winner
        }
        try runMatMul(problem, with: algorithm, a: a, b: b, c: c)
    }

    /// Replaces the chosen algorithm for products enqueued inside `$forcedMatMulAlgorithm.withValue`
    /// (tests run every candidate this way).
    @TaskLocal package static var forcedMatMulAlgorithm: MatMulAlgorithm?

    /// Enqueues `problem` with `algorithm` on checked `[batch, rows, cols]` operands.
    package func runMatMul(_ problem: MatMulProblem, with algorithm: MatMulAlgorithm, a: BufferView, b: BufferView,
                           c: BufferView) throws {
        let name = "matmul(transposeA: \(problem.transposeA), transposeB: \(problem.transposeB))"
        let (batch, m, n, k) = (problem.batch, problem.m, problem.n, problem.k)
        let cm = try checkedMem(c, name)
        if k == 0 { return try fillWords(c, bits: 0, name) }
        var opA = matrixOperand(a, try checkedMem(a, name), problem.transposeA)
        var opB = matrixOperand(b, try checkedMem(b, name), problem.transposeB)
        opA.batchStride = batch > 1 && a.shape[0] > 1 ? a.strides[0] : 0
        opB.batchStride = batch > 1 && b.shape[0] > 1 ? b.strides[0] : 0
        let opC = GemmOperand(mem: cm, offset: c.offset, ld: n, transposed: false, batchStride: m * n)

        if case let .own(blocking) = algorithm {
            try ownGemm(problem, blocking, opA, opB, opC)
        } else if batch == 1 {
            try gemm(m: m, n: n, k: k, opA, opB, opC, beta: 0, name)
        } else if !opA.transposed && opA.batchStride == m * opA.ld && opB.batchStride == 0 {
            // One shared right-hand matrix and stacked left-hand rows: a single taller GEMM.
            try gemm(m: batch * m, n: n, k: k, opA, opB, opC, beta: 0, name)
        } else {
            try gemmStridedBatched(m: m, n: n, k: k, opA, opB, opC, beta: 0, batch: batch, name)
        }
    }

    /// A checked `[batch, rows, cols]` operand (unit stride in the last dimension) as CLBlast reads
    /// it: its row stride is the leading dimension, except where that stride is never used.
    func matrixOperand(_ view: BufferView, _ mem: cl_mem, _ transposed: Bool) -> GemmOperand {
        let (rows, cols) = (view.shape[1], view.shape[2])
        let ld = rows <= 1 || cols == 0 ? max(cols, 1) : view.strides[1]
        return GemmOperand(mem: mem, offset: view.offset, ld: ld, transposed: transposed)
    }

    /// Enqueues `C = A·B (+ beta·C)` for row-major operands: one CLBlast SGEMM. When CLBlast's
    /// indirect kernel needs scratch (padded or transposed copies), it comes from the pool and goes
    /// back right after the enqueue, instead of CLBlast creating and freeing buffers on every call.
    func gemm(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand, beta: Float,
              _ op: String) throws {
        if let recording { return recording.refuse("a CLBlast GEMM (\(op), \(m)x\(n)x\(k)): CLBlast enqueues its own commands") }
        let transA = a.transposed ? CLBlastTransposeYes : CLBlastTransposeNo
        let transB = b.transposed ? CLBlastTransposeYes : CLBlastTransposeNo
        var tempBytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
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
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        tally { $0.libraryCalls += 1; $0.enqueueNanoseconds += elapsed }
        try checkCLBlast(status, "CLBlastSgemm m=\(m) n=\(n) k=\(k) for \(op)")
        if let profile = KernelProfile.shared {
            clFinish(queue); profile.add("gemm \(m)x\(n)x\(k) \(a.transposed ? "T" : "N")\(b.transposed ? "T" : "N") \(op)", DispatchTime.now().uptimeNanoseconds - start)
        }
    }

    /// Enqueues `batch` products at fixed element strides: one `CLBlastSgemmStridedBatched`
    /// (a stride of 0 reuses one matrix for every entry).
    func gemmStridedBatched(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand,
                            beta: Float, batch: Int, _ op: String) throws {
        if let recording { return recording.refuse("a CLBlast GEMM (\(op), \(m)x\(n)x\(k)): CLBlast enqueues its own commands") }
        let start = DispatchTime.now().uptimeNanoseconds
        queueLock.lock()
        defer { queueLock.unlock() }
        let status = CLBlastSgemmStridedBatched(
            CLBlastLayoutRowMajor, a.transposed ? CLBlastTransposeYes : CLBlastTransposeNo,
            b.transposed ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, 1,
            a.mem, a.offset, a.ld, a.batchStride, b.mem, b.offset, b.ld, b.batchStride,
            beta, c.mem, c.offset, c.ld, c.batchStride, batch, &queue, nil)
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        tally { $0.libraryCalls += 1; $0.enqueueNanoseconds += elapsed }
        try checkCLBlast(status, "CLBlastSgemmStridedBatched m=\(m) n=\(n) k=\(k) batch=\(batch) for \(op)")
        if let profile = KernelProfile.shared {
            clFinish(queue); profile.add("gemm \(batch)x \(m)x\(n)x\(k) \(a.transposed ? "T" : "N")\(b.transposed ? "T" : "N") \(op)", DispatchTime.now().uptimeNanoseconds - start)
        }
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
