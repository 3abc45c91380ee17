import SynapseJSON
// Parsing safetensors files defensively: every number in the header is checked before use.

extension SafeTensorsFile {
    /// The largest header accepted (100 MiB, the reference implementation's limit too).
    public static let maxHeaderBytes = 100 << 20

    /// Reads and checks the safetensors file at `path`.
    ///
    /// Reads the 8-byte header length first, then the header, and checks both against the file's
    /// size before reading any tensor data; then reads exactly the byte ranges the header covers.
    /// A file larger than its header says is refused without being read, and a header whose
    /// tensors would not fit in physical memory is refused before anything is allocated.
    ///
    /// - Throws: `DataError.io` if it cannot be read or is not a regular file (a FIFO, a
    ///   directory), else the errors of `init(bytes:file:)`.
    public init(contentsOf path: String) throws {
        let file = try HostFileReader(path)
        let prefix = try file.read(at: 0, count: Swift.min(8, file.size), what: "safetensors header length")
        let dataStart = try Self.dataStart(prefix: prefix, totalBytes: file.size, file: path)
        let header = try file.read(at: 8, count: dataStart - 8, what: "safetensors header")
        let layout = try Self.parseHeader(header[...], dataSize: file.size - dataStart, file: path)
        try HostMemory.requireFits(layout.dataSize, file: path, what: "the tensor data")
        var storage: [String: SafeTensor] = [:]
        storage.reserveCapacity(layout.entries.count)
        for entry in layout.entries {
            let bytes = try file.read(at: dataStart + entry.range.lowerBound, count: entry.range.count,
                                      what: "data of tensor '\(entry.name)'")
            storage[entry.name] = SafeTensor(unchecked: entry.dtype, shape: entry.shape, bytes: bytes)
        }
        self.init(metadata: layout.metadata, names: layout.entries.map(\.name), storage: storage, source: path)
    }

    /// Parses safetensors bytes; `file` names the source in errors.
    ///
    /// Rejects, naming the file and (where there is one) the key: fewer than 8 bytes, a header
    /// length over `maxHeaderBytes` or past the end, a header that is not a JSON object or not
    /// valid UTF-8, a key repeated anywhere in the header (a tensor name, a field of one entry,
    /// a metadata key), metadata that is not string→string, an entry without `dtype`/`shape`/
    /// `data_offsets` of the right kinds, an unknown dtype, a negative dimension or sizes whose
    /// product overflows, offsets that are reversed, outside the data section, overlapping,
    /// leave a gap, or whose length is not `shape × dtype size`, and bytes after the last tensor
    /// (the format requires the data section to be covered exactly).
    public init(bytes: [UInt8], file: String) throws {
        let dataStart = try Self.dataStart(prefix: Array(bytes.prefix(8)), totalBytes: bytes.count, file: file)
        let layout = try Self.parseHeader(bytes[8..<dataStart], dataSize: bytes.count - dataStart, file: file)
        var storage: [String: SafeTensor] = [:]
        storage.reserveCapacity(layout.entries.count)
        for entry in layout.entries {
            let slice = bytes[dataStart + entry.range.lowerBound ..< dataStart + entry.range.upperBound]
            storage[entry.name] = SafeTensor(unchecked: entry.dtype, shape: entry.shape, bytes: Array(slice))
        }
        self.init(metadata: layout.metadata, names: layout.entries.map(\.name), storage: storage, source: file)
    }

