import COpenCL
import SynapseBackend

extension OpenCLDevice {
    func reduce(_ op: ReduceOp, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "reduce(\(op))"
        try expect(inputs, 1, "input", name); try expect(outputs, 1, "output", name)
        let (x, y) = (inputs[0], outputs[0])
        guard x.rank == 3 else {
            throw DeviceError.unsupported("\(name): input must be viewed as [outer, reduced, inner], got shape \(x.shape)")
        }
        let (outer, reduced, inner) = (x.shape[0], x.shape[1], x.shape[2])
        let outputType: DType = op == .argmax ? .int32 : .float32
        try expectContiguous(y, count: outer * inner, name, "output")
        let xm = try checkedMem(x, name, dtype: .float32), ym = try checkedMem(y, name, dtype: outputType)
        let outputs = outer * inner
        guard outputs > 0 else { return }
        if reduced == 0 {
            // Empty reductions: 0 for a sum, NaN for a mean of nothing; max and argmax have no answer.
            switch op {
            case .sum: return try fillWords(y, bits: Float(0).bitPattern, name)
            case .mean: return try fillWords(y, bits: Float.nan.bitPattern, name)
            case .max, .argmax: throw DeviceError.unsupported("\(name): cannot take \(op) over an empty axis of input \(x.shape)")
            }
        }
        // Long reductions with few outputs get a work-group each; otherwise one work item per output.
        let rows = reduced >= 64 && (inner == 1 || outputs <= 2048)
        let kernelOp: String
        var extra: [KernelArgument] = []
        switch op {
        case .sum: kernelOp = "sum"; extra = [.float(1)]
        case .mean: kernelOp = "sum"; extra = [.float(Float(reduced))]
        case .max: kernelOp = "max"
        case .argmax: kernelOp = "argmax"
        }
        let arguments: [KernelArgument] = [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset),
                                           .i(outer), .i(reduced), .i(inner),
                                           .i(x.strides[0]), .i(x.strides[1]), .i(x.strides[2])] + extra
        if rows {
            let group = rowGroupSize(for: reduced)
            try launch("\(kernelOp)_f32_rows", global: outputs * group, local: group, arguments)
        } else {
            try launch("\(kernelOp)_f32_cols", global: outputs, arguments)
        }
    }

    func softmax(log: Bool, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = log ? "softmax(log: true)" : "softmax"
        try expect(inputs, 1, "input", name); try expect(outputs, 1, "output", name)
        let (x, y) = (inputs[0], outputs[0])
        let (rows, cols, ld) = try rowMajorMatrix(x, name, "input")
        try expectContiguous(y, count: rows * cols, name, "output")
        let xm = try checkedMem(x, name, dtype: .float32), ym = try checkedMem(y, name, dtype: .float32)
        guard rows > 0, cols > 0 else { return }
        let group = rowGroupSize(for: cols)
        try launch(log ? "log_softmax_f32" : "softmax_f32", global: rows * group, local: group,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(ld), .i(rows), .i(cols)])
    }

    func crossEntropy(_ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "crossEntropy"
        try expect(inputs, 2, "inputs", name); try expect(outputs, 1, "output", name)
        let (logits, labels, loss) = (inputs[0], inputs[1], outputs[0])
        let (rows, cols, ld) = try rowMajorMatrix(logits, name, "logits")
        let labelStride = try vector(labels, count: rows, name, "labels")
        try expectContiguous(loss, count: rows, name, "loss")
        let xm = try checkedMem(logits, name, dtype: .float32), lm = try checkedMem(labels, name, dtype: .int32)
        let ym = try checkedMem(loss, name, dtype: .float32)
        guard rows > 0 else { return }
        if cols == 0 { return try fillWords(loss, bits: Float.nan.bitPattern, name) }
        let group = rowGroupSize(for: cols)
        try launch("cross_entropy_f32", global: rows * group, local: group,
                   [.buffer(ym), .i(loss.offset), .buffer(xm), .i(logits.offset), .i(ld),
                    .buffer(lm), .i(labels.offset), .i(labelStride), .i(rows), .i(cols)])
    }

    func crossEntropyBackward(_ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "crossEntropyBackward"
        try expect(inputs, 3, "inputs", name); try expect(outputs, 1, "output", name)
        let (logits, labels, gradLoss, grad) = (inputs[0], inputs[1], inputs[2], outputs[0])
        let (rows, cols, ld) = try rowMajorMatrix(logits, name, "logits")
        let labelStride = try vector(labels, count: rows, name, "labels")
        let gradStride = try vector(gradLoss, count: rows, name, "gradLoss")
        try expectContiguous(grad, count: rows * cols, name, "gradLogits")
        let xm = try checkedMem(logits, name, dtype: .float32), lm = try checkedMem(labels, name, dtype: .int32)
        let gm = try checkedMem(gradLoss, name, dtype: .float32), ym = try checkedMem(grad, name, dtype: .float32)
        guard rows > 0, cols > 0 else { return }
        let group = rowGroupSize(for: cols)
        try launch("cross_entropy_backward_f32", global: rows * group, local: group,
                   [.buffer(ym), .i(grad.offset), .buffer(xm), .i(logits.offset), .i(ld),
                    .buffer(lm), .i(labels.offset), .i(labelStride),
                    .buffer(gm), .i(gradLoss.offset), .i(gradStride), .i(rows), .i(cols)])
    }

    // MARK: Helpers

    /// Rows, columns and row stride of a rank-2 view whose rows are contiguous.
    func rowMajorMatrix(_ view: BufferView, _ op: String, _ role: String) throws -> (rows: Int, cols: Int, ld: Int) {
        guard view.rank == 2 else { throw DeviceError.unsupported("\(op): \(role) must be [rows, cols], got shape \(view.shape)") }
        let (rows, cols) = (view.shape[0], view.shape[1])
        guard cols <= 1 || view.strides[1] == 1 else {
            throw DeviceError.unsupported("\(op): \(role) rows must be contiguous, got strides \(view.strides)")
        }
        return (rows, cols, rows <= 1 ? cols : view.strides[0])
    }

    /// The element stride of a vector of `count` elements (any rank whose shape multiplies to `count`
    /// with at most one dimension larger than 1); 0 broadcasts one value.
    func vector(_ view: BufferView, count: Int, _ op: String, _ role: String) throws -> Int {
        guard view.count == count else {
            throw DeviceError.unsupported("\(op): \(role) has shape \(view.shape), expected \(count) elements")
        }
        let long = zip(view.shape, view.strides).filter { $0.0 != 1 }
        guard long.count <= 1 else {
            throw DeviceError.unsupported("\(op): \(role) must be a vector, got shape \(view.shape)")
        }
        return long.first?.1 ?? 1
    }
}
