import COpenCL
import SynapseBackend

extension OpenCLDevice {
    /// `[N, C, H·W]` of a rank-4 NCHW view.
    private func nchw(_ view: BufferView, _ op: String) throws -> (n: Int, c: Int, hw: Int) {
        guard view.rank == 4 else { throw DeviceError.unsupported("\(op): input must be [N, C, H, W], got shape \(view.shape)") }
        return (view.shape[0], view.shape[1], view.shape[2] * view.shape[3])
    }

    private func validate(_ p: LRNParameters, _ op: String) throws {
        if p.size < 1 { throw DeviceError.unsupported("\(op): size must be at least 1, got \(p.size)") }
    }

    func localResponseNorm(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "localResponseNorm"
        try expect(inputs, 1, "input", op); try expect(outputs, 1, "output", op)
        try validate(p, op)
        let xs = try contiguous(inputs[0], op)
        defer { xs.scratch.map(release) }
        let (x, y) = (xs.view, outputs[0])
        let (n, c, hw) = try nchw(x, op)
        try expectContiguous(y, count: x.count, op, "output")
        let xm = try checkedMem(x, op, dtype: .float32), ym = try checkedMem(y, op, dtype: .float32)
        try launch("lrn_f32", global: x.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset),
                    .i(n), .i(c), .i(hw), .i(p.size), .float(p.alpha / Float(p.size)), .float(p.beta), .float(p.k)])
    }

    func localResponseNormBackward(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "localResponseNormBackward"
        try expect(inputs, 3, "inputs", op); try expect(outputs, 1, "output", op)
        try validate(p, op)
        let staged = try inputs.map { try contiguous($0, op) }
        defer { staged.compactMap(\.scratch).forEach(release) }
        let (x, y, gy) = (staged[0].view, staged[1].view, staged[2].view)
        let gx = outputs[0]
        let (n, c, hw) = try nchw(x, op)
        for (view, role) in [(y, "output"), (gy, "gradOutput"), (gx, "gradInput")] {
            try expectContiguous(view, count: x.count, op, role)
        }
        let xm = try checkedMem(x, op, dtype: .float32), ym = try checkedMem(y, op, dtype: .float32)
        let gym = try checkedMem(gy, op, dtype: .float32), gxm = try checkedMem(gx, op, dtype: .float32)
        try launch("lrn_backward_f32", global: x.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(xm), .i(x.offset), .buffer(ym), .i(y.offset),
                    .buffer(gym), .i(gy.offset), .i(n), .i(c), .i(hw), .i(p.size), .float(p.alpha / Float(p.size)),
                    .float(p.k), .float(2 * p.alpha * p.beta / Float(p.size)), .float(p.beta)])
    }
}
