import SynapseBackend

/// Host data for one input of a primitive: element storage plus the view laid over it, so a case
/// can hand a device offset, permuted and broadcast (stride 0) views.
public struct ConformanceOperand: Sendable {
    /// Elements of a float32 or int32 buffer.
    public enum Storage: Sendable, Equatable {
        case float([Float])
        case int([Int32])

        /// Number of elements.
        public var count: Int {
            switch self { case let .float(v): v.count; case let .int(v): v.count }
        }

        /// The element type.
        public var dtype: DType {
            if case .int = self { return .int32 } else { return .float32 }
        }

        /// `count` elements from `start`.
        public func slice(_ start: Int, _ count: Int) -> Storage {
            switch self {
            case let .float(v): .float(Array(v[start..<(start + count)]))
            case let .int(v): .int(Array(v[start..<(start + count)]))
            }
        }
    }

    /// The whole buffer the view reads from.
    public var storage: Storage
    public var shape: [Int]
    /// Element strides; nil means row-major contiguous.
    public var strides: [Int]?
    /// Element offset of the view's first element.
    public var offset: Int

    public var dtype: DType { storage.dtype }

    public init(storage: Storage, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        self.storage = storage; self.shape = shape; self.strides = strides; self.offset = offset
    }

    /// A contiguous float operand of `shape` filled from `values`.
    public static func floats(_ values: [Float], _ shape: [Int]) -> ConformanceOperand {
        precondition(values.count == shape.reduce(1, *), "floats: \(values.count) values for shape \(shape)")
        return ConformanceOperand(storage: .float(values), shape: shape)
    }

    /// A contiguous int32 operand.
    public static func ints(_ values: [Int32], _ shape: [Int]) -> ConformanceOperand {
        ConformanceOperand(storage: .int(values), shape: shape)
    }

    /// A strided float view over `storage`.
    public static func view(_ storage: [Float], _ shape: [Int], strides: [Int], offset: Int = 0) -> ConformanceOperand {
        ConformanceOperand(storage: .float(storage), shape: shape, strides: strides, offset: offset)
    }
}

/// One output of a primitive: a contiguous view at `offset` inside a buffer whose other words hold
/// a sentinel, so a device that writes outside the view is caught. `initial` gives the view's
/// starting contents for primitives that update in place (optimizer steps).
public struct ConformanceOutput: Sendable {
    public var shape: [Int]
    public var dtype: DType
    /// Words before the view.
    public var offset: Int
    /// Starting contents of the view; nil leaves the sentinel there too.
    public var initial: [Float]?

    /// What every float word outside the view (and inside it, without `initial`) starts as.
    public static let sentinel: Float = -12345.5
    /// The int32 sentinel.
    public static let intSentinel: Int32 = -777
    /// Guard words after the view.
    public static let trailingWords = 2

    public init(shape: [Int], dtype: DType = .float32, offset: Int = 0, initial: [Float]? = nil) {
        self.shape = shape; self.dtype = dtype; self.offset = offset; self.initial = initial
    }

    /// Elements in the view.
    public var count: Int { shape.reduce(1, *) }
    /// Words in the whole buffer: the view plus `offset` before it and the trailing guard words.
    public var storageCount: Int { offset + count + Self.trailingWords }

    /// The buffer's contents before the primitive runs.
    public var initialStorage: ConformanceOperand.Storage {
        switch dtype {
        case .float32:
            var values = [Float](repeating: Self.sentinel, count: storageCount)
            if let initial { for (i, v) in initial.enumerated() { values[offset + i] = v } }
            return .float(values)
        case .int32:
            return .int([Int32](repeating: Self.intSentinel, count: storageCount))
        }
    }
}
