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

    /// Applies the layers in order; a `Linear` or `Conv2d` followed by an activation layer runs as one
    /// fused layer (the same result, one launch fewer each way).
    public override func forward(_ input: Tensor) -> Tensor {
        var x = input, index = 0
        while index < layers.count {
            if index + 1 < layers.count, let layer = layers[index] as? ActivationFusing,
               let activation = layers[index + 1] as? ActivationLayer {
                x = layer(x, activation: activation.activation)
                // `summary()` still sees the activation layer, applied in place by the fused one.
                let output = x
                _ = ModuleCallObserver.current?.observe(activation, output) { output }
                index += 2
            } else {
                x = layers[index](x)
                index += 1
            }
        }
        return x
    }

    /// Number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> Module { layers[index] }
}
