import SynapseCore

/// Module state that is saved and moved with the parameters but not trained (PyTorch's buffers,
/// e.g. BatchNorm's `running_mean`). A reference box, like `Parameter`.
public final class Buffer: @unchecked Sendable {
    /// The current value; never requires a gradient.
    public var value: Tensor {
        didSet { value = Buffer.plain(value) }
    }

    /// Boxes `value` (detached from any graph).
    public init(_ value: Tensor) {
        self.value = Buffer.plain(value)
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }

    private static func plain(_ tensor: Tensor) -> Tensor {
        tensor.isLeaf && !tensor.requiresGradient ? tensor : tensor.detached()
    }
}

extension Buffer: CustomStringConvertible {
    public var description: String { "Buffer(shape: \(shape), dtype: \(value.dtype), device: \(value.device.info.spec))" }
}
