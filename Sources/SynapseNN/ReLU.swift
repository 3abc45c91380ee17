import SynapseBackend
import SynapseCore

/// `max(x, 0)` elementwise (PyTorch's `nn.ReLU`).
public final class ReLU: Module, ActivationLayer {
    /// `.relu`.
    public var activation: Activation { .relu }
    /// The activation.
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}
