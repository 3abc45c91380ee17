import SynapseTestSupport
import Testing

/// `Sequential` fuses a `Linear` or `Conv2d` with the activation after it: the same values and
/// gradients as the layers run one by one, with fewer launches.
@Suite struct ActivationFusionTests {
    @Test(arguments: TestDevices.specs)
    func fusedLayersComputeWhatSeparateLayersDo(spec: String) throws {
        let device = TestDevices.device(spec)
        let net = withDevice(device) {
            withRandomSeed(3) {
                Sequential {
                    Conv2d(2, 3, kernelSize: 3, padding: 1)
                    ReLU()
                    Flatten()
                    Linear(3 * 5 * 5, 6)
                    Tanh()
                    Linear(6, 4)
                    Sigmoid()
                }
            }
        }
        let x = withRandomSeed(4) { Tensor.uniform([2, 2, 5, 5], low: -1, high: 1, on: device) }
        func gradients() throws -> [[Float]] { try net.parameters().map { try #require($0.gradient).toArray() } }

        let fused = net(x)
        fused.sum().backward()
        let fusedGradients = try gradients()
        for parameter in net.parameters() { parameter.zeroGradient() }
        // The same layers one at a time: each module's own forward, activations as tensor ops.
        var separate = x
        for layer in net.layers { separate = layer(separate) }
        separate.sum().backward()
        expectClose(try fused.toArray(), try separate.toArray(), tolerance: 1e-6)
        for (a, b) in zip(fusedGradients, try gradients()) { expectClose(a, b, tolerance: 1e-5) }

        let counts = countingCommands { _ = net(x) }
        // The convolution carries its activation; the linear layers' run after their GEMMs.
        #expect(counts.primitives["conv2dActivation(relu)"] == 1 && counts.primitives["biasActivation(tanh)"] == 1
                && counts.primitives["biasActivation(sigmoid)"] == 1 && counts.primitives["conv2d"] == nil,
                "\(counts.primitives)")
        #expect(counts.primitives.keys.allSatisfy { !$0.hasPrefix("unary") }, "\(counts.primitives)")
    }
}
