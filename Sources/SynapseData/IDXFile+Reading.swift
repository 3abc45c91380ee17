import SynapseIO
import SynapseBackend
// Reading IDX files defensively: the header is read and checked first, and then only the bytes
// it says are needed are read or inflated, so neither a huge file nor a gzip bomb costs more
// memory than the data actually used.

extension IDXFile {
    /// Reads the IDX file at `path` (raw or gzip), or only its first `maxItems` items.
    ///
    /// A raw file's size must match its header even when only some items are read; a gzip file
    /// is inflated only as far as the items read (and, when all are read, to its end, to check
    /// that nothing follows and the checksum holds).
    ///
    /// - Throws: `DataError.io` if it cannot be read or is not a regular file (a FIFO, a
    ///   directory), else the errors of `init(bytes:file:maxItems:)`.
    public init(contentsOf path: String, maxItems: Int? = nil) throws {
        let reader = try HostFileReader(path)
        let magic = try reader.read(at: 0, count: Swift.min(2, reader.size), what: "IDX magic number")
        let source: IDXByteSource
        if Gzip.isGzip(magic) {
            var offset = 0
            source = .gzip(try GzipInflater(file: path) {
                guard offset < reader.size else { return nil }
                let chunk = try reader.read(at: offset, count: Swift.min(1 << 20, reader.size - offset),
                                            what: "gzip data")
                offset += chunk.count
                return chunk
            })
        } else {
            source = .file(reader, offset: 0)
        }
        try self.init(source, file: path, maxItems: maxItems)
    }

    /// Parses IDX bytes (raw or gzip), or only their first `maxItems` items; `file` is the name
    /// errors report.
    ///
    /// - Throws: `DataError` naming `file`: truncated magic, header or data; bad magic; an
    ///   unknown element type; dimensions whose product overflows or whose data would not fit
    ///   in physical memory; bytes after the data; corrupt gzip.
    public init(bytes: [UInt8], file: String, maxItems: Int? = nil) throws {
        var pending: [UInt8]? = bytes
        let source: IDXByteSource = Gzip.isGzip(bytes)
            ? .gzip(try GzipInflater(file: file) { defer { pending = nil }; return pending })
            : .memory(bytes, offset: 0)
        try self.init(source, file: file, maxItems: maxItems)
    }

