/// The element types a device buffer can hold. Both are 4 bytes wide, so layout code never
/// needs to care which one it moves.
public enum DType: String, Sendable, Hashable, CustomStringConvertible {
    /// 32-bit IEEE float: activations, parameters, gradients.
    case float32
    /// 32-bit signed integer: class labels and arg-max indices.
    case int32

    /// Bytes per element.
    public var byteSize: Int { 4 }
    public var description: String { rawValue }
}
