import SynapseCore
import SynapseNN

/// Updates parameters from their gradients, on the parameters' devices.
///
/// Optimizer state (momentum, moments) is created lazily on each parameter's device at its first
/// step and updated in place by one fused launch per parameter — no host round trip. A parameter
/// without a gradient is skipped, as in PyTorch.
public protocol Optimizer: AnyObject {
    /// The parameters updated, in order; state keys use their index (`state.3.exp_avg`).
    var parameters: [Parameter] { get }
    /// The step size (a schedule sets it between epochs).
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The state as named tensors, PyTorch's keys (`state.0.momentum_buffer`, `state.0.exp_avg`,
    /// `state.0.exp_avg_sq`, `state.0.step`) plus `step` (updates taken). The tensors are views of the
    /// live state: save or copy them before the next step.
    func stateDict() -> [(name: String, tensor: Tensor)]
    /// Restores state saved by `stateDict()` so training continues exactly. Throws `StateDictError`
    /// for an unknown key, a shape mismatch or a parameter index out of range, and
    /// `OptimizerStateError` for a step count that is not a whole number.
    func loadStateDict(_ state: [(name: String, tensor: Tensor)]) throws
    /// The names and shapes `stateDict()` holds once every parameter has been updated at least once
    /// (before the first update: `step` alone). Check a saved state against it before building tensors.
    func stateLayout() -> [(name: String, shape: [Int])]
}

extension Optimizer {
    /// Clears every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}
