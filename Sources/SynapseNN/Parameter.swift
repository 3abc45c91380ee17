import SynapseCore

/// A trainable tensor owned by a module: a reference box, so the module, the optimizer and a
/// checkpoint loader all see the same parameter even after its tensor is replaced (for example when
/// the module moves to another device).
///
/// The boxed tensor is always a leaf that requires a gradient.
public final class Parameter: @unchecked Sendable {
    /// The current value. Assigning a new tensor detaches it from any graph and marks it as
    /// requiring a gradient.
    public var value: Tensor {
        didSet { value = Parameter.leaf(value) }
    }

    /// Boxes `value` as a leaf that requires a gradient (a view of the same memory when `value`
    /// came from an operation).
    public init(_ value: Tensor) {
        self.value = Parameter.leaf(value)
    }

    /// The arena this parameter was packed into (`Module.packParameters()`), if any.
    public internal(set) var arena: ParameterArena?

    /// The gradient accumulated by `backward()`, if any.
    public var gradient: Tensor? { value.gradient }
    /// The value's shape.
    public var shape: [Int] { value.shape }
    /// Number of scalars.
    public var count: Int { value.count }

    /// Clears the accumulated gradient.
    public func zeroGradient() { value.zeroGradient() }

    private static func leaf(_ tensor: Tensor) -> Tensor {
        if tensor.isLeaf && tensor.requiresGradient { return tensor }
        let leaf = tensor.isLeaf ? tensor : tensor.detached()
        leaf.requiresGradient = true
        return leaf
    }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "Parameter(shape: \(shape), device: \(value.device.info.spec))" }
}
