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
    /// Images, channels and plane size of a checked `[N, C, H, W]` view.
    private static func nchw(_ x: BufferView) -> (n: Int, c: Int, plane: Int) {
        (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
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
    package func localResponseNorm(_ p: LRNParameters, x input: BufferView, y output: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), y = try floats(output)
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
    package func localResponseNormBackward(_ p: LRNParameters, x input: BufferView, y output: BufferView,
                                           gradY: BufferView, gradX: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), y = try floats(output), gy = try floats(gradY), gx = try floats(gradX)
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
