// Typed views of a SafeTensor's bytes.

extension SafeTensor {
    /// The elements as `Float`, converting from any dtype.
    ///
    /// `F16` and `BF16` widen exactly; `F64`, `I32`, `I64` round to the nearest `Float`;
    /// `U8` values become 0…255.
    public func floatValues() -> [Float] {
        switch dtype {
        case .float32: return reinterpreted(as: Float.self) ?? littleEndian(UInt32.self).map { Float(bitPattern: $0) }
        case .float64: return littleEndian(UInt64.self).map { Float(Double(bitPattern: $0)) }
        case .float16: return littleEndian(UInt16.self).map(Self.halfToFloat)
        case .bfloat16: return littleEndian(UInt16.self).map { Float(bitPattern: UInt32($0) << 16) }
        case .int32: return littleEndian(UInt32.self).map { Float(Int32(bitPattern: $0)) }
        case .int64: return littleEndian(UInt64.self).map { Float(Int64(bitPattern: $0)) }
        case .uint8: return bytes.map { Float($0) }
        }
    }

    /// The elements as `Int32`, from `I32`, `U8`, or `I64` values that fit.
    ///
    /// - Throws: `DataError.conversion` for float dtypes or an `I64` value outside `Int32`.
    public func int32Values() throws -> [Int32] {
        switch dtype {
        case .int32: return reinterpreted(as: Int32.self) ?? littleEndian(UInt32.self).map { Int32(bitPattern: $0) }
        case .uint8: return bytes.map { Int32($0) }
        case .int64:
            let wide = littleEndian(UInt64.self).map { Int64(bitPattern: $0) }
            if let bad = wide.firstIndex(where: { Int32(exactly: $0) == nil }) {
                throw DataError.conversion(key: nil, stored: "I64", requested: "Int32",
                                           reason: "element \(bad) = \(wide[bad]) does not fit")
            }
            return wide.map { Int32($0) }
        case .float32, .float64, .float16, .bfloat16:
            throw DataError.conversion(key: nil, stored: dtype.rawValue, requested: "Int32",
                                       reason: "floating-point data; use floatValues()")
        }
    }

    /// The elements as `Int64`, from `I64`, `I32` or `U8`.
    ///
    /// - Throws: `DataError.conversion` for float dtypes.
    public func int64Values() throws -> [Int64] {
        switch dtype {
        case .int64: return reinterpreted(as: Int64.self) ?? littleEndian(UInt64.self).map { Int64(bitPattern: $0) }
        case .int32: return littleEndian(UInt32.self).map { Int64(Int32(bitPattern: $0)) }
        case .uint8: return bytes.map { Int64($0) }
        case .float32, .float64, .float16, .bfloat16:
            throw DataError.conversion(key: nil, stored: dtype.rawValue, requested: "Int64",
                                       reason: "floating-point data; use floatValues()")
        }
    }

    /// The bytes copied as-is into `[T]` on little-endian hosts, where the file layout is the
    /// memory layout (one memcpy instead of a loop); `nil` on big-endian hosts.
    private func reinterpreted<T: BitwiseCopyable>(as _: T.Type) -> [T]? {
        #if _endian(little)
        let count = bytes.count / MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
            }
            initialized = count
        }
        #else
        return nil
        #endif
    }

    /// The bytes read as little-endian unsigned integers of `Bits`' width.
    private func littleEndian<Bits: FixedWidthInteger>(_: Bits.Type) -> [Bits] {
        let size = MemoryLayout<Bits>.size
        let count = bytes.count / size
        return [Bits](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    out[i] = Bits(littleEndian: raw.loadUnaligned(fromByteOffset: i * size, as: Bits.self))
                }
            }
            initialized = count
        }
    }

    /// IEEE binary16 bits to `Float`, exactly (handles subnormals, infinities and NaN).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10 & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24  // subnormal (or zero): mantissa × 2^-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)  // inf / NaN
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)  // rebias 15 → 127
        }
    }
}
