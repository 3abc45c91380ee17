import SynapseCore

// Stateless activation layers, grouped because each is one line of forwarding.

/// `max(x, 0)` elementwise (PyTorch's `nn.ReLU`).
public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// Hyperbolic tangent elementwise (PyTorch's `nn.Tanh`).
public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Logistic sigmoid elementwise (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Softmax along `axis` (PyTorch's `nn.Softmax(dim:)`).
public final class Softmax: Module {
    public let axis: Int
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.softmax(axis: axis) }
}
