import CSynapseOpenCL
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

/// Batch normalisation: statistics by one work-group per channel (`batch_norm_stats_f32`, which also
/// updates the running statistics), then one elementwise pass; the backward pass likewise reduces
/// per channel, then applies elementwise. Two launches each way.
extension OpenCLDevice {
    package func batchNorm(_ p: BatchNormParameters, x: BufferView, weight: BufferView, bias: BufferView, y: BufferView,
                           statistics: BatchNormStatistics) throws {
        let op = "batchNorm"
        let (n, c, hw) = nchw(x)
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        let wm = try checkedMem(weight, op), bm = try checkedMem(bias, op)
        let mean: BufferView, spread: BufferView
        switch statistics {
        case let .batch(batchMean, invStd, runningMean, runningVar):
            (mean, spread) = (batchMean, invStd)
            let group = try rowGroupSize(for: n * hw, kernel: "batch_norm_stats_f32")
            try launch("batch_norm_stats_f32", global: c * group, local: group,
                       [.buffer(xm), .i(x.offset), .i(n), .i(c), .i(hw), .float(p.epsilon), .float(p.momentum),
                        .buffer(try checkedMem(batchMean, op)), .i(batchMean.offset),
                        .buffer(try checkedMem(invStd, op)), .i(invStd.offset),
                        .buffer(try checkedMem(runningMean, op)), .i(runningMean.offset),
                        .buffer(try checkedMem(runningVar, op)), .i(runningVar.offset)])
        case let .running(runningMean, runningVar):
            (mean, spread) = (runningMean, runningVar)
        }
        try launch("batch_norm_apply_f32", global: x.count,
                   [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(n), .i(c), .i(hw),
                    .buffer(wm), .i(weight.offset), .buffer(bm), .i(bias.offset),
                    .buffer(try checkedMem(mean, op)), .i(mean.offset), .buffer(try checkedMem(spread, op)), .i(spread.offset),
                    .bool(!p.training), .float(p.epsilon)])
    }

    package func batchNormBackward(_ p: BatchNormParameters, x: BufferView, gradY gy: BufferView, weight: BufferView,
                                   mean: BufferView, invStd: BufferView, gradX gx: BufferView, gradWeight gw: BufferView,
                                   gradBias gb: BufferView) throws {
        let op = "batchNormBackward"
        let (n, c, hw) = nchw(x)
        let xm = try checkedMem(x, op), gym = try checkedMem(gy, op), wm = try checkedMem(weight, op)
        let mm = try checkedMem(mean, op), sm = try checkedMem(invStd, op)
        let gxm = try checkedMem(gx, op), gwm = try checkedMem(gw, op), gbm = try checkedMem(gb, op)
        let group = try rowGroupSize(for: n * hw, kernel: "batch_norm_backward_reduce_f32")
        try launch("batch_norm_backward_reduce_f32", global: c * group, local: group,
                   [.buffer(xm), .i(x.offset), .buffer(gym), .i(gy.offset), .i(n), .i(c), .i(hw),
                    .buffer(mm), .i(mean.offset), .buffer(sm), .i(invStd.offset),
                    .buffer(gwm), .i(gw.offset), .buffer(gbm), .i(gb.offset)])
        try launch("batch_norm_backward_apply_f32", global: x.count,
                   [.buffer(gxm), .i(gx.offset), .buffer(xm), .i(x.offset), .buffer(gym), .i(gy.offset),
                    .i(n), .i(c), .i(hw), .buffer(wm), .i(weight.offset), .buffer(mm), .i(mean.offset),
                    .buffer(sm), .i(invStd.offset), .buffer(gwm), .i(gw.offset), .buffer(gbm), .i(gb.offset),
                    .bool(p.training), .float(Float(n * hw))])
    }

    package func batchNormStatistics(x: BufferView, mean: BufferView, squaredDeviations squares: BufferView) throws {
        let op = "batchNormStatistics"
        let (n, c, hw) = nchw(x)
        let group = try rowGroupSize(for: n * hw, kernel: "batch_norm_moments_f32")
        try launch("batch_norm_moments_f32", global: c * group, local: group,
                   [.buffer(try checkedMem(x, op)), .i(x.offset), .i(n), .i(c), .i(hw),
                    .buffer(try checkedMem(mean, op)), .i(mean.offset), .buffer(try checkedMem(squares, op)), .i(squares.offset)])
    }

    package func batchNormBackwardReduce(x: BufferView, gradY gy: BufferView, mean: BufferView, invStd: BufferView,
                                         sumGradY: BufferView, sumGradYXhat: BufferView) throws {
        let op = "batchNormBackwardReduce"
        let (n, c, hw) = nchw(x)
        let group = try rowGroupSize(for: n * hw, kernel: "batch_norm_backward_reduce_f32")
        try launch("batch_norm_backward_reduce_f32", global: c * group, local: group,
                   [.buffer(try checkedMem(x, op)), .i(x.offset), .buffer(try checkedMem(gy, op)), .i(gy.offset),
                    .i(n), .i(c), .i(hw), .buffer(try checkedMem(mean, op)), .i(mean.offset),
                    .buffer(try checkedMem(invStd, op)), .i(invStd.offset),
                    .buffer(try checkedMem(sumGradYXhat, op)), .i(sumGradYXhat.offset),
                    .buffer(try checkedMem(sumGradY, op)), .i(sumGradY.offset)])
    }

    package func batchNormBackwardInput(count: Int, x: BufferView, gradY gy: BufferView, weight: BufferView,
                                        mean: BufferView, invStd: BufferView, sums: (BufferView, BufferView),
                                        gradX gx: BufferView) throws {
        let op = "batchNormBackwardInput"
        let (n, c, hw) = nchw(x)
        let (sumGradY, sumGradYXhat) = sums
        try launch("batch_norm_backward_apply_f32", global: x.count,
                   [.buffer(try checkedMem(gx, op)), .i(gx.offset), .buffer(try checkedMem(x, op)), .i(x.offset),
                    .buffer(try checkedMem(gy, op)), .i(gy.offset), .i(n), .i(c), .i(hw),
                    .buffer(try checkedMem(weight, op)), .i(weight.offset), .buffer(try checkedMem(mean, op)), .i(mean.offset),
                    .buffer(try checkedMem(invStd, op)), .i(invStd.offset),
                    .buffer(try checkedMem(sumGradYXhat, op)), .i(sumGradYXhat.offset),
                    .buffer(try checkedMem(sumGradY, op)), .i(sumGradY.offset), .bool(true), .float(Float(count))])
    }
}
