import SynapseBackend
import SynapseCore

/// A layer whose output can go through an activation in the launch that adds its bias (`Linear`,
/// `Conv2d`): `Sequential` fuses it with an activation layer that follows it.
public protocol ActivationFusing: Module {
    /// `activation(forward(input))`, computed in one pass.
    func forward(_ input: Tensor, activation: Activation) -> Tensor
}

/// A layer that only applies an activation (`ReLU`, `Tanh`, `Sigmoid`).
public protocol ActivationLayer: Module {
    /// The function it applies.
    var activation: Activation { get }
}
