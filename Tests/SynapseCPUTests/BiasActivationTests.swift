import SynapseTestSupport
import Testing

extension CPU {
    /// The bias-plus-activation epilogue and its gradient against direct loops in `Double`.
    @Suite struct BiasActivation {
        @Test func reluKeepsNaNAndNegativeZeroAndClearsNegatives() throws {
            let x: [Float] = [-2, -0.0, 0, 3, .nan, -.infinity, .infinity, -1e-30]
            let y = try Host.run1(.biasActivation(.relu), [try Host.upload(x, [1, 1, 8])], [1, 1, 8])
            #expect(y[0] == 0 && y[2] == 0 && y[3] == 3 && y[5] == 0 && y[6] == .infinity && y[7] == 0)
            #expect(y[1] == 0 && y[1].sign == .minus, "-0 passes through as in PyTorch")
            #expect(y[4].isNaN)
        }

        /// Many images (so the rows are split across threads) and uneven channels: the bias
        /// gradient is every image's per-channel sum.
        @Test(arguments: [Activation.identity, .relu, .tanh, .sigmoid])
        func backwardMatchesDirectSums(_ activation: Activation) throws {
            let (outer, channels, inner) = (37, 5, 300)
            let count = outer * channels * inner, shape = [outer, channels, inner]
            let gy = Host.randoms(count, seed: 61)
            let y = Host.randoms(count, seed: 62).map { activation == .relu ? Swift.max($0, 0) : $0 }
            let outputs = try Host.run(.biasActivationBackward(activation), [try Host.upload(gy, shape), try Host.upload(y, shape)],
                                       [shape, [channels]])
            let derivative: (Double) -> Double = {
                switch activation {
                case .identity: return { _ in 1 }
                case .relu: return { $0 > 0 ? 1 : 0 }
                case .tanh: return { 1 - $0 * $0 }
                case .sigmoid: return { $0 * (1 - $0) }
                }
            }()
            let gx = (0..<count).map { Double(gy[$0]) * derivative(Double(y[$0])) }
            var gb = [Double](repeating: 0, count: channels)
            for k in 0..<count { gb[(k / inner) % channels] += gx[k] }
            expectClose(outputs[0], gx, absolute: 1e-6, relative: 1e-5, "gradX")
            expectClose(outputs[1], gb, absolute: 1e-3, relative: 1e-4, "gradBias")
        }
    }
}
