import CSynapseOpenCL
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
}
