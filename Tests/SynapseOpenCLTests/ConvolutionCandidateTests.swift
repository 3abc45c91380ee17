import SynapseTestSupport
import Testing

/// Every tuning candidate of every direct convolution kernel against the CPU: the conformance
/// geometries (edge tiles, stride, padding, dilation, groups, batch 1, pointwise) and the
/// LeNet-5 and AlexNet layer shapes, each pass with each candidate the tuner could pick on this
/// device, forced with `forcedConvolutionAlgorithm`.
@Suite struct ConvolutionCandidateTests {
    /// LeNet-5's and AlexNet's layers at small batches (the paper AlexNet at 224², grouped).
    static let layerGeometries: [(String, Conv2dGeometry)] = [
        ("LeNet-5 conv1", Conv2dGeometry(batch: 3, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 6,
                                         kernelHeight: 5, kernelWidth: 5, padding: (2, 2))),
        ("LeNet-5 conv2", Conv2dGeometry(batch: 3, inChannels: 6, inHeight: 14, inWidth: 14, outChannels: 16,
                                         kernelHeight: 5, kernelWidth: 5)),
        ("AlexNet conv1", Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 224, inWidth: 224, outChannels: 96,
                                         kernelHeight: 11, kernelWidth: 11, stride: (4, 4), padding: (2, 2))),
        ("AlexNet conv2", Conv2dGeometry(batch: 1, inChannels: 96, inHeight: 27, inWidth: 27, outChannels: 256,
                                         kernelHeight: 5, kernelWidth: 5, padding: (2, 2), groups: 2)),
        ("AlexNet conv3", Conv2dGeometry(batch: 1, inChannels: 256, inHeight: 13, inWidth: 13, outChannels: 384,
                                         kernelHeight: 3, kernelWidth: 3, padding: (1, 1))),
        ("AlexNet conv4", Conv2dGeometry(batch: 2, inChannels: 384, inHeight: 13, inWidth: 13, outChannels: 384,
                                         kernelHeight: 3, kernelWidth: 3, padding: (1, 1), groups: 2)),
    ]

    static let geometries = ConformanceSuite.convolutionGeometries + layerGeometries

    /// The cases of one pass of `g`, with random operands, as the conformance suite builds them.
    static func cases(_ name: String, _ g: Conv2dGeometry, _ pass: ConvolutionPass) -> [ConformanceCase] {
        var random = SeededRandom(41)
        func operand(_ shape: [Int]) -> ConformanceOperand { .floats(random.floats(shape.reduce(1, *)), shape) }
        let x = operand(g.inputShape), w = operand(g.weightShape), gy = operand(g.outputShape), bias = operand([g.outChannels])
        switch pass {
        case .forward:
            return [ConformanceCase(name, .conv2d(g), inputs: [x, w], outputs: [Output(shape: g.outputShape, offset: 1)],
                                    tolerance: .accumulation),
                    ConformanceCase("\(name), bias + tanh", .conv2dActivation(g, .tanh), inputs: [x, w, bias],
                                    outputs: [Output(shape: g.outputShape, offset: 1)], tolerance: .accumulation)]
        case .inputGradient:
            return [ConformanceCase(name, .conv2dBackwardInput(g), inputs: [gy, w],
                                    outputs: [Output(shape: g.inputShape, offset: 2)], tolerance: .accumulation)]
        case .weightGradient:
            return [ConformanceCase(name, .conv2dBackwardWeight(g), inputs: [x, gy],
                                    outputs: [Output(shape: g.weightShape, offset: 3)], tolerance: .accumulation)]
        }
    }

    @Test(arguments: TestDevices.openCLSpecs, ConvolutionPass.allCases)
    func everyCandidateMatchesTheCPU(spec: String, pass: ConvolutionPass) throws {
        let device = try Harness.openCL(spec)
        var tried = 0
        for (name, g) in Self.geometries {
            let problem = ConvolutionProblem(pass, g)
            for case let .convolution(candidate) in device.tuningCandidates(for: .convolution(problem)) {
                guard case .direct = candidate else { continue }
                OpenCLDevice.$forcedConvolutionAlgorithm.withValue(candidate) {
                    expectConformance(Self.cases(name, g, pass), on: spec, "\(candidate)")
                }
                tried += 1
            }
        }
        // Every geometry has direct candidates for the forward and weight passes; the input
        // gradient of the strided ones keeps im2col.
        #expect(tried >= Self.geometries.count * 2, "only \(tried) direct candidates for \(pass)")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func theUntunedChoiceIsACandidate(spec: String) throws {
        let device = try Harness.openCL(spec)
        for (_, g) in Self.geometries {
            for pass in ConvolutionPass.allCases {
                let problem = ConvolutionProblem(pass, g)
                let untuned = device.untunedAlgorithm(for: .convolution(problem))
                #expect(device.tuningCandidates(for: .convolution(problem)).contains(untuned), "\(problem): \(untuned)")
            }
        }
    }
}
