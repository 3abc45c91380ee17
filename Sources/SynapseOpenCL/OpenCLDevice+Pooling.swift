import COpenCL
import SynapseBackend

extension OpenCLDevice {
    private func validate(_ g: Pool2dGeometry, _ op: String) throws {
        if let problem = g.validationError(layer: op) { throw DeviceError.unsupported(problem) }
    }

    /// Planes, sizes, kernel, stride and padding, in the order the pooling kernels take them.
    private func poolArguments(_ g: Pool2dGeometry) -> [KernelArgument] {
        [.i(g.batch * g.channels), .i(g.inHeight), .i(g.inWidth), .i(g.outHeight), .i(g.outWidth),
         .i(g.kernelHeight), .i(g.kernelWidth), .i(g.strideY), .i(g.strideX), .i(g.padY), .i(g.padX)]
    }

    func maxPool2d(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "maxPool2d"
        try expect(inputs, 1, "input", op); try expect(outputs, 2, "outputs", op)
        try validate(g, op)
        let xs = try contiguous(inputs[0], op)
        defer { xs.scratch.map(release) }
        let (x, y, argmax) = (xs.view, outputs[0], outputs[1])
        let outCount = g.outputShape.reduce(1, *)
        try expectContiguous(x, count: g.inputShape.reduce(1, *), op, "input")
        try expectContiguous(y, count: outCount, op, "output")
        try expectContiguous(argmax, count: outCount, op, "argmax")
        let xm = try checkedMem(x, op, dtype: .float32), ym = try checkedMem(y, op, dtype: .float32)
        let am = try checkedMem(argmax, op, dtype: .int32)
        try launch("max_pool2d_f32", global: outCount,
                   [.buffer(ym), .i(y.offset), .buffer(am), .i(argmax.offset), .buffer(xm), .i(x.offset)] + poolArguments(g))
    }

    func maxPool2dBackward(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "maxPool2dBackward"
        try expect(inputs, 2, "inputs", op); try expect(outputs, 1, "output", op)
        try validate(g, op)
        let (gys, args) = (try contiguous(inputs[0], op), try contiguous(inputs[1], op))
        defer { [gys.scratch, args.scratch].compactMap { $0 }.forEach(release) }
        let (gy, argmax, gx) = (gys.view, args.view, outputs[0])
        let outCount = g.outputShape.reduce(1, *)
        try expectContiguous(gy, count: outCount, op, "gradOutput")
        try expectContiguous(argmax, count: outCount, op, "argmax")
        try expectContiguous(gx, count: g.inputShape.reduce(1, *), op, "gradInput")
        let gym = try checkedMem(gy, op, dtype: .float32), am = try checkedMem(argmax, op, dtype: .int32)
        let gxm = try checkedMem(gx, op, dtype: .float32)
        try launch("max_pool2d_backward_f32", global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(am), .i(argmax.offset)] + poolArguments(g))
    }

    func avgPool2d(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "avgPool2d"
        try expect(inputs, 1, "input", op); try expect(outputs, 1, "output", op)
        try validate(g, op)
        let xs = try contiguous(inputs[0], op)
        defer { xs.scratch.map(release) }
        let (x, y) = (xs.view, outputs[0])
        try expectContiguous(x, count: g.inputShape.reduce(1, *), op, "input")
        try expectContiguous(y, count: g.outputShape.reduce(1, *), op, "output")
        let xm = try checkedMem(x, op, dtype: .float32), ym = try checkedMem(y, op, dtype: .float32)
        try launch("avg_pool2d_f32", global: y.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset)] + poolArguments(g) + [.bool(g.countIncludePad)])
    }

    func avgPool2dBackward(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "avgPool2dBackward"
        try expect(inputs, 1, "input", op); try expect(outputs, 1, "output", op)
        try validate(g, op)
        let gys = try contiguous(inputs[0], op)
        defer { gys.scratch.map(release) }
        let (gy, gx) = (gys.view, outputs[0])
        try expectContiguous(gy, count: g.outputShape.reduce(1, *), op, "gradOutput")
        try expectContiguous(gx, count: g.inputShape.reduce(1, *), op, "gradInput")
        let gym = try checkedMem(gy, op, dtype: .float32), gxm = try checkedMem(gx, op, dtype: .float32)
        try launch("avg_pool2d_backward_f32", global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset)] + poolArguments(g) + [.bool(g.countIncludePad)])
    }
}
