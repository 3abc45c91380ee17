import CVectorMath
import Foundation
import SynapseBackend

/// The epilogue of a GEMM or convolution: bias plus activation in one pass over the output, and its
/// gradient (activation derivative from the output, bias gradient summed alongside).
extension CPUDevice {
    /// Runs `.biasActivation` on `[outer, channels, inner]`: the bias row by row, then the activation
    /// over the whole block, which vectorises.
    package func biasActivation(_ activation: Activation, x input: BufferView, bias: BufferView?, y output: BufferView) throws {
        let (outer, channels, inner) = (input.shape[0], input.shape[1], input.shape[2])
        let x = try floats(input), y = try floats(output), b = try bias.map(floats)
        ParallelFor.run(outer, costPerItem: channels * inner * 8) { rows in
            for n in rows {
                let first = n * channels * inner
                if let b {
                    for c in 0..<channels {
                        let bc = b[c], base = first + c * inner
                        for j in 0..<inner { y[base + j] = x[base + j] + bc }
                    }
                } else if x != y {
                    (y + first).update(from: x + first, count: channels * inner)
                }
                CPUDevice.activate(activation, y + first, channels * inner)
            }
        }
    }

    /// Applies `activation` to `count` floats in place.
    private static func activate(_ activation: Activation, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        switch activation {
        case .identity: return
        // A select, not a branch, so it vectorises; NaN and -0 pass through, as in PyTorch.
        case .relu: for k in 0..<count { let v = y[k]; y[k] = v < 0 ? 0 : v }
        case .tanh:
            if synapse_tanh_f32(y, y, count) == 0 { for k in 0..<count { y[k] = VectorMath.tanh(y[k]) } }
        case .sigmoid:
            if synapse_sigmoid_f32(y, y, count) == 0 { for k in 0..<count { y[k] = VectorMath.sigmoid(y[k]) } }
        }
    }

    /// Runs `.biasActivationBackward`: `gradX = gradY · activation'(y)` in parallel, each row's
    /// per-channel sums taken while it is in cache, then the bias gradient as those sums added in
    /// row order (so it is the same from run to run, and for any core count).
    package func biasActivationBackward(_ activation: Activation, gradY: BufferView, y output: BufferView,
                                        gradX: BufferView, gradBias: BufferView?) throws {
        let (outer, channels, inner) = (gradY.shape[0], gradY.shape[1], gradY.shape[2])
        let gy = try floats(gradY), y = try floats(output), gx = try floats(gradX)
        let gb = try gradBias.map(floats)
        let row = channels * inner
        try withScratch(floats: gb == nil ? 0 : outer * channels) { sums in
            ParallelFor.run(outer, costPerItem: row * 4) { rows in
                for n in rows {
                    let first = n * row
                    switch activation {
                    case .identity: if gx != gy { (gx + first).update(from: gy + first, count: row) }
                    case .relu: for k in first..<first + row { gx[k] = y[k] > 0 ? gy[k] : 0 }
                    case .tanh: for k in first..<first + row { gx[k] = gy[k] * (1 - y[k] * y[k]) }
                    case .sigmoid: for k in first..<first + row { gx[k] = gy[k] * y[k] * (1 - y[k]) }
                    }
                    guard gb != nil else { continue }
                    for c in 0..<channels {
                        let base = first + c * inner
                        var sum: Float = 0
                        for j in 0..<inner { sum += gx[base + j] }
                        sums[n * channels + c] = sum
                    }
                }
            }
            guard let gb else { return }
            gb.update(repeating: 0, count: channels)
            for n in 0..<outer {
                for c in 0..<channels { gb[c] += sums[n * channels + c] }
            }
        }
    }
}
