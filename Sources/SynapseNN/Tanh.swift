import SynapseBackend
import SynapseCore

/// Hyperbolic tangent elementwise (PyTorch's `nn.Tanh`).
public final class Tanh: Module, ActivationLayer {
    /// `.tanh`.
    public var activation: Activation { .tanh }
    /// The activation.
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}
