import SynapseCore

/// Layers applied in order, each to the previous one's output (PyTorch's `nn.Sequential`).
/// Children are named by position — `"0"`, `"1"`, … — so a model's `features.3.weight` matches PyTorch's.
///
/// ```swift
/// let features = Sequential {
///     Conv2d(1, 6, kernelSize: 5, padding: 2)
///     Tanh()
///     AvgPool2d(kernelSize: 2)
/// }
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public let layers: [Module]

    /// A sequence from a result builder (supports `if`, `if/else` and `for`).
    public init(@ModuleBuilder _ content: () -> [Module]) {
        layers = content()
        super.init()
    }

    /// A sequence of `layers`.
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// The layers, named "0", "1", …
    public override func registeredMembers() -> [(name: String, member: ModuleMember)] {
        layers.enumerated().map { ("\($0.offset)", .module($0.element)) }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    /// Number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> Module { layers[index] }
}
