import SynapseTestSupport
import Testing

/// `clipGradientNorm` (PyTorch's `clip_grad_norm_`): gradients scaled to the global norm when above
/// it, untouched below it, the same packed or not, on the device without reading anything.
@Suite struct GradientClippingTests {
    static func gradients(on device: any Device, packed: Bool, maxNorm: Float) throws -> (norm: Float, gradients: [[Float]], reads: Int) {
        let net = withDevice(device) { withRandomSeed(2) { Sequential { Linear(4, 3); Tanh(); Linear(3, 2) } } }
        if packed { net.packParameters() }
        let x = withRandomSeed(3) { Tensor.uniform([5, 4], low: -3, high: 3, on: device) }
        (net(x).square().sum() * 10).backward()
        var norm: Tensor?
        let counts = countingCommands { norm = clipGradientNorm(net.parameters(), maxNorm: maxNorm) }
        return (try #require(norm).item(), try net.parameters().map { try #require($0.gradient).toArray() }, counts.reads)
    }

    @Test(arguments: TestDevices.specs)
    func gradientsAreScaledToTheMaximumNorm(spec: String) throws {
        let device = TestDevices.device(spec)
        let unclipped = try Self.gradients(on: device, packed: false, maxNorm: 1e30)
        let expectedNorm = unclipped.gradients.joined().map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        expectClose([unclipped.norm], [Float(expectedNorm)], tolerance: 1e-5)
        #expect(expectedNorm > 1, "the test needs gradients above the limit")
        for packed in [false, true] {
            let clipped = try Self.gradients(on: device, packed: packed, maxNorm: 1)
            let factor = 1 / (Float(expectedNorm) + 1e-6)
            for (a, b) in zip(clipped.gradients, unclipped.gradients) { expectClose(a, b.map { $0 * factor }, tolerance: 1e-5) }
            let norm = clipped.gradients.joined().map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            expectClose([Float(norm)], [1], tolerance: 1e-5)
            #expect(clipped.reads == 0, "clipping reads nothing on the host")
        }
        let untouched = try Self.gradients(on: device, packed: true, maxNorm: Float(expectedNorm) * 2)
        for (a, b) in zip(untouched.gradients, unclipped.gradients) { expectClose(a, b, tolerance: 1e-6) }
    }
}
