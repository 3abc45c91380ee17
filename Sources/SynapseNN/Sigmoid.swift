import SynapseCore

/// Logistic sigmoid elementwise (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module {
    /// The activation.
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}
