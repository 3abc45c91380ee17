import COpenCL
import SynapseBackend

extension OpenCLDevice {
    /// `[N, C, H·W]` of a checked rank-4 NCHW view.
    private func nchw(_ view: BufferView) -> (n: Int, c: Int, hw: Int) {
        (view.shape[0], view.shape[1], view.shape[2] * view.shape[3])
    }

    package func localResponseNorm(_ p: LRNParameters, x: BufferView, y: BufferView) throws {
        let op = "localResponseNorm"
        let (n, c, hw) = nchw(x)
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        try launch("lrn_f32", global: x.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset),
                    .i(n), .i(c), .i(hw), .i(p.size), .float(p.alpha / Float(p.size)), .float(p.beta), .float(p.k)])
    }

    package func localResponseNormBackward(_ p: LRNParameters, x: BufferView, y: BufferView, gradY gy: BufferView,
                                           gradX gx: BufferView) throws {
        let op = "localResponseNormBackward"
        let (n, c, hw) = nchw(x)
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op), gym = try checkedMem(gy, op), gxm = try checkedMem(gx, op)
        try launch("lrn_backward_f32", global: x.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(xm), .i(x.offset), .buffer(ym), .i(y.offset),
                    .buffer(gym), .i(gy.offset), .i(n), .i(c), .i(hw), .i(p.size), .float(p.alpha / Float(p.size)),
                    .float(p.k), .float(2 * p.alpha * p.beta / Float(p.size)), .float(p.beta)])
    }
}
