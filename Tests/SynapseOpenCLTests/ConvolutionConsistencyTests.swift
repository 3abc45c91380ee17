import Foundation
import SynapseTestSupport
import Testing

/// Convolution forward and both backward passes against the CPU, over awkward geometries, and with
/// a tiny column budget so the batch is processed in several chunks.
@Suite struct ConvolutionConsistencyTests {
    static let geometries: [(String, Conv2dGeometry)] = [
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
    ]

    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    func checkAll(_ spec: String, _ label: String) throws {
        var random = TestRandom(30)
        for (name, g) in Self.geometries {
            let x = Operand.floats(random.floats(Self.count(g.inputShape)), g.inputShape)
            let w = Operand.floats(random.floats(Self.count(g.weightShape)), g.weightShape)
            let gy = Operand.floats(random.floats(Self.count(g.outputShape)), g.outputShape)
            try Harness.compare(.conv2d(g), on: spec, inputs: [x, w], outputs: [Output(shape: g.outputShape, offset: 1)],
                                tolerance: .accumulation, "\(name) \(label)")
            let bias = Operand.floats(random.floats(g.outChannels), [g.outChannels])
            try Harness.compare(.conv2d(g), on: spec, inputs: [x, w, bias], outputs: [Output(shape: g.outputShape, offset: 1)],
                                tolerance: .accumulation, "\(name) \(label), with bias")
            try Harness.compare(.conv2dBackwardInput(g), on: spec, inputs: [gy, w], outputs: [Output(shape: g.inputShape, offset: 2)],
                                tolerance: .accumulation, "\(name) \(label)")
            try Harness.compare(.conv2dBackwardWeight(g), on: spec, inputs: [x, gy], outputs: [Output(shape: g.weightShape, offset: 3)],
                                tolerance: .accumulation, "\(name) \(label)")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func convolution(spec: String) throws {
        try checkAll(spec, "whole batch")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func convolutionInChunks(spec: String) throws {
        // A budget below one image's columns: every image becomes its own chunk.
        try OpenCLDevice.$columnBudgetOverride.withValue(1) { try checkAll(spec, "one image per chunk") }
        // Two images per chunk for the batch-5 geometry (columns and output of one image take
        // 1344 bytes), so the last chunk is partial; one or a few for the others.
        try OpenCLDevice.$columnBudgetOverride.withValue(3000) { try checkAll(spec, "small chunks") }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func weightGradientSplitAlongK(spec: String) throws {
        // Slices of 7 output pixels: most reductions split into several slices with a shorter last
        // one, and the small chunks make later chunks add their slices onto the first's result.
        try OpenCLDevice.$splitKSliceLengthOverride.withValue(7) {
            try checkAll(spec, "split-K, whole batch")
            try OpenCLDevice.$columnBudgetOverride.withValue(3000) { try checkAll(spec, "split-K, small chunks") }
        }
        // Slices that divide k exactly (a 4×4 output of 2 images: k = 32) leave no remainder slice.
        try OpenCLDevice.$splitKSliceLengthOverride.withValue(8) { try checkAll(spec, "split-K, exact slices") }
    }

    @Test func splitKPlanFillsTheDeviceOnlyWhenTheOutputIsSmall() {
        // LeNet-5 conv1's weight gradient at batch 256 on 132 compute units: one output tile, so
        // k = 200,704 is cut into as many ≥ 1024-long slices as keep two work-groups per unit busy.
        let lenet = SplitKPlan.choose(m: 6, n: 25, k: 256 * 784, groups: 1, computeUnits: 132)
        #expect(lenet == SplitKPlan(k: 256 * 784, sliceLength: 1024))
        #expect(lenet.map { $0.slices } == 196)
        #expect(lenet.map { $0.fullSlices * $0.sliceLength + $0.remainder } == 256 * 784)
        // AlexNet conv1 at 46 images a chunk: 12 tiles, 22 slices.
        #expect(SplitKPlan.choose(m: 96, n: 363, k: 46 * 3025, groups: 1, computeUnits: 132)?.slices == 22)
        // AlexNet conv3 (216 tiles) would want 2 slices, too few to pay for the extra pass: no split.
        #expect(SplitKPlan.choose(m: 384, n: 2304, k: 128 * 169, groups: 1, computeUnits: 132) == nil)
        // Nor on a 2-core PoCL device, which a single output tile already half fills.
        #expect(SplitKPlan.choose(m: 6, n: 25, k: 256 * 784, groups: 1, computeUnits: 2) == nil)
        // A short reduction is never split, however small the output.
        #expect(SplitKPlan.choose(m: 6, n: 25, k: 1500, groups: 1, computeUnits: 132) == nil)
    }
}
