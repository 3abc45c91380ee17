import SynapseTestSupport
import Testing

/// Fused SGD and Adam/AdamW steps on every device against the CPU (`ConformanceSuite`).
@Suite struct OptimizerConsistencyTests {
    @Test(arguments: TestDevices.specs) func sgd(spec: String) { expectConformance(ConformanceSuite.sgd, on: spec) }
    @Test(arguments: TestDevices.specs) func adam(spec: String) { expectConformance(ConformanceSuite.adam, on: spec) }
}
