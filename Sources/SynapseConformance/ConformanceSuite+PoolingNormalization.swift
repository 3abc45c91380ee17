import Foundation
import SynapseBackend

/// Max and average pooling and local response normalisation, forward and backward.
extension ConformanceSuite {
    /// Overlapping, non-overlapping, heavily overlapping, strided past the kernel, padded windows.
    public static let poolingGeometries: [(String, Pool2dGeometry)] = [
        ("3x3 s2 pad 1 (overlapping)", Pool2dGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 9, kernel: (3, 3), stride: (2, 2), padding: (1, 1))),
        ("2x2 s2", Pool2dGeometry(batch: 1, channels: 5, inHeight: 8, inWidth: 6, kernel: (2, 2), stride: (2, 2))),
        ("3x3 s1 (heavy overlap)", Pool2dGeometry(batch: 2, channels: 2, inHeight: 6, inWidth: 7, kernel: (3, 3), stride: (1, 1))),
        ("stride > kernel, asymmetric", Pool2dGeometry(batch: 1, channels: 3, inHeight: 11, inWidth: 10, kernel: (2, 3), stride: (3, 4), padding: (1, 1))),
        ("pad, exclude pad", Pool2dGeometry(batch: 2, channels: 3, inHeight: 5, inWidth: 5, kernel: (3, 2), stride: (2, 1), padding: (1, 1),
                                            countIncludePad: false)),
    ]

    /// `.maxPool2d` on coarse values (ties inside windows must pick the first element in window
    /// order) and `.maxPool2dBackward` scattering onto those winners (overlapping windows share some).
    public static let maxPool: [ConformanceCase] = {
        var random = SeededRandom(40)
        var cases: [ConformanceCase] = []
        for (name, g) in poolingGeometries {
            let x = random.coarse(g.inputShape.reduce(1, *), levels: 3)
            cases.append(ConformanceCase(name, .maxPool2d(g), inputs: [.floats(x, g.inputShape)],
                                         outputs: [ConformanceOutput(shape: g.outputShape, offset: 1),
                                                   ConformanceOutput(shape: g.outputShape, dtype: .int32, offset: 2)],
                                         tolerance: .exact))
            let gy = ConformanceOperand.floats(random.floats(g.outputShape.reduce(1, *)), g.outputShape)
            cases.append(ConformanceCase(name, .maxPool2dBackward(g), inputs: [gy, .ints(maxPoolWinners(x, g), g.outputShape)],
                                         outputs: [ConformanceOutput(shape: g.inputShape, offset: 1)], tolerance: .arithmetic))
        }
        return cases
    }()

    /// The flat in-plane index of each window's first maximum, padding excluded.
    static func maxPoolWinners(_ x: [Float], _ g: Pool2dGeometry) -> [Int32] {
        var winners: [Int32] = []
        for plane in 0..<(g.batch * g.channels) {
            let base = plane * g.inHeight * g.inWidth
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var best = -Float.infinity, index = -1
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let y = oy * g.strideY - g.padY + ky, x0 = ox * g.strideX - g.padX + kx
                            guard (0..<g.inHeight).contains(y), (0..<g.inWidth).contains(x0) else { continue }
                            let value = x[base + y * g.inWidth + x0]
                            if index < 0 || value > best { best = value; index = y * g.inWidth + x0 }
                        }
                    }
                    winners.append(Int32(index))
                }
            }
        }
        return winners
    }

    /// `.avgPool2d` and `.avgPool2dBackward`, counting padding and not.
    public static let avgPool: [ConformanceCase] = {
        var random = SeededRandom(41)
        var cases: [ConformanceCase] = []
        for (name, g) in poolingGeometries {
            for includePad in [true, false] {
                var geometry = g
                geometry.countIncludePad = includePad
                let x = ConformanceOperand.floats(random.floats(g.inputShape.reduce(1, *)), g.inputShape)
                let gy = ConformanceOperand.floats(random.floats(g.outputShape.reduce(1, *)), g.outputShape)
                let label = "\(name) includePad \(includePad)"
                cases.append(ConformanceCase(label, .avgPool2d(geometry), inputs: [x],
                                             outputs: [ConformanceOutput(shape: g.outputShape, offset: 1)], tolerance: .arithmetic))
                cases.append(ConformanceCase(label, .avgPool2dBackward(geometry), inputs: [gy],
                                             outputs: [ConformanceOutput(shape: g.inputShape, offset: 2)], tolerance: .arithmetic))
            }
        }
        return cases
    }()

    /// `.localResponseNorm` and its backward pass with windows narrower and wider than the channels.
    public static let localResponseNorm: [ConformanceCase] = {
        var random = SeededRandom(42)
        let settings: [([Int], LRNParameters)] = [
            ([2, 7, 3, 4], LRNParameters()),
            ([1, 5, 2, 3], LRNParameters(size: 4, alpha: 0.01, beta: 0.5, k: 1)),
            ([3, 3, 1, 5], LRNParameters(size: 1, alpha: 0.1, beta: 0.75, k: 2)),
            ([1, 9, 4, 4], LRNParameters(size: 11, alpha: 0.2, beta: 1.5, k: 0.5)),
        ]
        var cases: [ConformanceCase] = []
        for (shape, p) in settings {
            let count = shape.reduce(1, *)
            let x = random.floats(count, -3...3)
            let label = "\(shape) size \(p.size) alpha \(p.alpha) beta \(p.beta) k \(p.k)"
            cases.append(ConformanceCase(label, .localResponseNorm(p), inputs: [.floats(x, shape)],
                                         outputs: [ConformanceOutput(shape: shape, offset: 1)], tolerance: .transcendental))
            let gy = ConformanceOperand.floats(random.floats(count), shape)
            cases.append(ConformanceCase(label, .localResponseNormBackward(p),
                                         inputs: [.floats(x, shape), .floats(localResponseNormForward(x, shape, p), shape), gy],
                                         outputs: [ConformanceOutput(shape: shape, offset: 3)], tolerance: .transcendental))
        }
        return cases
    }()

    /// `y = x * scale^-beta` with `scale = k + alpha/size * Σ x²` over the channel window, in Double:
    /// the forward result a backward pass receives.
    static func localResponseNormForward(_ x: [Float], _ shape: [Int], _ p: LRNParameters) -> [Float] {
        let (channels, plane) = (shape[1], shape[2] * shape[3])
        var y = [Float](repeating: 0, count: x.count)
        for n in 0..<shape[0] {
            for c in 0..<channels {
                let window = max(0, c - p.size / 2)...min(channels - 1, c + (p.size - 1) / 2)
                for i in 0..<plane {
                    let squares = window.reduce(0.0) { sum, j in
                        let v = Double(x[(n * channels + j) * plane + i]); return sum + v * v
                    }
                    let scale = Double(p.k) + Double(p.alpha) / Double(p.size) * squares
                    let index = (n * channels + c) * plane + i
                    y[index] = Float(Double(x[index]) * Foundation.pow(scale, -Double(p.beta)))
                }
            }
        }
        return y
    }

    /// `.batchNorm` in training (statistics written, running statistics updated in place from
    /// `initial` values) and evaluation, and `.batchNormBackward` in both modes, over channels of one
    /// value pair up to more values than a work-group holds; and the split primitives of a
    /// synchronised batch norm (`.batchNormStatistics`, `.batchNormBackwardReduce`,
    /// `.batchNormBackwardInput`).
    public static let batchNorm: [ConformanceCase] = {
        var random = SeededRandom(43)
        var cases: [ConformanceCase] = []
        for shape in [[2, 3, 1, 1], [4, 5, 3, 2], [3, 2, 11, 13]] {
            let (count, channels) = (shape.reduce(1, *), [shape[1]])
            let x = ConformanceOperand.floats(random.floats(count, -3...3).map { $0 + 2 }, shape)
            let weight = ConformanceOperand.floats(random.floats(shape[1]), channels)
            let bias = ConformanceOperand.floats(random.floats(shape[1]), channels)
            let runningMean = random.floats(shape[1]), runningVar = random.floats(shape[1], 0.5...2)
            let label = "\(shape)"
            let training = BatchNormParameters(epsilon: 1e-5, momentum: 0.1, training: true)
            let evaluation = BatchNormParameters(epsilon: 1e-3, momentum: 0.1, training: false)
            cases.append(ConformanceCase(label + " training", .batchNorm(training), inputs: [x, weight, bias],
                                         outputs: [ConformanceOutput(shape: shape, offset: 1), ConformanceOutput(shape: channels),
                                                   ConformanceOutput(shape: channels, offset: 2),
                                                   ConformanceOutput(shape: channels, initial: runningMean),
                                                   ConformanceOutput(shape: channels, offset: 1, initial: runningVar)],
                                         tolerance: .accumulation))
            cases.append(ConformanceCase(label + " evaluation", .batchNorm(evaluation),
                                         inputs: [x, weight, bias, .floats(runningMean, channels), .floats(runningVar, channels)],
                                         outputs: [ConformanceOutput(shape: shape, offset: 3)], tolerance: .arithmetic))
            let gy = ConformanceOperand.floats(random.floats(count), shape)
            let mean = ConformanceOperand.floats(random.floats(shape[1]), channels)
            let invStd = ConformanceOperand.floats(random.floats(shape[1], 0.5...2), channels)
            for p in [training, evaluation] {
                cases.append(ConformanceCase(label + (p.training ? " training" : " evaluation"), .batchNormBackward(p),
                                             inputs: [x, gy, weight, mean, invStd],
                                             outputs: [ConformanceOutput(shape: shape, offset: 1), ConformanceOutput(shape: channels),
                                                       ConformanceOutput(shape: channels, offset: 2)],
                                             tolerance: .accumulation))
            }
            // The split statistics and backward of a synchronised batch norm; the sums stand for a
            // global batch of twice this one's values per channel.
            cases.append(ConformanceCase(label, .batchNormStatistics, inputs: [x],
                                         outputs: [ConformanceOutput(shape: channels, offset: 1),
                                                   ConformanceOutput(shape: channels, offset: 2)],
                                         tolerance: .accumulation))
            cases.append(ConformanceCase(label, .batchNormBackwardReduce, inputs: [x, gy, mean, invStd],
                                         outputs: [ConformanceOutput(shape: channels, offset: 2), ConformanceOutput(shape: channels)],
                                         tolerance: .accumulation))
            let sumGradY = ConformanceOperand.floats(random.floats(shape[1], -20...20), channels)
            let sumGradYXhat = ConformanceOperand.floats(random.floats(shape[1], -20...20), channels)
            cases.append(ConformanceCase(label, .batchNormBackwardInput(count: 2 * count / shape[1]),
                                         inputs: [x, gy, weight, mean, invStd, sumGradY, sumGradYXhat],
                                         outputs: [ConformanceOutput(shape: shape, offset: 1)], tolerance: .accumulation))
        }
        return cases
    }()
}

