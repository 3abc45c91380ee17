/// Failures of the host-side data formats (IDX, gzip, safetensors), each naming the file and
/// the problem so the message alone says what to fix.
///
/// `file` is the path the bytes came from, or a caller-chosen label (e.g. `"<memory>"`) when
/// bytes were parsed without a file.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file exists under any of the names tried; `hint` says where such files come from.
    case missingFile(directory: String, tried: [String], hint: String)
    /// The file exists but could not be read or written; `reason` is the system's message.
    case io(file: String, operation: String, reason: String)
    /// The file ends before the data its header promises.
    case truncated(file: String, what: String, expectedBytes: Int, actualBytes: Int)
    /// The leading magic bytes are not those of the claimed format.
    case badMagic(file: String, expected: String, found: String)
    /// An IDX file has the wrong number of dimensions for its role (images 3, labels 1).
    case wrongDimensionality(file: String, expected: Int, found: [Int])
    /// An IDX file stores an element type this reader cannot use for its role.
    case unsupportedElementType(file: String, code: UInt8, detail: String)
    /// Image and label files disagree on the number of examples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label lies outside `0..<classCount`.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)
    /// A gzip stream is damaged or ends early; `reason` is zlib's message.
    case corruptGzip(file: String, reason: String)
    /// Bytes are structurally wrong in a way not covered above; `reason` says how.
    case malformed(file: String, reason: String)
    /// A safetensors header entry is invalid; `key` is the tensor name (or `__metadata__`).
    case invalidHeader(file: String, key: String, reason: String)
    /// A safetensors entry names a dtype this reader does not know.
    case unknownDType(file: String, key: String, dtype: String)
    /// A tensor was asked for by name but the file has no such key.
    case missingTensor(file: String, key: String, available: [String])
    /// A tensor's values cannot be converted to what was asked for (wrong dtype, or a value
    /// out of the requested type's range). `key` is the tensor name when known.
    case conversion(key: String?, stored: String, requested: String, reason: String)

    /// A one-paragraph explanation naming the file and the problem.
    public var description: String {
        switch self {
        case let .missingFile(directory, tried, hint):
            return "no file found in \(directory): tried \(tried.joined(separator: ", ")). \(hint)"
        case let .io(file, operation, reason):
            return "\(file): could not \(operation): \(reason)"
        case let .truncated(file, what, expected, actual):
            return "\(file): truncated \(what): expected \(expected) bytes, found \(actual)"
        case let .badMagic(file, expected, found):
            return "\(file): bad magic number: expected \(expected), found \(found)"
        case let .wrongDimensionality(file, expected, found):
            return "\(file): expected \(expected) dimension(s), found \(found.count) \(found)"
        case let .unsupportedElementType(file, code, detail):
            return "\(file): unsupported IDX element type 0x\(String(code, radix: 16)): \(detail)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case let .labelOutOfRange(file, index, label, classCount):
            return "\(file): label \(label) at index \(index) is outside 0...\(classCount - 1)"
        case let .corruptGzip(file, reason):
            return "\(file): corrupt gzip data: \(reason)"
        case let .malformed(file, reason):
            return "\(file): \(reason)"
        case let .invalidHeader(file, key, reason):
            return "\(file): safetensors entry '\(key)': \(reason)"
        case let .unknownDType(file, key, dtype):
            let known = SafeTensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): safetensors entry '\(key)': unknown dtype '\(dtype)' (known: \(known))"
        case let .missingTensor(file, key, available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "\(file): no tensor named '\(key)'; available: \(list)"
        case let .conversion(key, stored, requested, reason):
            let name = key.map { "tensor '\($0)'" } ?? "tensor"
            return "\(name) stored as \(stored) cannot be read as \(requested): \(reason)"
        }
    }
}
