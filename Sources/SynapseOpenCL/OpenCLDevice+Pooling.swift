import CSynapseOpenCL
import SynapseBackend

/// Pooling (`Kernels/pool.cl`), each geometry its own build so the index arithmetic folds.

extension OpenCLDevice {
    /// The geometry as `pool.cl`'s build-time constants.
    private func poolDefines(_ g: Pool2dGeometry) -> String {
        Self.defines(["H": g.inHeight, "W": g.inWidth, "OH": g.outHeight, "OW": g.outWidth, "KH": g.kernelHeight,
                      "KW": g.kernelWidth, "SY": g.strideY, "SX": g.strideX, "PY": g.padY, "PX": g.padX,
                      "INCLUDE_PAD": g.countIncludePad ? 1 : 0])
    }

    package func maxPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView, argmax: BufferView) throws {
        let op = "maxPool2d"
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op), am = try checkedMem(argmax, op)
        try launch("max_pool2d_f32", defines: poolDefines(g), global: y.count,
                   [.buffer(ym), .i(y.offset), .buffer(am), .i(argmax.offset), .buffer(xm), .i(x.offset)] + [.i(g.batch * g.channels)])
    }

    package func maxPool2dBackward(_ g: Pool2dGeometry, gradY gy: BufferView, argmax: BufferView, gradX gx: BufferView) throws {
        let op = "maxPool2dBackward"
        let gym = try checkedMem(gy, op), am = try checkedMem(argmax, op), gxm = try checkedMem(gx, op)
        try launch("max_pool2d_backward_f32", defines: poolDefines(g), global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(am), .i(argmax.offset)] + [.i(g.batch * g.channels)])
    }

    package func avgPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView) throws {
        let op = "avgPool2d"
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        try launch("avg_pool2d_f32", defines: poolDefines(g), global: y.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset)] + [.i(g.batch * g.channels)])
    }

    package func avgPool2dBackward(_ g: Pool2dGeometry, gradY gy: BufferView, gradX gx: BufferView) throws {
        let op = "avgPool2dBackward"
        let gym = try checkedMem(gy, op), gxm = try checkedMem(gx, op)
        try launch("avg_pool2d_backward_f32", defines: poolDefines(g), global: gx.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset)] + [.i(g.batch * g.channels)])
    }
}