    /// Reads the header from `source`, checks it, then reads the items it covers.
    private init(_ source: IDXByteSource, file: String, maxItems: Int?) throws {
        ensure((maxItems ?? 0) >= 0, "IDXFile: maxItems \(maxItems ?? 0) is negative")
        var source = source
        let magic = try source.read(4, what: "IDX magic number", file: file)
        guard magic[0] == 0, magic[1] == 0 else {
            throw DataError.badMagic(file: file, expected: "00 00 <type> <ndims>", found: Self.hex(magic))
        }
        guard let type = ElementType(rawValue: magic[2]) else {
            let known = ElementType.allCases.map { "0x" + String($0.rawValue, radix: 16) }
            throw DataError.unsupportedElementType(
                file: file, code: magic[2], detail: "IDX defines \(known.joined(separator: ", "))")
        }
        let rank = Int(magic[3])
        let sizes = try source.read(4 * rank, what: "IDX header (\(rank) dimensions)", file: file, skipped: 4)
        let dims = (0..<rank).map { axis in
            sizes[4 * axis ..< 4 * axis + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let layout = try Layout(type: type, dimensions: dims, file: file)
        let headerSize = 4 + 4 * rank

        if let remaining = source.remaining {  // raw data: its size is known before reading it
            guard remaining >= layout.totalBytes else {
                throw DataError.truncated(file: file, what: "IDX data for dimensions \(dims)",
                                          expectedBytes: headerSize + layout.totalBytes,
                                          actualBytes: headerSize + remaining)
            }
            guard remaining == layout.totalBytes else {
                throw DataError.malformed(
                    file: file,
                    reason: "\(remaining - layout.totalBytes) unexpected bytes after the IDX data for dimensions \(dims)")
            }
        }
        let items = rank == 0 ? 1 : Swift.min(layout.items, maxItems ?? layout.items)
        let wanted = items * layout.itemBytes  // ≤ totalBytes, so no overflow
        try HostMemory.requireFits(wanted, file: file, what: "IDX data for \(items) items of dimensions \(dims)")
        let data = try source.read(wanted, what: "IDX data for dimensions \(dims)", file: file, skipped: headerSize)
        if items == layout.items, source.remaining == nil {  // a whole gzip stream: nothing may follow
            guard try source.read(upTo: 1).isEmpty else {
                throw DataError.malformed(
                    file: file,
                    reason: "the data holds more than the \(layout.totalBytes) bytes IDX dimensions \(dims) describe")
            }
        }
        var kept = dims
        if rank > 0 { kept[0] = items }
        self.init(elementType: type, dimensions: kept, data: data, fileItemCount: rank == 0 ? 1 : layout.items)
    }

    /// The sizes a header implies, each checked for overflow. A zero dimension does not excuse
    /// the others: `[2^31, 2^31, 4, 0]` holds nothing, but `elementCount` (or any code that
    /// multiplies the sizes in order) would overflow on it, so the non-zero sizes must fit.
    private struct Layout {
        /// The first dimension (1 for rank 0).
        let items: Int
        /// Bytes per item: the product of the other dimensions times the element size.
        let itemBytes: Int
        /// Bytes of the whole data: `items * itemBytes`.
        let totalBytes: Int

        init(type: ElementType, dimensions: [Int], file: String) throws {
            func tooLarge() -> DataError {
                .malformed(file: file, reason: "IDX dimensions \(dimensions) of \(type) are too large (their product overflows)")
            }
            var nonZeroProduct = type.byteSize
            for size in dimensions {
                let product = nonZeroProduct.multipliedReportingOverflow(by: Swift.max(size, 1))
                guard !product.overflow else { throw tooLarge() }
                nonZeroProduct = product.partialValue
            }
            // Every product below divides nonZeroProduct or is 0: none can overflow.
            items = dimensions.first ?? 1
            itemBytes = dimensions.dropFirst().reduce(type.byteSize, *)
            totalBytes = items * itemBytes
        }
    }
}

/// IDX bytes in order: from memory, from a raw file, or inflated from gzip on demand.
private enum IDXByteSource {
    case memory([UInt8], offset: Int)
    case file(HostFileReader, offset: Int)
    case gzip(GzipInflater)

    /// Bytes left, when known without reading them (not for gzip).
    var remaining: Int? {
        switch self {
        case let .memory(bytes, offset): return bytes.count - offset
        case let .file(reader, offset): return reader.size - offset
        case .gzip: return nil
        }
    }

    /// The next `count` bytes, or fewer at the end of the data.
    mutating func read(upTo count: Int) throws -> [UInt8] {
        switch self {
        case let .memory(bytes, offset):
            let end = offset + Swift.min(count, bytes.count - offset)
            self = .memory(bytes, offset: end)
            return Array(bytes[offset..<end])
        case let .file(reader, offset):
            let taken = Swift.min(count, reader.size - offset)
            self = .file(reader, offset: offset + taken)
            return try reader.read(at: offset, count: taken, what: "IDX data")
        case let .gzip(inflater):
            var out: [UInt8] = []
            try inflater.read(count, into: &out)
            return out
        }
    }

    /// Exactly the next `count` bytes; `DataError.truncated` (describing `what`, with offsets
    /// counted from the file start: `skipped` bytes were read before) if the data ends first.
    mutating func read(_ count: Int, what: String, file: String, skipped: Int = 0) throws -> [UInt8] {
        let bytes = try read(upTo: count)
        guard bytes.count == count else {
            throw DataError.truncated(file: file, what: what, expectedBytes: skipped + count,
                                      actualBytes: skipped + bytes.count)
        }
        return bytes
    }
}
