import SynapseBackend
/// One tensor of a safetensors file, held on the host: dtype, shape and raw little-endian bytes.
///
/// The type knows nothing of devices; `SynapseCore` turns the values into a `Tensor`. An empty
/// shape `[]` is a scalar (one element); a shape containing 0 holds no bytes.
public struct SafeTensor: Sendable, Equatable {
    /// The element type.
    public let dtype: SafeTensorDType
    /// The sizes of each dimension, outermost first (row-major, as NumPy and PyTorch).
    public let shape: [Int]
    /// The elements, little-endian, exactly `elementCount * dtype.byteSize` bytes.
    public let bytes: [UInt8]

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// A tensor from raw little-endian bytes.
    ///
    /// - Throws: `DataError.malformed` if a dimension is negative, the element count overflows,
    ///   or `bytes` is not `elementCount * dtype.byteSize` long.
    public init(dtype: SafeTensorDType, shape: [Int], bytes: [UInt8]) throws {
        guard let expected = Self.byteCount(dtype: dtype, shape: shape) else {
            throw DataError.malformed(file: "<memory>", reason: "invalid tensor shape \(shape)")
        }
        guard expected == bytes.count else {
            throw DataError.malformed(
                file: "<memory>",
                reason: "\(bytes.count) bytes cannot hold a \(dtype) tensor of shape \(shape) (\(expected) bytes)")
        }
        self.init(unchecked: dtype, shape: shape, bytes: bytes)
    }

    /// A `F32` tensor; `values.count` must equal the product of `shape`.
    public init(_ values: [Float], shape: [Int]) {
        self.init(packing: values, as: .float32, shape: shape) { $0.bitPattern.littleEndian }
    }

    /// An `I32` tensor; `values.count` must equal the product of `shape`.
    public init(_ values: [Int32], shape: [Int]) {
        self.init(packing: values, as: .int32, shape: shape) { $0.littleEndian }
    }

    /// An `I64` tensor; `values.count` must equal the product of `shape`.
    public init(_ values: [Int64], shape: [Int]) {
        self.init(packing: values, as: .int64, shape: shape) { $0.littleEndian }
    }

    /// A tensor whose bytes are already known to match `dtype` and `shape`.
    init(unchecked dtype: SafeTensorDType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// `elementCount * dtype.byteSize`, or `nil` for a negative dimension or an overflow.
    ///
    /// A zero dimension does not excuse the others: `[0, 2^62, 4]` is refused, because code that
    /// multiplies the sizes in another order (`2^62 * 4 * 0`) would overflow on it.
    static func byteCount(dtype: SafeTensorDType, shape: [Int]) -> Int? {
        var nonZero = dtype.byteSize
        for size in shape {
            guard size >= 0 else { return nil }
            let product = nonZero.multipliedReportingOverflow(by: Swift.max(size, 1))
            guard !product.overflow else { return nil }
            nonZero = product.partialValue
        }
        return shape.contains(0) ? 0 : nonZero
    }

    /// Copies `values` into little-endian bytes via `encode` (which returns the LE bit pattern).
    private init<T, Bits: FixedWidthInteger>(
        packing values: [T], as dtype: SafeTensorDType, shape: [Int], _ encode: (T) -> Bits
    ) {
        ensure(shape.allSatisfy { $0 >= 0 }, "SafeTensor: negative dimension in shape \(shape)")
        ensure(values.count == shape.reduce(1, *),
               "SafeTensor: \(values.count) values for shape \(shape) (\(shape.reduce(1, *)) elements)")
        let size = MemoryLayout<Bits>.size
        #if _endian(little)
        // The in-memory layout already is the file layout: one copy, no per-element work.
        if MemoryLayout<T>.size == size {
            self.init(unchecked: dtype, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
            return
        }
        #endif
        let bytes = [UInt8](unsafeUninitializedCapacity: values.count * size) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: encode(value), toByteOffset: i * size, as: Bits.self)
            }
            initialized = values.count * size
        }
        self.init(unchecked: dtype, shape: shape, bytes: bytes)
    }
}
