import Foundation
import SynapseBackend

/// Local response normalisation across channels (PyTorch's `LocalResponseNorm`) and its gradient.
///
/// With the window `W(c) = [c - size/2, c + (size-1)/2]` clipped to the channels,
/// `scale_c = k + alpha/size * Σ_{c' ∈ W(c)} x_{c'}²` and `y_c = x_c * scale_c^-beta`, so
/// `∂L/∂x_j = gy_j * scale_j^-beta - (2 alpha beta / size) * x_j * Σ_{c : j ∈ W(c)} gy_c y_c / scale_c`,
/// where `j ∈ W(c)` exactly when `c ∈ [j - (size-1)/2, j + size/2]`. Threads take disjoint planes.
extension CPUDevice {
    private func checkedLRN(_ name: String, _ p: LRNParameters, _ inputs: [BufferView], _ inputCount: Int,
                            _ outputs: [BufferView], _ outputCount: Int) throws -> (n: Int, c: Int, plane: Int) {
        try expectArity(name, inputs, inputCount, outputs, outputCount)
        guard p.size >= 1 else { throw failure(name, "window size must be at least 1, got \(p.size)") }
        let x = inputs[0]
        guard x.rank == 4 else { throw failure(name, "input must have shape [N, C, H, W], has \(x.shape)") }
        return (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    }

    /// Runs `.localResponseNorm`: `y = x * scale^-beta`, saving `scale` for the backward pass.
    func localResponseNorm(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "localResponseNorm"
        let (batch, channels, plane) = try checkedLRN(name, p, inputs, 1, outputs, 2)
        let shape = inputs[0].shape
        let x = try contiguousFloats(name, "input", inputs[0], shape)
        let y = try contiguousFloats(name, "output", outputs[0], shape)
        let scale = try contiguousFloats(name, "scale", outputs[1], shape)
        let alphaOverSize = p.alpha / Float(p.size), negBeta = -p.beta
        ParallelFor.run(batch * channels, costPerItem: plane * (p.size + 30)) { planes in
            for index in planes {
                let (n, c) = index.quotientAndRemainder(dividingBy: channels)
                let lo = max(0, c - p.size / 2), hi = min(channels - 1, c + (p.size - 1) / 2)
                let s = scale + index * plane
                s.update(repeating: 0, count: plane)
                for other in lo...hi {
                    let source = x + (n * channels + other) * plane
                    for j in 0..<plane { s[j] += source[j] * source[j] }
                }
                let source = x + index * plane, out = y + index * plane
                for j in 0..<plane {
                    s[j] = p.k + alphaOverSize * s[j]
                    out[j] = source[j] * Foundation.pow(s[j], negBeta)
                }
            }
        }
    }

    /// Runs `.localResponseNormBackward`: the gradient above, from `x`, `y`, `scale` and `gradY`.
    func localResponseNormBackward(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "localResponseNormBackward"
        let (batch, channels, plane) = try checkedLRN(name, p, inputs, 4, outputs, 1)
        let shape = inputs[0].shape
        let x = try contiguousFloats(name, "input", inputs[0], shape)
        let y = try contiguousFloats(name, "output", inputs[1], shape)
        let scale = try contiguousFloats(name, "scale", inputs[2], shape)
        let gy = try contiguousFloats(name, "gradOutput", inputs[3], shape)
        let gx = try contiguousFloats(name, "gradInput", outputs[0], shape)
        let coefficient = 2 * p.alpha * p.beta / Float(p.size), negBeta = -p.beta
        ParallelFor.run(batch * channels, costPerItem: plane * (3 * p.size + 30)) { planes in
            for index in planes {
                let (n, j) = index.quotientAndRemainder(dividingBy: channels)
                let lo = max(0, j - (p.size - 1) / 2), hi = min(channels - 1, j + p.size / 2)
                let out = gx + index * plane
                out.update(repeating: 0, count: plane)
                // Σ over the channels whose window holds j of gy_c * y_c / scale_c.
                for c in lo...hi {
                    let at = (n * channels + c) * plane
                    let g = gy + at, o = y + at, s = scale + at
                    for q in 0..<plane { out[q] += g[q] * o[q] / s[q] }
                }
                let source = x + index * plane, g = gy + index * plane, s = scale + index * plane
                for q in 0..<plane {
                    out[q] = g[q] * Foundation.pow(s[q], negBeta) - coefficient * source[q] * out[q]
                }
            }
        }
    }
}
