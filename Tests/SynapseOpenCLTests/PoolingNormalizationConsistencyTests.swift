import SynapseTestSupport
import Testing

/// Pooling and local response normalisation, forward and backward, on every device against the
/// CPU (`ConformanceSuite`).
@Suite struct PoolingNormalizationConsistencyTests {
    @Test(arguments: TestDevices.specs) func maxPool(spec: String) { expectConformance(ConformanceSuite.maxPool, on: spec) }
    @Test(arguments: TestDevices.specs) func avgPool(spec: String) { expectConformance(ConformanceSuite.avgPool, on: spec) }
    @Test(arguments: TestDevices.specs)
    func localResponseNorm(spec: String) { expectConformance(ConformanceSuite.localResponseNorm, on: spec) }
    @Test(arguments: TestDevices.specs)
    func batchNorm(spec: String) { expectConformance(ConformanceSuite.batchNorm, on: spec) }
}
