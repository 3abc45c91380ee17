import SynapseBackend

/// Fused, in-place optimizer updates that follow `torch.optim.SGD`, `Adam` and `AdamW` operation by
/// operation (scalars such as bias corrections are formed in `Double`, as Python does, then applied
/// in `Float`).
extension CPUDevice {
    /// Runs `.sgdStep`: one in-place `torch.optim.SGD` update of `param` (and the momentum buffer).
    package func sgdStep(_ p: SGDParameters, grad gradView: BufferView, param paramView: BufferView,
                         momentumBuffer: BufferView?) throws {
        let usesBuffer = momentumBuffer != nil
        let param = try floats(paramView), grad = try floats(gradView)
        let buffer = try momentumBuffer.map(floats) ?? param
        let (lr, momentum, decay) = (p.learningRate, p.momentum, p.weightDecay)
        let keep = 1 - p.dampening, first = p.firstStep, nesterov = p.nesterov
        ParallelFor.run(paramView.count, costPerItem: 4) { range in
            if usesBuffer && !first && !nesterov && decay == 0 {
                // The common case as a branch-free loop (same operations, same order) so it vectorises.
                for i in range {
                    let b = buffer[i] * momentum + keep * grad[i]
                    buffer[i] = b
                    param[i] = param[i] + -lr * b
                }
                return
            }
            for i in range {
                var d = grad[i]
                if decay != 0 { d = d + decay * param[i] }
                if usesBuffer {
                    // The first step starts the buffer at the gradient (torch clones d_p).
                    let b = first ? d : buffer[i] * momentum + keep * d
                    buffer[i] = b
                    d = nesterov ? d + momentum * b : b
                }
                param[i] = param[i] + -lr * d
            }
        }
    }

    /// Runs `.adamStep`: one in-place `torch.optim.Adam`/`AdamW` update of `param` and both moments.
    package func adamStep(_ p: AdamParameters, grad gradView: BufferView, param paramView: BufferView,
                          firstMoment: BufferView, secondMoment: BufferView) throws {
        let param = try floats(paramView), grad = try floats(gradView)
        let m = try floats(firstMoment), v = try floats(secondMoment)
        let (beta1, beta2, epsilon, decay) = (p.beta1, p.beta2, p.epsilon, p.weightDecay)
        let lr = Double(p.learningRate)
        let bias1 = 1 - pow(Double(beta1), Double(p.step)), bias2 = 1 - pow(Double(beta2), Double(p.step))
        let stepSize = Float(lr / bias1), bias2Root = Float(bias2.squareRoot())
        let shrink = Float(1 - lr * Double(decay))
        let decoupled = p.decoupledWeightDecay
        let weight = 1 - beta1, oneMinusBeta2 = 1 - beta2
        ParallelFor.run(paramView.count, costPerItem: 12) { range in
            for i in range {
                var g = grad[i], w = param[i]
                if decay != 0 {
                    if decoupled { w = w * shrink } else { g = g + decay * w }
                }
                // exp_avg.lerp_(grad, 1 - beta1), with ATen's two-sided lerp formula.
                let mi = m[i]
                let mNew = Swift.abs(weight) < 0.5 ? mi + weight * (g - mi) : g - (g - mi) * (1 - weight)
                let vNew = v[i] * beta2 + oneMinusBeta2 * g * g
                m[i] = mNew
                v[i] = vNew
                let denominator = vNew.squareRoot() / bias2Root + epsilon
                param[i] = w + -stepSize * mNew / denominator
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
