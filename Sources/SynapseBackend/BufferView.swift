/// What a backend sees of a tensor: a buffer plus shape, element strides, element offset and dtype.
///
/// Strides may be zero (broadcast) or describe a permutation; `isContiguous` tells when a view is
/// plain row-major memory starting at `offset`.
public struct BufferView: @unchecked Sendable {
    public let buffer: DeviceBuffer
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    public let dtype: DType

    public init(buffer: DeviceBuffer, shape: [Int], strides: [Int]? = nil, offset: Int = 0, dtype: DType = .float32) {
        ensure(strides == nil || strides!.count == shape.count, "BufferView: \(shape.count) dims but \(strides!.count) strides")
        self.buffer = buffer
        self.shape = shape
        self.strides = strides ?? BufferView.contiguousStrides(for: shape)
        self.offset = offset
        self.dtype = dtype
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// True when the elements are laid out row-major without gaps from `offset` on.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The same memory seen with another shape; only valid for contiguous views.
    public func reshaped(_ newShape: [Int]) -> BufferView {
        ensure(isContiguous && newShape.reduce(1, *) == count, "BufferView.reshaped: \(shape) -> \(newShape)")
        return BufferView(buffer: buffer, shape: newShape, offset: offset, dtype: dtype)
    }
}
