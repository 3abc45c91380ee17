import SynapseBackend
import SynapseCore

/// A layer whose output can go through an activation in the launch that adds its bias (`Linear`,
/// `Conv2d`): `Sequential` fuses it with an activation layer that follows it.
public protocol ActivationFusing: Module {
    /// `activation(forward(input))`, computed in one pass.
    func forward(_ input: Tensor, activation: Activation) -> Tensor
}

extension ActivationFusing {
    /// Applies `forward(_:activation:)` (seen by `summary()`'s observer, as `callAsFunction(_:)` is).
    public func callAsFunction(_ input: Tensor, activation: Activation) -> Tensor {
        guard let observer = ModuleCallObserver.current else { return forward(input, activation: activation) }
        return observer.observe(self, input) { forward(input, activation: activation) }
    }
}

/// A layer that only applies an activation (`ReLU`, `Tanh`, `Sigmoid`).
public protocol ActivationLayer: Module {
    /// The function it applies.
    var activation: Activation { get }
}
