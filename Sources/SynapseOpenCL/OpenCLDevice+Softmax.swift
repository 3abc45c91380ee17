import CSynapseOpenCL
import SynapseBackend

/// Row softmax / log-softmax and cross-entropy with its gradient: the kernels of `Kernels/softmax.cl`,
/// one work-group per row.
extension OpenCLDevice {
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

    package func countCorrect(logits: BufferView, labels: BufferView, count: BufferView) throws {
        let name = "countCorrect"
        let xm = try checkedMem(logits, name), lm = try checkedMem(labels, name), cm = try checkedMem(count, name)
        let group = try rowGroupSize(for: logits.shape[0], kernel: "count_correct_f32")
        try launch("count_correct_f32", global: group, local: group,
                   [.buffer(cm), .i(count.offset), .buffer(xm), .i(logits.offset), .buffer(lm), .i(labels.offset),
                    .i(labels.strides[0]), .i(logits.shape[0]), .i(logits.shape[1])])
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
