import SynapseBackend
/// The contents of a safetensors file: named tensors in order plus string metadata.
///
/// The format (shared by PyTorch, tinygrad, MLX and Hugging Face): an 8-byte little-endian
/// header length N, N bytes of JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data section)
/// and an optional `"__metadata__"` string→string object, then the tensors' bytes back to back.
///
/// Read with `init(contentsOf:)` (every header field is checked; see `init(bytes:file:)`),
/// build with `init(_:metadata:)` or the subscript, save with `write(to:)`, which replaces the
/// target atomically.
public struct SafeTensorsFile: Sendable, Equatable {
    /// The reserved header key for metadata; no tensor may be named this.
    public static let metadataKey = "__metadata__"

    /// Free-form string metadata (`"format": "pt"`, training step, …); empty if none.
    public var metadata: [String: String]
    /// Tensor names in file order (the order `write` lays the data out in).
    public private(set) var names: [String]
    /// Where the tensors were read from, for error messages (`"<memory>"` if built in code).
    public let source: String
    private var storage: [String: SafeTensor]

    /// An empty file with optional metadata.
    public init(metadata: [String: String] = [:]) {
        self.init(metadata: metadata, names: [], storage: [:], source: "<memory>")
    }

    /// A file holding `tensors` in the given order.
    ///
    /// Names must be unique and not `__metadata__` (a programmer error otherwise).
    public init(_ tensors: KeyValuePairs<String, SafeTensor>, metadata: [String: String] = [:]) {
        self.init(metadata: metadata)
        for (name, tensor) in tensors {
            ensure(storage[name] == nil, "SafeTensorsFile: duplicate tensor name '\(name)'")
            self[name] = tensor
        }
    }

    init(metadata: [String: String], names: [String], storage: [String: SafeTensor], source: String) {
        self.metadata = metadata
        self.names = names
        self.storage = storage
        self.source = source
    }

    /// The number of tensors.
    public var count: Int { names.count }

    /// The tensor named `name`, or `nil`. Setting a new name appends it to `names`; setting
    /// `nil` removes it. Setting `__metadata__` is a programmer error.
    public subscript(name: String) -> SafeTensor? {
        get { storage[name] }
        set {
            ensure(name != Self.metadataKey, "SafeTensorsFile: '\(name)' is reserved for metadata")
            switch (storage[name], newValue) {
            case (nil, .some): names.append(name)
            case (.some, nil): names.removeAll { $0 == name }
            default: break
            }
            storage[name] = newValue
        }
    }

    /// The tensor named `name`.
    ///
    /// - Throws: `DataError.missingTensor` naming the file, the key, and the keys it does have.
    public func tensor(named name: String) throws -> SafeTensor {
        guard let tensor = storage[name] else {
            throw DataError.missingTensor(file: source, key: name, available: names)
        }
        return tensor
    }

    /// The values of tensor `name` as `Float` (converting F16/BF16/F64/integers).
    public func floats(named name: String) throws -> [Float] {
        try tensor(named: name).floatValues()
    }

    /// The values of tensor `name` as `Int32` (from I32, U8, or I64 values that fit).
    public func int32s(named name: String) throws -> [Int32] {
        try naming(name) { try $0.int32Values() }
    }

    /// The values of tensor `name` as `Int64` (from I64, I32 or U8).
    public func int64s(named name: String) throws -> [Int64] {
        try naming(name) { try $0.int64Values() }
    }

    /// Runs a conversion, adding the tensor's name to a conversion error.
    private func naming<T>(_ name: String, _ convert: (SafeTensor) throws -> T) throws -> T {
        let tensor = try tensor(named: name)
        do {
            return try convert(tensor)
        } catch let DataError.conversion(_, stored, requested, reason) {
            throw DataError.conversion(key: "\(source): \(name)", stored: stored,
                                       requested: requested, reason: reason)
        }
    }

    /// Equal when names (in order), tensors and metadata are; `source` is not compared.
    public static func == (lhs: SafeTensorsFile, rhs: SafeTensorsFile) -> Bool {
        lhs.names == rhs.names && lhs.storage == rhs.storage && lhs.metadata == rhs.metadata
    }
}
