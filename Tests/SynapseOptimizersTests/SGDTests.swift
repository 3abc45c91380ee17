import SynapseTestSupport
import Testing

/// Expected values worked by hand with PyTorch's update rule (lr 0.1, see `TwoSteps`).
@Suite("SGD")
struct SGDTests {
    @Test(arguments: TestDevices.specs)
    func plain(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { SGD($0, learningRate: 0.1) }
        expectValues(steps[0], [0.95, -2.1])
        expectValues(steps[1], [0.93, -2.06])
    }

    /// buf₁ = g₁; buf₂ = 0.9·buf₁ + g₂ = [0.65, 0.5].
    @Test(arguments: TestDevices.specs)
    func momentum(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { SGD($0, learningRate: 0.1, momentum: 0.9) }
        expectValues(steps[0], [0.95, -2.1])
        expectValues(steps[1], [0.885, -2.15])
    }

    /// Step direction g + 0.9·buf: [0.95, 1.9], then [0.785, 0.05].
    @Test(arguments: TestDevices.specs)
    func nesterov(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
        expectValues(steps[0], [0.905, -2.19])
        expectValues(steps[1], [0.8265, -2.195])
    }

    /// g + 0.1·p: [0.6, 0.8] then [0.294, -0.608]; buf₂ = [0.834, 0.112].
    @Test(arguments: TestDevices.specs)
    func weightDecayWithMomentum(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) {
            SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        }
        expectValues(steps[0], [0.94, -2.08])
        expectValues(steps[1], [0.8566, -2.0912])
    }

    /// The first step takes the gradient undampened; buf₂ = 0.9·buf₁ + 0.5·g₂ = [0.55, 0.7].
    @Test(arguments: TestDevices.specs)
    func dampening(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) {
            SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        }
        expectValues(steps[0], [0.95, -2.1])
        expectValues(steps[1], [0.895, -2.17])
    }

    @Test func parametersWithoutGradientsAreLeftAlone() throws {
        let a = Parameter(Tensor([1, 2])), b = Parameter(Tensor([3, 4]))
        let optimizer = SGD([a, b], learningRate: 1, momentum: 0.5)
        a.value.gradient = Tensor([1, 1])
        optimizer.step()
        #expect(try a.value.toArray() == [0, 1])
        #expect(try b.value.toArray() == [3, 4])
        #expect(optimizer.stateDict().map(\.name) == ["step", "state.0.momentum_buffer"])
        optimizer.zeroGradients()
        #expect(a.gradient == nil)
    }
}

/// Expected values from PyTorch's Adam/AdamW formulas evaluated in double precision (lr 0.1,
/// betas 0.9/0.999, eps 1e-8). The first Adam step moves each weight by lr·sign(g).
@Suite("Adam and AdamW")
struct AdamTests {
    @Test(arguments: TestDevices.specs)
    func adam(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { Adam($0, learningRate: 0.1) }
        expectValues(steps[0], [0.9, -2.1])
        expectValues(steps[1], [0.8101424839029282, -2.134560583337374], tolerance: 1e-5)
    }

    @Test(arguments: TestDevices.specs)
    func adamWithL2WeightDecay(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { Adam($0, learningRate: 0.1, weightDecay: 0.1) }
        expectValues(steps[0], [0.9, -2.1])
        expectValues(steps[1], [0.8072814605072346, -2.1081390000798046], tolerance: 1e-5)
    }

    /// Decay first (p·(1 − lr·wd) = p·0.99), then the Adam step of the undecayed gradient.
    @Test(arguments: TestDevices.specs)
    func adamW(spec: String) {
        let steps = TwoSteps.run(on: TestDevices.device(spec)) { AdamW($0, learningRate: 0.1, weightDecay: 0.1) }
        expectValues(steps[0], [0.89, -2.08])
        expectValues(steps[1], [0.7912424838829282, -2.093760583347374], tolerance: 1e-5)
    }

    @Test func stateNamesFollowPyTorch() {
        let a = Parameter(Tensor([1, 2])), b = Parameter(Tensor([3]))
        let optimizer = Adam([a, b])
        b.value.gradient = Tensor([1])
        optimizer.step()
        #expect(optimizer.stateDict().map(\.name) == ["step", "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq"])
    }
}
