import SynapseBackend

/// An n-dimensional array on a device, with reverse-mode automatic differentiation.
///
/// A tensor is a view (shape, strides, offset) of a `Storage`; reshapes, permutes, slices and
/// broadcasts share memory. Every operation runs on the device of its inputs and, while gradients
/// are enabled and an input requires one, records a `Node` so `backward()` can apply the chain rule.
public final class Tensor: @unchecked Sendable {
    /// Size of each dimension.
    public let shape: [Int]
    /// Elements to step in storage per index of each dimension (0 for broadcast dimensions).
    public let strides: [Int]
    /// Index of the first element in storage.
    public let offset: Int
    /// Element type.
    public let dtype: DType
    /// The memory this view reads.
    public let storage: Storage

    /// Whether `backward()` should compute a gradient for this tensor.
    public var requiresGradient: Bool
    /// The accumulated gradient of a leaf that requires one, after `backward()` (nil before, and
    /// after `zeroGradient()`). With a gradient slot (`bindGradient(to:)`) it is that slot once written.
    public var gradient: Tensor? {
        get {
            guard let gradientSlot else { return storedGradient }
            return gradientIsWritten ? gradientSlot : nil
        }
        set {
            guard let gradientSlot else { storedGradient = newValue; return }
            if let newValue, !newValue.isSameView(as: gradientSlot) { withoutGradient { gradientSlot.assign(newValue) } }
            gradientIsWritten = newValue != nil
        }
    }
    /// The gradient of a leaf without a slot.
    private var storedGradient: Tensor?
    /// Where `backward()` writes this leaf's gradient (a view into a parameter arena's flat gradient
    /// buffer), if it has a fixed place; see `bindGradient(to:)`.
    public internal(set) var gradientSlot: Tensor?
    /// Whether `gradientSlot` holds this pass's gradient (false after `zeroGradient()`: the next
    /// contribution overwrites it instead of adding, so zeroing costs no launch).
    var gradientIsWritten = false
    /// The operation that produced this tensor, while a graph is recorded.
    public internal(set) var node: Node?

    init(storage: Storage, shape: [Int], strides: [Int]? = nil, offset: Int = 0, dtype: DType = .float32,
         requiresGradient: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? BufferView.contiguousStrides(for: shape)
        self.offset = offset
        self.dtype = dtype
        self.requiresGradient = requiresGradient
    }

    /// A new, uninitialised contiguous tensor.
    convenience init(empty shape: [Int], dtype: DType = .float32, on device: any Device) {
        ensure(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.init(storage: Storage(device: device, count: shape.reduce(1, *), dtype: dtype), shape: shape, dtype: dtype)
    }

    /// The device holding the data.
    public var device: any Device { storage.device }
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// True for tensors no operation produced (parameters, inputs).
    public var isLeaf: Bool { node == nil }

    /// What a backend sees of this tensor (nil when its allocation failed).
    public var bufferView: BufferView? {
        storage.buffer.map { BufferView(buffer: $0, shape: shape, strides: strides, offset: offset, dtype: dtype) }
    }

    /// True when the elements are row-major without gaps.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Another view of the same storage.
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Whether `other` is exactly this view: same memory, shape, strides, offset and dtype.
    public func isSameView(as other: Tensor) -> Bool {
        storage === other.storage && hasSameLayout(as: other)
    }

    /// Whether `other` lays out its elements as this tensor does, on the same device: same shape,
    /// strides, offset and dtype (what a replay needs of a tensor that stands in for another).
    public func hasSameLayout(as other: Tensor) -> Bool {
        shape == other.shape && strides == other.strides && offset == other.offset && dtype == other.dtype
            && device === other.device
    }

    /// The same data without history: shares storage, records no graph, requires no gradient.
    public func detached() -> Tensor {
        view(shape: shape, strides: strides, offset: offset)
    }

    /// Normalises a possibly negative axis, trapping with `op`'s name when out of range.
    func axis(_ axis: Int, op: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        ensure(normalized >= 0 && normalized < Swift.max(rank, 1),
               "\(op): axis \(axis) out of range for shape \(shape)")
        return normalized
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        "Tensor(shape: \(shape), dtype: \(dtype), device: \(device.info.spec)\(requiresGradient ? ", requiresGradient" : ""))"
    }
}
