import SynapseTestSupport
import Testing

/// Convolution forward and both backward passes on every device against the CPU
/// (`ConformanceSuite.convolution`) with the algorithm the device picks, and on OpenCL devices also
/// with im2col + CLBlast forced: whole, with a tiny column budget (the batch processed in several
/// chunks) and with the weight gradient's reduction split along K. (Every direct-kernel candidate
/// is checked by `ConvolutionCandidateTests`.)
@Suite struct ConvolutionConsistencyTests {
    @Test(arguments: TestDevices.specs)
    func convolution(spec: String) { expectConformance(ConformanceSuite.convolution, on: spec, "whole batch") }

    @Test(arguments: TestDevices.openCLSpecs)
    func convolutionByIm2colAndCLBlast(spec: String) {
        OpenCLDevice.$forcedConvolutionAlgorithm.withValue(.im2colGEMM) {
            expectConformance(ConformanceSuite.convolution, on: spec, "im2col + CLBlast")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func convolutionInChunks(spec: String) {
        OpenCLDevice.$forcedConvolutionAlgorithm.withValue(.im2colGEMM) {
            // A budget below one image's columns: every image becomes its own chunk.
            OpenCLDevice.$columnBudgetOverride.withValue(1) {
                expectConformance(ConformanceSuite.convolution, on: spec, "one image per chunk")
            }
            // Two images per chunk for the batch-5 geometry (columns and output of one image take
            // 1344 bytes), so the last chunk is partial; one or a few for the others.
            OpenCLDevice.$columnBudgetOverride.withValue(3000) {
                expectConformance(ConformanceSuite.convolution, on: spec, "small chunks")
            }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func weightGradientSplitAlongK(spec: String) {
        OpenCLDevice.$forcedConvolutionAlgorithm.withValue(.im2colGEMM) {
            // Slices of 7 output pixels: most reductions split into several slices with a shorter last
            // one, and the small chunks make later chunks add their slices onto the first's result.
            OpenCLDevice.$splitKSliceLengthOverride.withValue(7) {
                expectConformance(ConformanceSuite.convolution, on: spec, "split-K, whole batch")
                OpenCLDevice.$columnBudgetOverride.withValue(3000) {
                    expectConformance(ConformanceSuite.convolution, on: spec, "split-K, small chunks")
                }
            }
            // Slices that divide k exactly (a 4×4 output of 2 images: k = 32) leave no remainder slice.
            OpenCLDevice.$splitKSliceLengthOverride.withValue(8) {
                expectConformance(ConformanceSuite.convolution, on: spec, "split-K, exact slices")
            }
        }
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
