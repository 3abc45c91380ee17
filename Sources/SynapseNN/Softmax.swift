import SynapseCore

/// Softmax along `axis` (PyTorch's `nn.Softmax(dim:)`).
public final class Softmax: Module {
    /// The dimension that sums to one.
    public let axis: Int
    /// Softmax along `axis` (default: the last).
    public init(axis: Int = -1) { self.axis = axis; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.softmax(axis: axis) }
}
