import SynapseTestSupport
import Testing

/// Reductions, softmax and cross-entropy on every device against the CPU (`ConformanceSuite`).
@Suite struct ReductionConsistencyTests {
    @Test(arguments: TestDevices.specs) func reduce(spec: String) { expectConformance(ConformanceSuite.reduce, on: spec) }
    @Test(arguments: TestDevices.specs) func softmax(spec: String) { expectConformance(ConformanceSuite.softmax, on: spec) }
    @Test(arguments: TestDevices.specs) func crossEntropy(spec: String) { expectConformance(ConformanceSuite.crossEntropy, on: spec) }
    @Test(arguments: TestDevices.specs)
    func crossEntropyBackward(spec: String) { expectConformance(ConformanceSuite.crossEntropyBackward, on: spec) }
}
