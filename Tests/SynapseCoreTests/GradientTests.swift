import Testing
import SynapseTestSupport

/// Every differentiable op's gradients against central finite differences, on every device.
@Suite("Gradients")
struct GradientTests {
    @Test("backward matches finite differences", arguments: OpCases.all, TestDevices.specs)
    func matchesFiniteDifferences(op: OpCase, device spec: String) throws {
        let ratio = try op.gradientCheck.worstRatio(on: TestDevices.device(spec), op.function)
        #expect(ratio <= 1, "\(op.name) on \(spec): worst error / tolerance = \(ratio)")
    }
}

/// Every op's forward result and gradients on each OpenCL device against the CPU device.
@Suite("Consistency with the CPU")
struct ConsistencyTests {
    @Test("forward and backward agree with the CPU", arguments: OpCases.all, TestDevices.openCLSpecs)
    func agreesWithCPU(op: OpCase, device spec: String) throws {
        let device = TestDevices.device(spec)
        let check = op.gradientCheck
        func forward(_ device: any Device) throws -> [Float] {
            try withoutGradient { try op.function(op.inputs.map { Tensor($0.values, shape: $0.shape, on: device) }).toArray() }
        }
        let forwardRatio = toleranceRatio(try forward(device), try forward(CPUDevice.shared), atol: 1e-5, rtol: 1e-4)
        #expect(forwardRatio <= 1, "\(op.name): forward on \(spec) differs from cpu (ratio \(forwardRatio))")
        let gradients = try check.analytic(on: device, op.function)
        let reference = try check.analytic(on: CPUDevice.shared, op.function)
        for (i, (g, r)) in zip(gradients, reference).enumerated() {
            let ratio = toleranceRatio(g, r, atol: 1e-5, rtol: 1e-4)
            #expect(ratio <= 1, "\(op.name): gradient of input \(i) on \(spec) differs from cpu (ratio \(ratio))")
        }
    }
}
