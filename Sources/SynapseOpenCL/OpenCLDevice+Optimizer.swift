import COpenCL
import Foundation
import SynapseBackend

extension OpenCLDevice {
    func sgdStep(_ p: SGDParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "sgdStep"
        try expect(inputs, 1, "input", op)
        // The momentum buffer may be left out when momentum is 0.
        try expect(outputs, p.momentum == 0 && outputs.count == 1 ? 1 : 2, "outputs", op)
        let (grad, param) = (inputs[0], outputs[0])
        let momentum = outputs.count > 1 ? outputs[1] : param
        let n = param.count
        try expectContiguous(grad, count: n, op, "grad")
        try expectContiguous(param, count: n, op, "param")
        if p.momentum != 0 { try expectContiguous(momentum, count: n, op, "momentumBuffer") }
        let gm = try checkedMem(grad, op, dtype: .float32), pm = try checkedMem(param, op, dtype: .float32)
        // The buffer is not touched when momentum is 0, so any view (even an empty one) will do.
        let bm = p.momentum != 0 ? try checkedMem(momentum, op, dtype: .float32) : pm
        let bo = p.momentum != 0 ? momentum.offset : param.offset
        try launch("sgd_f32", global: n,
                   [.buffer(pm), .i(param.offset), .buffer(bm), .i(bo), .buffer(gm), .i(grad.offset), .i(n),
                    .float(p.learningRate), .float(p.momentum), .float(p.dampening), .float(p.weightDecay),
                    .bool(p.nesterov), .bool(p.firstStep)])
    }

    func adamStep(_ p: AdamParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let op = "adamStep"
        try expect(inputs, 1, "input", op); try expect(outputs, 3, "outputs", op)
        let (grad, param, m, v) = (inputs[0], outputs[0], outputs[1], outputs[2])
        let n = param.count
        for (view, role) in [(grad, "grad"), (param, "param"), (m, "firstMoment"), (v, "secondMoment")] {
            try expectContiguous(view, count: n, op, role)
        }
        guard p.step >= 1 else { throw DeviceError.unsupported("\(op): step must be 1-based, got \(p.step)") }
        let gm = try checkedMem(grad, op, dtype: .float32), pm = try checkedMem(param, op, dtype: .float32)
        let mm = try checkedMem(m, op, dtype: .float32), vm = try checkedMem(v, op, dtype: .float32)
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
