import SynapseBackend

/// Convolution forward (with and without bias) and both backward passes over awkward geometries:
/// padding, stride larger than the kernel, dilation, groups, pointwise kernels, odd channel counts.
extension ConformanceSuite {
    /// The geometries every convolution primitive is checked with.
    public static let convolutionGeometries: [(String, Conv2dGeometry)] = [
        ("3x3 pad 1, batch 1", Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 9, inWidth: 11, outChannels: 5,
                                              kernelHeight: 3, kernelWidth: 3, padding: (1, 1))),
        ("groups 2, stride 2, dilation, asymmetric", Conv2dGeometry(batch: 3, inChannels: 4, inHeight: 10, inWidth: 9, outChannels: 6,
                                                                    kernelHeight: 3, kernelWidth: 2, stride: (2, 1), padding: (1, 0),
                                                                    dilation: (2, 1), groups: 2)),
        ("stride > kernel", Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 11, inWidth: 11, outChannels: 4,
                                           kernelHeight: 2, kernelWidth: 2, stride: (3, 3))),
        ("pointwise, batch 1", Conv2dGeometry(batch: 1, inChannels: 5, inHeight: 6, inWidth: 7, outChannels: 3,
                                              kernelHeight: 1, kernelWidth: 1)),
        ("pointwise, batch 2, groups", Conv2dGeometry(batch: 2, inChannels: 6, inHeight: 4, inWidth: 5, outChannels: 4,
                                                      kernelHeight: 1, kernelWidth: 1, groups: 2)),
        ("odd channels, big pad", Conv2dGeometry(batch: 2, inChannels: 7, inHeight: 5, inWidth: 6, outChannels: 9,
                                                 kernelHeight: 5, kernelWidth: 3, stride: (2, 2), padding: (2, 1))),
        ("batch 5 (partial last chunk)", Conv2dGeometry(batch: 5, inChannels: 2, inHeight: 4, inWidth: 4, outChannels: 3,
                                                        kernelHeight: 3, kernelWidth: 3, padding: (1, 1))),
        ("AlexNet-like first layer", Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 35, inWidth: 35, outChannels: 8,
                                                    kernelHeight: 11, kernelWidth: 11, stride: (4, 4), padding: (2, 2))),
        ("large weights, tiny images, odd batch", Conv2dGeometry(batch: 7, inChannels: 32, inHeight: 5, inWidth: 6, outChannels: 240,
                                                                 kernelHeight: 3, kernelWidth: 3, stride: (2, 1), padding: (1, 1))),
    ]

    /// `.conv2d` (without and with bias), `.conv2dActivation` (each activation), `.conv2dBackwardInput`
    /// and `.conv2dBackwardWeight` for every geometry.
    public static let convolution: [ConformanceCase] = {
        var random = SeededRandom(30)
        var cases: [ConformanceCase] = []
        for (name, g) in convolutionGeometries {
            func operand(_ shape: [Int]) -> ConformanceOperand { .floats(random.floats(shape.reduce(1, *)), shape) }
            let x = operand(g.inputShape), w = operand(g.weightShape), gy = operand(g.outputShape)
            cases.append(ConformanceCase(name, .conv2d(g), inputs: [x, w],
                                         outputs: [ConformanceOutput(shape: g.outputShape, offset: 1)], tolerance: .accumulation))
            let bias = operand([g.outChannels])
            cases.append(ConformanceCase("\(name), with bias", .conv2d(g), inputs: [x, w, bias],
                                         outputs: [ConformanceOutput(shape: g.outputShape, offset: 1)], tolerance: .accumulation))
            for activation in [Activation.relu, .tanh, .sigmoid] {
                cases.append(ConformanceCase("\(name), with bias, \(activation)", .conv2dActivation(g, activation), inputs: [x, w, bias],
                                             outputs: [ConformanceOutput(shape: g.outputShape, offset: 1)], tolerance: .accumulation))
            }
            cases.append(ConformanceCase(name, .conv2dActivation(g, .relu), inputs: [x, w],
                                         outputs: [ConformanceOutput(shape: g.outputShape, offset: 1)], tolerance: .accumulation))
            cases.append(ConformanceCase(name, .conv2dBackwardInput(g), inputs: [gy, w],
                                         outputs: [ConformanceOutput(shape: g.inputShape, offset: 2)], tolerance: .accumulation))
            cases.append(ConformanceCase(name, .conv2dBackwardWeight(g), inputs: [x, gy],
                                         outputs: [ConformanceOutput(shape: g.weightShape, offset: 3)], tolerance: .accumulation))
        }
        return cases
    }()
}
