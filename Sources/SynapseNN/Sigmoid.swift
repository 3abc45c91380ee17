import SynapseBackend
import SynapseCore

/// Logistic sigmoid elementwise (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module, ActivationLayer {
    /// `.sigmoid`.
    public var activation: Activation { .sigmoid }
    /// The activation.
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}