    /// What a checked header describes: metadata, and each tensor's place in the data section.
    private struct Layout {
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: SafeTensorDType, shape: [Int], range: Range<Int>)] = []
        /// The bytes of the data section, all covered by `entries`.
        var dataSize = 0
    }

    /// Where the data section starts (8 + header length), from the first 8 bytes of a file of
    /// `totalBytes`: the length must be within `maxHeaderBytes` and the file.
    private static func dataStart(prefix: [UInt8], totalBytes: Int, file: String) throws -> Int {
        guard prefix.count == 8 else {
            throw DataError.truncated(file: file, what: "safetensors header length",
                                      expectedBytes: 8, actualBytes: totalBytes)
        }
        var headerLength: UInt64 = 0
        for byte in prefix.reversed() { headerLength = headerLength << 8 | UInt64(byte) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw DataError.malformed(
                file: file,
                reason: "safetensors header length \(headerLength) exceeds the \(Self.maxHeaderBytes)-byte limit")
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= totalBytes else {
            throw DataError.truncated(file: file, what: "safetensors header",
                                      expectedBytes: dataStart, actualBytes: totalBytes)
        }
        return dataStart
    }

    /// Parses and checks the JSON header of a file whose data section has `dataSize` bytes.
    private static func parseHeader(_ bytes: ArraySlice<UInt8>, dataSize: Int, file: String) throws -> Layout {
        let header: JSONValue
        do {
            header = try JSONValue.parse(bytes)
        } catch {
            if let duplicate = error.duplicate { throw repeated(duplicate, file: file) }
            throw DataError.malformed(
                file: file,
                reason: "safetensors header is not valid JSON: \(error.message) at header byte \(error.offset)")
        }
        guard case let .object(members) = header else {
            throw DataError.malformed(file: file, reason: "safetensors header is \(header.kind), not a JSON object")
        }
        var layout = Layout(dataSize: dataSize)
        for (key, value) in members {
            if key == Self.metadataKey {
                layout.metadata = try Self.parseMetadata(value, file: file)
            } else {
                let entry = try Self.parseEntry(key, value, dataSize: dataSize, file: file)
                layout.entries.append((key, entry.dtype, entry.shape, entry.range))
            }
        }
        try Self.checkLayout(layout.entries.map { ($0.name, $0.range) }, dataSize: dataSize, file: file)
        return layout
    }

    /// The error for a key the header repeats, naming the tensor entry (or `__metadata__`) it is in.
    private static func repeated(_ duplicate: JSONValue.DuplicateKey, file: String) -> DataError {
        guard let entry = duplicate.path.first else {
            return .invalidHeader(file: file, key: duplicate.key, reason: "appears more than once")
        }
        let inner = duplicate.path.dropFirst().map { "\"\($0)\"" }.joined(separator: " → ")
        let place = inner.isEmpty ? "" : " inside \(inner)"
        let what = entry == metadataKey ? "key" : "field"
        return .invalidHeader(file: file, key: entry,
                              reason: "\(what) \"\(duplicate.key)\"\(place) appears more than once")
    }

    /// `__metadata__` must be an object whose values are all strings.
    private static func parseMetadata(_ value: JSONValue, file: String) throws -> [String: String] {
        guard case let .object(pairs) = value else {
            throw DataError.invalidHeader(file: file, key: metadataKey,
                                          reason: "must be an object of strings, found \(value.kind)")
        }
        var metadata: [String: String] = [:]
        for (name, item) in pairs {
            guard case let .string(text) = item else {
                throw DataError.invalidHeader(file: file, key: metadataKey,
                                              reason: "value of '\(name)' must be a string, found \(item.summary)")
            }
            metadata[name] = text
        }
        return metadata
    }

    /// Checks one tensor entry on its own: fields present and typed, dtype known, shape
    /// non-negative, offsets ordered, inside the data section and matching the size.
    private static func parseEntry(
        _ key: String, _ value: JSONValue, dataSize: Int, file: String
    ) throws -> (dtype: SafeTensorDType, shape: [Int], range: Range<Int>) {
        func invalid(_ reason: String) -> DataError { .invalidHeader(file: file, key: key, reason: reason) }
        guard case let .object(fields) = value else {
            throw invalid("must be an object with dtype, shape and data_offsets, found \(value.kind)")
        }
        func field(_ name: String) throws -> JSONValue {
            guard let found = fields.first(where: { $0.key == name }) else { throw invalid("missing \"\(name)\"") }
            return found.value
        }
        guard case let .string(dtypeName) = try field("dtype") else { throw invalid("\"dtype\" must be a string") }
        guard let dtype = SafeTensorDType(rawValue: dtypeName) else {
            throw DataError.unknownDType(file: file, key: key, dtype: dtypeName)
        }
        let shapeValue = try field("shape")
        guard case let .array(shapeItems) = shapeValue else { throw invalid("\"shape\" must be an array") }
        var shape: [Int] = []
        for item in shapeItems {
            guard let size = item.integer else { throw invalid("\"shape\" entries must be integers, found \(item.summary)") }
            guard size >= 0 else { throw invalid("\"shape\" has a negative dimension: \(size)") }
            shape.append(size)
        }
        guard case let .array(offsetItems) = try field("data_offsets"), offsetItems.count == 2,
              let begin = offsetItems[0].integer, let end = offsetItems[1].integer, begin >= 0, end >= 0
        else { throw invalid("\"data_offsets\" must be two non-negative integers [begin, end]") }
        guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] are reversed") }
        guard end <= dataSize else {
            throw invalid("data_offsets [\(begin), \(end)] lie outside the \(dataSize)-byte data section")
        }
        guard let expected = SafeTensor.byteCount(dtype: dtype, shape: shape) else {
            throw invalid("shape \(shape) is too large")
        }
        guard end - begin == expected else {
            throw invalid("holds \(end - begin) bytes but \(dtype) \(shape) needs \(expected)")
        }
        return (dtype, shape, begin..<end)
    }

    /// Tensors must tile the data section: no overlap, no gap, nothing after the last.
    private static func checkLayout(_ ranges: [(String, Range<Int>)], dataSize: Int, file: String) throws {
        let sorted = ranges.sorted {
            ($0.1.lowerBound, $0.1.upperBound) < ($1.1.lowerBound, $1.1.upperBound)
        }
        var end = 0
        var previous: String?
        for (name, range) in sorted {
            if range.lowerBound < end {
                throw DataError.invalidHeader(
                    file: file, key: name,
                    reason: "data_offsets [\(range.lowerBound), \(range.upperBound)] overlap tensor '\(previous ?? "")'")
            }
            if range.lowerBound > end {
                throw DataError.invalidHeader(
                    file: file, key: name,
                    reason: "data_offsets start at \(range.lowerBound), leaving a gap after byte \(end)")
            }
            end = range.upperBound
            if !range.isEmpty { previous = name }
        }
        guard end == dataSize else {
            throw DataError.malformed(
                file: file, reason: "\(dataSize - end) bytes after the last tensor's data (no header entry covers them)")
        }
    }
}
