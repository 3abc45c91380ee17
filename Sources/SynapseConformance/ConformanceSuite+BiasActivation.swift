import SynapseBackend

extension ConformanceSuite {
    /// `.biasActivation` with and without a bias, out of place and in place, and
    /// `.biasActivationBackward` with and without the bias gradient, for every activation, over a
    /// linear layer's `[N, out, 1]`, a convolution's `[N, C, H·W]`, and channels with more values
    /// than a work-group holds.
    public static let biasActivation: [ConformanceCase] = {
        var random = SeededRandom(47)
        var cases: [ConformanceCase] = []
        for shape in [[5, 7, 1], [3, 4, 10], [2, 3, 300]] {
            let count = shape.reduce(1, *), channels = [shape[1]]
            let x = ConformanceOperand.floats(random.floats(count, -3...3), shape)
            let bias = ConformanceOperand.floats(random.floats(shape[1]), channels)
            let gy = ConformanceOperand.floats(random.floats(count), shape)
            for activation in Activation.allCases {
                let label = "\(shape)"
                cases.append(ConformanceCase(label + " bias", .biasActivation(activation), inputs: [x, bias],
                                             outputs: [ConformanceOutput(shape: shape, offset: 1)], tolerance: .transcendental))
                cases.append(ConformanceCase(label, .biasActivation(activation), inputs: [x],
                                             outputs: [ConformanceOutput(shape: shape)], tolerance: .transcendental))
                // What the backward pass reads is an activation's output: in its range.
                let y = ConformanceOperand.floats(random.floats(count, -1...1).map { activation == .relu ? Swift.max($0, 0) : activation == .sigmoid ? ($0 + 1) / 2 : $0 }, shape)
                cases.append(ConformanceCase(label + " gradBias", .biasActivationBackward(activation), inputs: [gy, y],
                                             outputs: [ConformanceOutput(shape: shape, offset: 2), ConformanceOutput(shape: channels, offset: 1)],
                                             tolerance: .accumulation))
                cases.append(ConformanceCase(label, .biasActivationBackward(activation), inputs: [gy, y],
                                             outputs: [ConformanceOutput(shape: shape)], tolerance: .arithmetic))
            }
        }
        return cases
    }()
}
