import SynapseTestSupport
import Testing

/// Unary, binary, copy, fill and random on every device against the CPU (`ConformanceSuite`):
/// contiguous, offset, permuted and broadcast views with odd sizes.
@Suite struct ElementwiseConsistencyTests {
    @Test(arguments: TestDevices.specs) func unary(spec: String) { expectConformance(ConformanceSuite.unary, on: spec) }
    @Test(arguments: TestDevices.specs) func binary(spec: String) { expectConformance(ConformanceSuite.binary, on: spec) }
    @Test(arguments: TestDevices.specs) func copy(spec: String) { expectConformance(ConformanceSuite.copy, on: spec) }
    @Test(arguments: TestDevices.specs) func fill(spec: String) { expectConformance(ConformanceSuite.fill, on: spec) }
    @Test(arguments: TestDevices.specs) func random(spec: String) { expectConformance(ConformanceSuite.random, on: spec) }
}
