import Foundation
import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct Optimizers {
        /// Runs one SGD step on device state `(param, buffer)` in place.
        func sgd(_ p: SGDParameters, _ param: BufferView, _ buffer: BufferView, grad: [Float]) throws {
            try Host.device.execute(.sgdStep(p), inputs: [try Host.upload(grad, param.shape)], outputs: [param, buffer])
        }

        @Test func sgdWithMomentumAndWeightDecay() throws {
            let param = try Host.upload([1, -2], [2]), buffer = try Host.empty([2])
            let grad: [Float] = [0.5, 0.25]
            try sgd(SGDParameters(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, firstStep: true), param, buffer, grad: grad)
            expectClose(try Host.download(buffer), [0.51, 0.23], "buffer starts at the gradient")
            expectClose(try Host.download(param), [0.949, -2.023], "step 1")
            try sgd(SGDParameters(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, firstStep: false), param, buffer, grad: grad)
            expectClose(try Host.download(buffer), [0.96849, 0.43677], "buffer after step 2")
            expectClose(try Host.download(param), [0.852151, -2.066677], "step 2")
        }

        @Test func sgdNesterovAndDampening() throws {
            let param = try Host.upload([1, -2], [2]), buffer = try Host.empty([2])
            let grad: [Float] = [0.5, 0.25]
            try sgd(SGDParameters(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true, firstStep: true), param, buffer, grad: grad)
            expectClose(try Host.download(param), [0.9031, -2.0437], "nesterov step 1")
            // Dampening 0.5 on step 2: buf = 0.9 buf + 0.5 d.
            let p2 = try Host.upload([1], [1]), b2 = try Host.upload([2], [1])
            try sgd(SGDParameters(learningRate: 0.5, momentum: 0.9, dampening: 0.5, firstStep: false), p2, b2, grad: [1])
            expectClose(try Host.download(b2), [2.3], "dampened buffer")
            expectClose(try Host.download(p2), [-0.15], "dampened step")
            // Plain SGD needs no buffer.
            let plain = try Host.upload([1, 1], [2])
            try Host.device.execute(.sgdStep(SGDParameters(learningRate: 0.5, firstStep: true)),
                                    inputs: [try Host.upload([2, -2], [2])], outputs: [plain])
            #expect(try Host.download(plain) == [0, 2])
        }

        /// torch.optim.Adam / AdamW for one scalar, in Double.
        func adamReference(_ p: AdamParameters, param: Double, m: Double, v: Double, grad: Double) -> (Double, Double, Double) {
            let (lr, b1, b2, wd) = (Double(p.learningRate), Double(p.beta1), Double(p.beta2), Double(p.weightDecay))
            var (param, g) = (param, grad)
            if p.decoupledWeightDecay { param *= 1 - lr * wd } else { g += wd * param }
            let m = b1 * m + (1 - b1) * g, v = b2 * v + (1 - b2) * g * g
            let mHat = m / (1 - pow(b1, Double(p.step))), vHat = v / (1 - pow(b2, Double(p.step)))
            return (param - lr * mHat / (vHat.squareRoot() + Double(p.epsilon)), m, v)
        }

        @Test(arguments: [(0.0, false), (0.1, false), (0.1, true)])
        func adamTwoStepsMatchTorchFormulas(_ decay: (Double, Bool)) throws {
            let param = try Host.upload([1, -0.5], [2]), m = try Host.upload([0, 0], [2]), v = try Host.upload([0, 0], [2])
            var expected: [(Double, Double, Double)] = [(1, 0, 0), (-0.5, 0, 0)]
            for (step, grad) in [[0.1, -0.3], [0.2, 0.05]].enumerated() {
                let p = AdamParameters(learningRate: 0.01, weightDecay: Float(decay.0), decoupledWeightDecay: decay.1, step: step + 1)
                try Host.device.execute(.adamStep(p), inputs: [try Host.upload(grad.map(Float.init), [2])], outputs: [param, m, v])
                expected = expected.indices.map { adamReference(p, param: expected[$0].0, m: expected[$0].1, v: expected[$0].2, grad: grad[$0]) }
                expectClose(try Host.download(param), expected.map(\.0), absolute: 1e-6, relative: 1e-6, "param after step \(step + 1)")
                expectClose(try Host.download(m), expected.map(\.1), absolute: 1e-7, "first moment")
                expectClose(try Host.download(v), expected.map(\.2), absolute: 1e-9, "second moment")
            }
        }

        @Test func adamFirstStepMovesByTheLearningRate() throws {
            // Bias correction makes the first step lr * g / (|g| + eps) ≈ lr * sign(g).
            let param = try Host.upload([1], [1]), m = try Host.upload([0], [1]), v = try Host.upload([0], [1])
            try Host.device.execute(.adamStep(AdamParameters(learningRate: 0.01, step: 1)), inputs: [try Host.upload([0.1], [1])], outputs: [param, m, v])
            expectClose(try Host.download(param), [0.99], absolute: 1e-7, "Adam step 1")
            let w = try Host.upload([1], [1]), mw = try Host.upload([0], [1]), vw = try Host.upload([0], [1])
            let adamW = AdamParameters(learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, step: 1)
            try Host.device.execute(.adamStep(adamW), inputs: [try Host.upload([0.1], [1])], outputs: [w, mw, vw])
            expectClose(try Host.download(w), [0.989], absolute: 1e-7, "AdamW step 1: decay then step")
        }
    }
}
