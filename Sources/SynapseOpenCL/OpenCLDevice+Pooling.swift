import CSynapseOpenCL
import SynapseBackend

extension OpenCLDevice {
    /// Planes, sizes, kernel, stride and padding, in the order the pooling kernels take them.
    private func poolArguments(_ g: Pool2dGeometry) -> [KernelArgument] {
        [.i(g.batch * g.channels), .i(g.inHeight), .i(g.inWidth), .i(g.outHeight), .i(g.outWidth),
         .i(g.kernelHeight), .i(g.kernelWidth), .i(g.strideY), .i(g.strideX), .i(g.padY), .i(g.padX)]
    }

    package func maxPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView, argmax: BufferView) throws {
        let op = "maxPool2d"
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op), am = try checkedMem(argmax, op)
        try launch("max_pool2d_f32", global: y.count,
                   [.buffer(ym), .i(y.offset), .buffer(am), .i(argmax.offset), .buffer(xm), .i(x.offset)] + poolArguments(g))
    }

    package func maxPool2dBackward(_ g: Pool2dGeometry, gradY gy: BufferView, argmax: BufferView, gradX gx: BufferView) throws {
        let op = "maxPool2dBackward"
        let gym = try checkedMem(gy, op), am = try checkedMem(argmax, op), gxm = try checkedMem(gx, op)
        try launch("max_pool2d_backward_f32", global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(am), .i(argmax.offset)] + poolArguments(g))
    }

    package func avgPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView) throws {
        let op = "avgPool2d"
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        try launch("avg_pool2d_f32", global: y.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset)] + poolArguments(g) + [.bool(g.countIncludePad)])
    }

    package func avgPool2dBackward(_ g: Pool2dGeometry, gradY gy: BufferView, gradX gx: BufferView) throws {
        let op = "avgPool2dBackward"
        let gym = try checkedMem(gy, op), gxm = try checkedMem(gx, op)
        try launch("avg_pool2d_backward_f32", global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset)] + poolArguments(g) + [.bool(g.countIncludePad)])
    }
}
