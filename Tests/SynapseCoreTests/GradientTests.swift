import Testing
import SynapseTestSupport

/// Every differentiable op of `GradientSuite` on every device: `backward()` against central
/// finite differences there, and on OpenCL devices the forward result and gradients against the CPU.
@Suite("Gradients")
struct GradientTests {
    @Test("backward matches finite differences and the CPU", arguments: GradientSuite.cases, TestDevices.specs)
    func matchesFiniteDifferencesAndTheCPU(op: GradientCase, device spec: String) {
        expectGradients(op, on: spec)
    }
}
