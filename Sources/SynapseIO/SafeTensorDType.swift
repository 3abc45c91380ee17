/// The element types of a safetensors file, spelled as in the format (`F32`, `I64`, …).
///
/// Reading accepts all of these; conversions to `[Float]`, `[Int32]`, `[Int64]` live on
/// `SafeTensor`. Elements are little-endian in the file.
public enum SafeTensorDType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE float.
    case float32 = "F32"
    /// 64-bit IEEE float.
    case float64 = "F64"
    /// 16-bit IEEE half float.
    case float16 = "F16"
    /// bfloat16: the upper half of an IEEE float32.
    case bfloat16 = "BF16"
    /// 32-bit signed integer.
    case int32 = "I32"
    /// 64-bit signed integer.
    case int64 = "I64"
    /// 8-bit unsigned integer.
    case uint8 = "U8"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8: return 1
        case .float16, .bfloat16: return 2
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// The format's spelling (`F32`).
    public var description: String { rawValue }
}
