import SynapseIO
import SynapseBackend
/// One IDX file: the format of MNIST and Fashion-MNIST.
///
/// Layout: magic `00 00 <type> <ndims>`, then `ndims` big-endian `UInt32` sizes, then the
/// elements in row-major order, big-endian. The reader takes raw or gzip-compressed files
/// (detected from the content, not the name) and insists that the data is exactly as long as
/// the sizes say: shorter is `DataError.truncated`, longer is `DataError.malformed` (see
/// `IDXFile+Reading.swift`). It can read just the first items of a large file.
public struct IDXFile: Sendable, Equatable {
    /// The element types IDX defines, by their type code.
    public enum ElementType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// Unsigned byte (`0x08`): pixels and labels in MNIST.
        case uint8 = 0x08
        /// Signed byte (`0x09`).
        case int8 = 0x09
        /// Big-endian 16-bit signed integer (`0x0B`).
        case int16 = 0x0B
        /// Big-endian 32-bit signed integer (`0x0C`).
        case int32 = 0x0C
        /// Big-endian 32-bit IEEE float (`0x0D`).
        case float32 = 0x0D
        /// Big-endian 64-bit IEEE float (`0x0E`).
        case float64 = 0x0E

        /// Bytes per element.
        public var byteSize: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }

        /// The IDX name of the type (`ubyte`, `int`, …).
        public var description: String {
            switch self {
            case .uint8: return "ubyte"
            case .int8: return "byte"
            case .int16: return "short"
            case .int32: return "int"
            case .float32: return "float"
            case .float64: return "double"
            }
        }
    }

    /// The element type from the magic number.
    public let elementType: ElementType
    /// The sizes of each dimension, outermost first (e.g. `[60000, 28, 28]`).
    public let dimensions: [Int]
    /// The element bytes exactly as stored (big-endian for multi-byte types).
    public let data: [UInt8]
    /// The number of items (the first dimension) the file holds: more than `dimensions[0]` when
    /// only the first items were read (`maxItems`). 1 for a file of rank 0.
    public let fileItemCount: Int

    /// The number of elements: the product of `dimensions`.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// An IDX value from parts; `data` must hold `elementCount * elementType.byteSize` bytes.
    public init(elementType: ElementType, dimensions: [Int], data: [UInt8]) {
        ensure(dimensions.count <= 255, "IDXFile: at most 255 dimensions, got \(dimensions.count)")
        ensure(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
               "IDXFile: dimensions \(dimensions) must lie in 0...UInt32.max")
        ensure(data.count == dimensions.reduce(1, *) * elementType.byteSize,
               "IDXFile: \(data.count) data bytes for dimensions \(dimensions) of \(elementType)")
        self.init(elementType: elementType, dimensions: dimensions, data: data,
                  fileItemCount: dimensions.first ?? 1)
    }

    /// A value whose parts the reader has checked.
    init(elementType: ElementType, dimensions: [Int], data: [UInt8], fileItemCount: Int) {
        self.elementType = elementType
        self.dimensions = dimensions
        self.data = data
        self.fileItemCount = fileItemCount
    }

    /// The file's bytes in IDX layout (uncompressed; wrap with `Gzip.compress` for `.gz`).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = [0, 0, elementType.rawValue, UInt8(dimensions.count)]
        out.reserveCapacity(4 + 4 * dimensions.count + data.count)
        for size in dimensions {
            let value = UInt32(size)
            out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        out += data
        return out
    }

    /// The elements as `Int32`, for integer element types (`uint8`, `int8`, `int16`, `int32`).
    ///
    /// Returns `nil` for float types, whose values need not be integers.
    public func int32Values() -> [Int32]? {
        switch elementType {
        case .uint8: return data.map { Int32($0) }
        case .int8: return data.map { Int32(Int8(bitPattern: $0)) }
        case .int16:
            return (0..<elementCount).map { i in
                Int32(Int16(bitPattern: UInt16(data[2 * i]) << 8 | UInt16(data[2 * i + 1])))
            }
        case .int32: return (0..<elementCount).map { Int32(bitPattern: bigEndianUInt32(at: 4 * $0)) }
        case .float32, .float64: return nil
        }
    }

    /// The elements converted to `Float`, for every element type.
    public func floatValues() -> [Float] {
        switch elementType {
        case .uint8: return data.map { Float($0) }
        case .int8: return data.map { Float(Int8(bitPattern: $0)) }
        case .int16, .int32: return int32Values()!.map { Float($0) }
        case .float32: return (0..<elementCount).map { Float(bitPattern: bigEndianUInt32(at: 4 * $0)) }
        case .float64:
            return (0..<elementCount).map { i in
                let high = UInt64(bigEndianUInt32(at: 8 * i)), low = UInt64(bigEndianUInt32(at: 8 * i + 4))
                return Float(Double(bitPattern: high << 32 | low))
            }
        }
    }

    private func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16
            | UInt32(data[offset + 2]) << 8 | UInt32(data[offset + 3])
    }

    /// Bytes as `00 0a ff …` for error messages.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    }
}
