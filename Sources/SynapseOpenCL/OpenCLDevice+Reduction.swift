import COpenCL
import SynapseBackend

extension OpenCLDevice {
    package func reduce(_ op: ReduceOp, x: BufferView, y: BufferView) throws {
        let name = "reduce(\(op))"
        let (outer, reduced, inner) = (x.shape[0], x.shape[1], x.shape[2])
        let xm = try checkedMem(x, name), ym = try checkedMem(y, name)
        let outputs = outer * inner
        if reduced == 0 {
            // Empty reductions: 0 for a sum, NaN for a mean of nothing (the dispatch refuses max and argmax).
            return try fillWords(y, bits: (op == .mean ? Float.nan : 0).bitPattern, name)
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
            let kernel = "\(kernelOp)_f32_rows"
            let group = try rowGroupSize(for: reduced, kernel: kernel)
            try launch(kernel, global: outputs * group, local: group, arguments)
        } else {
            try launch("\(kernelOp)_f32_cols", global: outputs, arguments)
        }
    }

    package func softmax(log: Bool, x: BufferView, y: BufferView) throws {
        let name = log ? "softmax(log: true)" : "softmax"
        let (rows, cols, ld) = (x.shape[0], x.shape[1], x.shape[1])
        let xm = try checkedMem(x, name), ym = try checkedMem(y, name)
        let kernel = log ? "log_softmax_f32" : "softmax_f32"
        let group = try rowGroupSize(for: cols, kernel: kernel)
        try launch(kernel, global: rows * group, local: group,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(ld), .i(rows), .i(cols)])
    }

    package func crossEntropy(logits: BufferView, labels: BufferView, loss: BufferView) throws {
        let name = "crossEntropy"
        let (rows, cols, ld) = (logits.shape[0], logits.shape[1], logits.shape[1])
        let labelStride = labels.strides[0]
        let xm = try checkedMem(logits, name), lm = try checkedMem(labels, name), ym = try checkedMem(loss, name)
        if cols == 0 { return try fillWords(loss, bits: Float.nan.bitPattern, name) }
        let group = try rowGroupSize(for: cols, kernel: "cross_entropy_f32")
        try launch("cross_entropy_f32", global: rows * group, local: group,
                   [.buffer(ym), .i(loss.offset), .buffer(xm), .i(logits.offset), .i(ld),
                    .buffer(lm), .i(labels.offset), .i(labelStride), .i(rows), .i(cols)])
    }

    package func crossEntropyBackward(logits: BufferView, labels: BufferView, gradLoss: BufferView,
                                      gradLogits grad: BufferView) throws {
        let name = "crossEntropyBackward"
        let (rows, cols, ld) = (logits.shape[0], logits.shape[1], logits.shape[1])
        let (labelStride, gradStride) = (labels.strides[0], gradLoss.strides[0])
        let xm = try checkedMem(logits, name), lm = try checkedMem(labels, name)
        let gm = try checkedMem(gradLoss, name), ym = try checkedMem(grad, name)
        let group = try rowGroupSize(for: cols, kernel: "cross_entropy_backward_f32")
        try launch("cross_entropy_backward_f32", global: rows * group, local: group,
                   [.buffer(ym), .i(grad.offset), .buffer(xm), .i(logits.offset), .i(ld),
                    .buffer(lm), .i(labels.offset), .i(labelStride),
                    .buffer(gm), .i(gradLoss.offset), .i(gradStride), .i(rows), .i(cols)])
    }
}
