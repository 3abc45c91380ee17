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

/// Batch normalisation (PyTorch's `batch_norm` over NCHW) and its gradient. Threads take whole
/// channels; statistics are summed in `Double`, the mean first and then the squared deviations
/// from it (two passes, so a large mean does not swamp the variance).
extension CPUDevice {
    /// Runs `.batchNorm`: `y = x * scale + shift` per channel with `scale = weight * invStd` and
    /// `shift = bias - mean * scale`, from batch statistics (training) or running ones (evaluation).
    package func batchNorm(_ p: BatchNormParameters, x input: BufferView, weight: BufferView, bias: BufferView,
                           y output: BufferView, statistics: BatchNormStatistics) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), y = try floats(output), w = try floats(weight), b = try floats(bias)
        let count = batch * plane
        switch statistics {
        case let .batch(meanView, invStdView, runningMeanView, runningVarView):
            let mean = try floats(meanView), invStd = try floats(invStdView)
            let runningMean = try floats(runningMeanView), runningVar = try floats(runningVarView)
            let momentum = p.momentum
            ParallelFor.run(channels, costPerItem: 3 * count) { range in
                for c in range {
                    var sum = 0.0
                    CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                        for q in 0..<plane { sum += Double(x[offset + q]) }
                    }
                    let m = sum / Double(count)
                    var squares = 0.0
                    CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                        for q in 0..<plane { let d = Double(x[offset + q]) - m; squares += d * d }
                    }
                    let variance = squares / Double(count)
                    mean[c] = Float(m)
                    invStd[c] = 1 / (Float(variance) + p.epsilon).squareRoot()
                    runningMean[c] = runningMean[c] * (1 - momentum) + Float(m) * momentum
                    runningVar[c] = runningVar[c] * (1 - momentum) + Float(squares / Double(count - 1)) * momentum
                    CPUDevice.normalize(x, y, c, batch, channels, plane, mean: mean[c], invStd: invStd[c], w[c], b[c])
                }
            }
        case let .running(meanView, varianceView):
            let mean = try floats(meanView), variance = try floats(varianceView)
            ParallelFor.run(channels, costPerItem: count) { range in
                for c in range {
                    let invStd = 1 / (variance[c] + p.epsilon).squareRoot()
                    CPUDevice.normalize(x, y, c, batch, channels, plane, mean: mean[c], invStd: invStd, w[c], b[c])
                }
            }
        }
    }

    /// Runs `.batchNormBackward`. With `xhat = (x - mean) * invStd`, `gradBias = Σ gradY` and
    /// `gradWeight = Σ gradY * xhat` over `(N, H, W)`; `gradX = weight * invStd * gradY` in evaluation
    /// and `weight * invStd * (gradY - gradBias / M - xhat * gradWeight / M)` in training (`M` values
    /// per channel), where the batch statistics depend on `x`.
    package func batchNormBackward(_ p: BatchNormParameters, x input: BufferView, gradY: BufferView, weight: BufferView,
                                   mean meanView: BufferView, invStd invStdView: BufferView, gradX: BufferView,
                                   gradWeight: BufferView, gradBias: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), gy = try floats(gradY), w = try floats(weight)
        let mean = try floats(meanView), invStd = try floats(invStdView)
        let gx = try floats(gradX), gw = try floats(gradWeight), gb = try floats(gradBias)
        let count = Float(batch * plane), training = p.training
        ParallelFor.run(channels, costPerItem: 3 * batch * plane) { range in
            for c in range {
                let m = mean[c], s = invStd[c]
                var sumG = 0.0, sumGX = 0.0
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane {
                        let g = Double(gy[offset + q])
                        sumG += g
                        sumGX += g * Double(x[offset + q] - m)
                    }
                }
                let bias = Float(sumG), weightGrad = Float(sumGX) * s
                gb[c] = bias
                gw[c] = weightGrad
                let scale = w[c] * s
                let (meanG, meanGX) = training ? (bias / count, weightGrad / count) : (0, 0)
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane {
                        let xhat = (x[offset + q] - m) * s
                        gx[offset + q] = scale * (gy[offset + q] - meanG - xhat * meanGX)
                    }
                }
            }
        }
    }

    /// Runs `.batchNormStatistics`: each channel's mean and sum of squared deviations from it,
    /// summed in `Double` in two passes as `.batchNorm` does.
    package func batchNormStatistics(x input: BufferView, mean meanView: BufferView,
                                     squaredDeviations squaresView: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), mean = try floats(meanView), squaredDeviations = try floats(squaresView)
        let count = Double(batch * plane)
        ParallelFor.run(channels, costPerItem: 2 * batch * plane) { range in
            for c in range {
                var sum = 0.0
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane { sum += Double(x[offset + q]) }
                }
                let m = sum / count
                var squares = 0.0
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane { let d = Double(x[offset + q]) - m; squares += d * d }
                }
                mean[c] = Float(m)
                squaredDeviations[c] = Float(squares)
            }
        }
    }

    /// Runs `.batchNormBackwardReduce`: `Σ gradY` and `Σ gradY · (x - mean)` (in `Double`, then
    /// times `invStd`) per channel, as `.batchNormBackward` computes `gradBias` and `gradWeight`.
    package func batchNormBackwardReduce(x input: BufferView, gradY: BufferView, mean meanView: BufferView,
                                         invStd invStdView: BufferView, sumGradY: BufferView, sumGradYXhat: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), gy = try floats(gradY), mean = try floats(meanView), invStd = try floats(invStdView)
        let sumG = try floats(sumGradY), sumGX = try floats(sumGradYXhat)
        ParallelFor.run(channels, costPerItem: 2 * batch * plane) { range in
            for c in range {
                let m = mean[c]
                var g = 0.0, gx = 0.0
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane {
                        let value = Double(gy[offset + q])
                        g += value
                        gx += value * Double(x[offset + q] - m)
                    }
                }
                sumG[c] = Float(g)
                sumGX[c] = Float(gx) * invStd[c]
            }
        }
    }

    /// Runs `.batchNormBackwardInput`: the training-mode input gradient of `.batchNormBackward`
    /// from sums given over `count` values per channel (the global batch's).
    package func batchNormBackwardInput(count: Int, x input: BufferView, gradY: BufferView, weight: BufferView,
                                        mean meanView: BufferView, invStd invStdView: BufferView,
                                        sums: (BufferView, BufferView), gradX: BufferView) throws {
        let (batch, channels, plane) = CPUDevice.nchw(input)
        let x = try floats(input), gy = try floats(gradY), w = try floats(weight)
        let mean = try floats(meanView), invStd = try floats(invStdView)
        let sumG = try floats(sums.0), sumGX = try floats(sums.1), gx = try floats(gradX)
        let total = Float(count)
        ParallelFor.run(channels, costPerItem: 2 * batch * plane) { range in
            for c in range {
                let m = mean[c], s = invStd[c], scale = w[c] * s
                let meanG = sumG[c] / total, meanGX = sumGX[c] / total
                CPUDevice.forEachRun(c, batch, channels, plane) { offset in
                    for q in 0..<plane {
                        let xhat = (x[offset + q] - m) * s
                        gx[offset + q] = scale * (gy[offset + q] - meanG - xhat * meanGX)
                    }
                }
            }
        }
    }

    /// Calls `body` with the offset of channel `c`'s plane in each image.
    @inline(__always)
    private static func forEachRun(_ c: Int, _ batch: Int, _ channels: Int, _ plane: Int, _ body: (Int) -> Void) {
        for n in 0..<batch { body((n * channels + c) * plane) }
    }

    /// `y = x * scale + shift` over channel `c`, the folded form of `(x - mean) * invStd * weight + bias`.
    @inline(__always)
    private static func normalize(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ c: Int, _ batch: Int,
                                  _ channels: Int, _ plane: Int, mean: Float, invStd: Float, _ weight: Float, _ bias: Float) {
        let scale = weight * invStd, shift = bias - mean * scale
        forEachRun(c, batch, channels, plane) { offset in
            for q in 0..<plane { y[offset + q] = x[offset + q] * scale + shift }
        }
    }
}
