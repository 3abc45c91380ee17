import CSynapseOpenCL
import Foundation
import SynapseBackend

extension OpenCLDevice {
    package func sgdStep(_ p: SGDParameters, grad: BufferView, param: BufferView, momentumBuffer: BufferView?) throws {
        let op = "sgdStep"
        let n = param.count
        let gm = try checkedMem(grad, op), pm = try checkedMem(param, op)
        // The buffer is not touched when momentum is 0, so the parameter stands in for it.
        let bm = try momentumBuffer.map { try checkedMem($0, op) } ?? pm
        let bo = momentumBuffer?.offset ?? param.offset
        try launch("sgd_f32", global: n,
                   [.buffer(pm), .i(param.offset), .buffer(bm), .i(bo), .buffer(gm), .i(grad.offset), .i(n),
                    .float(p.learningRate), .float(p.momentum), .float(p.dampening), .float(p.weightDecay),
                    .bool(p.nesterov), .bool(p.firstStep)])
    }

    package func adamStep(_ p: AdamParameters, grad: BufferView, param: BufferView, firstMoment m: BufferView,
                          secondMoment v: BufferView) throws {
        let op = "adamStep"
        let n = param.count
        let gm = try checkedMem(grad, op), pm = try checkedMem(param, op)
        let mm = try checkedMem(m, op), vm = try checkedMem(v, op)
        let (stepSize, bc2Sqrt, shrink) = OpenCLDevice.adamScalars(p)
        try launch("adam_f32", global: n,
                   [.buffer(pm), .i(param.offset), .buffer(mm), .i(m.offset), .buffer(vm), .i(v.offset),
                    .buffer(gm), .i(grad.offset), .i(n), .float(p.learningRate), .float(p.beta1), .float(p.beta2),
                    .float(p.epsilon), .float(p.weightDecay), .bool(p.decoupledWeightDecay),
                    .float(stepSize), .float(bc2Sqrt), .float(shrink)])
    }

    /// PyTorch's `lr / (1 - beta1^t)`, `sqrt(1 - beta2^t)` and AdamW's `1 - lr * wd`, formed in
    /// Double on the host as Python does.
    static func adamScalars(_ p: AdamParameters) -> (stepSize: Float, bc2Sqrt: Float, shrink: Float) {
        let t = Double(p.step), lr = Double(p.learningRate)
        let bc1 = 1 - pow(Double(p.beta1), t)
        let bc2 = 1 - pow(Double(p.beta2), t)
        return (Float(lr / bc1), Float(bc2.squareRoot()), Float(1 - lr * Double(p.weightDecay)))
    }
}
