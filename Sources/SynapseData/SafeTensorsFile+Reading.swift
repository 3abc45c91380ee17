// Parsing safetensors files defensively: every number in the header is checked before use.

extension SafeTensorsFile {
    /// The largest header accepted (100 MiB, the reference implementation's limit too).
    public static let maxHeaderBytes = 100 << 20

    /// Reads and checks the safetensors file at `path`.
    ///
    /// - Throws: `DataError.io` if it cannot be read, else the errors of `init(bytes:file:)`.
    public init(contentsOf path: String) throws {
        try self.init(bytes: HostFile.readAll(path), file: path)
    }

    /// Parses safetensors bytes; `file` names the source in errors.
    ///
    /// Rejects, naming the file and (where there is one) the key: fewer than 8 bytes, a header
    /// length over `maxHeaderBytes` or past the end, a header that is not a JSON object, a
    /// duplicate key, metadata that is not string→string, an entry without `dtype`/`shape`/
    /// `data_offsets` of the right kinds, an unknown dtype, a negative dimension, offsets that
    /// are reversed, outside the data section, overlapping, leave a gap, or whose length is not
    /// `shape × dtype size`, and bytes after the last tensor (the format requires the data
    /// section to be covered exactly).
    public init(bytes: [UInt8], file: String) throws {
        guard bytes.count >= 8 else {
            throw DataError.truncated(file: file, what: "safetensors header length",
                                      expectedBytes: 8, actualBytes: bytes.count)
        }
        var headerLength: UInt64 = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw DataError.malformed(
                file: file,
                reason: "safetensors header length \(headerLength) exceeds the \(Self.maxHeaderBytes)-byte limit")
        }
        let dataStart = 8 + Int(headerLength)
        guard dataStart <= bytes.count else {
            throw DataError.truncated(file: file, what: "safetensors header",
                                      expectedBytes: dataStart, actualBytes: bytes.count)
        }
        let header: JSONValue
        do {
            header = try JSONValue.parse(bytes[8..<dataStart])
        } catch {
            throw DataError.malformed(
                file: file,
                reason: "safetensors header is not valid JSON: \(error.message) at header byte \(error.offset)")
        }
        guard case let .object(members) = header else {
            throw DataError.malformed(file: file, reason: "safetensors header is \(header.kind), not a JSON object")
        }

        let dataSize = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: SafeTensorDType, shape: [Int], range: Range<Int>)] = []
        var seen = Set<String>()
        for (key, value) in members {
            guard seen.insert(key).inserted else {
                throw DataError.invalidHeader(file: file, key: key, reason: "appears more than once")
            }
            if key == Self.metadataKey {
                metadata = try Self.parseMetadata(value, file: file)
            } else {
                let entry = try Self.parseEntry(key, value, dataSize: dataSize, file: file)
                entries.append((key, entry.dtype, entry.shape, entry.range))
            }
        }
        try Self.checkLayout(entries.map { ($0.name, $0.range) }, dataSize: dataSize, file: file)

        var storage: [String: SafeTensor] = [:]
        storage.reserveCapacity(entries.count)
        for entry in entries {
            let slice = bytes[dataStart + entry.range.lowerBound ..< dataStart + entry.range.upperBound]
            storage[entry.name] = SafeTensor(unchecked: entry.dtype, shape: entry.shape, bytes: Array(slice))
        }
        self.init(metadata: metadata, names: entries.map(\.name), storage: storage, source: file)
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
