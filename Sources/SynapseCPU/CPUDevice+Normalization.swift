import Foundation
import SynapseBackend

/// Local response normalisation across channels (PyTorch's `LocalResponseNorm`) and its gradient.
///
/// With the window `W(c) = [c - size/2, c + (size-1)/2]` clipped to the channels,
/// `scale_c = k + alpha/size * Σ_{c' ∈ W(c)} x_{c'}²` and `y_c = x_c * scale_c^-beta`, so
/// `∂L/∂x_j = gy_j * scale_j^-beta - (2 alpha beta / size) * x_j * Σ_{c : j ∈ W(c)} gy_c y_c / scale_c`,
/// where `j ∈ W(c)` exactly when `c ∈ [j - (size-1)/2, j + size/2]`. The scale is not stored; the
/// backward pass recomputes it from `x`.
extension CPUDevice {
    private func checkedLRN(_ name: String, _ p: LRNParameters, _ inputs: [BufferView], _ inputCount: Int,
                            _ outputs: [BufferView], _ outputCount: Int) throws -> (n: Int, c: Int, plane: Int) {
        try expectArity(name, inputs, inputCount, outputs, outputCount)
        guard p.size >= 1 else { throw failure(name, "window size must be at least 1, got \(p.size)") }
        let x = inputs[0]
        guard x.rank == 4 else { throw failure(name, "input must have shape [N, C, H, W], has \(x.shape)") }
        return (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    }

    /// `scale` of channels `0..<channels` of one image into `scale` (`channels` planes), from its input `x`.
    private static func scales(_ x: UnsafePointer<Float>, into scale: UnsafeMutablePointer<Float>, channels: Int,
                               plane: Int, _ p: LRNParameters) {
        let alphaOverSize = p.alpha / Float(p.size)
        for c in 0..<channels {
            let lo = max(0, c - p.size / 2), hi = min(channels - 1, c + (p.size - 1) / 2)
            let s = scale + c * plane
            s.update(repeating: 0, count: plane)
            for other in lo...hi {
                let source = x + other * plane
                for j in 0..<plane { s[j] += source[j] * source[j] }
            }
            for j in 0..<plane { s[j] = p.k + alphaOverSize * s[j] }
        }
    }

    /// Runs `.localResponseNorm`: `y = x * scale^-beta`. Threads take whole images.
    func localResponseNorm(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "localResponseNorm"
        let (batch, channels, plane) = try checkedLRN(name, p, inputs, 1, outputs, 1)
        let shape = inputs[0].shape
        let x = try contiguousFloats(name, "input", inputs[0], shape)
        let y = try contiguousFloats(name, "output", outputs[0], shape)
        let beta = p.beta, image = channels * plane
        ParallelFor.run(batch, costPerItem: image * (p.size + 30)) { images in
            let scale = UnsafeMutablePointer<Float>.allocate(capacity: image)
            defer { scale.deallocate() }
            for n in images {
                let source = x + n * image, out = y + n * image
                CPUDevice.scales(source, into: scale, channels: channels, plane: plane, p)
                // x / scale^beta, the way PyTorch rounds it.
                for j in 0..<image { out[j] = source[j] / Foundation.pow(scale[j], beta) }
            }
        }
    }

    /// Runs `.localResponseNormBackward`: the gradient above, from `x`, `y` and `gradY`, with the
    /// scale recomputed from `x` (so the forward pass need not keep it). Threads take whole images.
    func localResponseNormBackward(_ p: LRNParameters, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "localResponseNormBackward"
        let (batch, channels, plane) = try checkedLRN(name, p, inputs, 3, outputs, 1)
        let shape = inputs[0].shape
        let x = try contiguousFloats(name, "input", inputs[0], shape)
        let y = try contiguousFloats(name, "output", inputs[1], shape)
        let gy = try contiguousFloats(name, "gradOutput", inputs[2], shape)
        let gx = try contiguousFloats(name, "gradInput", outputs[0], shape)
        let coefficient = 2 * p.alpha * p.beta / Float(p.size), negBeta = -p.beta, image = channels * plane
        ParallelFor.run(batch, costPerItem: image * (4 * p.size + 30)) { images in
            let scale = UnsafeMutablePointer<Float>.allocate(capacity: image)
            defer { scale.deallocate() }
            for n in images {
                let first = n * image
                CPUDevice.scales(x + first, into: scale, channels: channels, plane: plane, p)
                for j in 0..<channels {
                    let lo = max(0, j - (p.size - 1) / 2), hi = min(channels - 1, j + p.size / 2)
                    let out = gx + first + j * plane
                    out.update(repeating: 0, count: plane)
                    // Σ over the channels whose window holds j of gy_c * y_c / scale_c.
                    for c in lo...hi {
                        let g = gy + first + c * plane, o = y + first + c * plane, s = scale + c * plane
                        for q in 0..<plane { out[q] += g[q] * o[q] / s[q] }
                    }
                    let source = x + first + j * plane, g = gy + first + j * plane, s = scale + j * plane
                    for q in 0..<plane {
                        out[q] = g[q] * Foundation.pow(s[q], negBeta) - coefficient * source[q] * out[q]
                    }
                }
            }
        }
    }
}
