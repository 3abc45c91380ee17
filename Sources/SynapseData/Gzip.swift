import SynapseIO
import CSynapseZlib
import SynapseBackend

/// Whole-buffer gzip compression and decompression through zlib.
///
/// Decompression accepts one or more concatenated gzip members (what `cat a.gz b.gz` makes)
/// and reports damage, early ends and trailing garbage as `DataError.corruptGzip`.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a whole gzip file held in memory.
    ///
    /// - Parameters:
    ///   - bytes: the compressed file.
    ///   - file: the name errors report.
    ///   - maxOutputBytes: refuse to produce more than this (guards against gzip bombs); output
    ///     memory grows with what is produced, so a bomb is stopped at this size.
    /// - Throws: `DataError.corruptGzip` naming `file`.
    public static func decompress(
        _ bytes: [UInt8], file: String, maxOutputBytes: Int = 1 << 32
    ) throws -> [UInt8] {
        ensure(maxOutputBytes >= 0, "Gzip.decompress: maxOutputBytes \(maxOutputBytes) is negative")
        guard isGzip(bytes) else {
            throw DataError.corruptGzip(file: file, reason: "missing gzip magic 1f 8b")
        }
        var pending: [UInt8]? = bytes
        let inflater = try GzipInflater(file: file) { defer { pending = nil }; return pending }
        var output: [UInt8] = []
        output.reserveCapacity(min(initialCapacity(bytes), maxOutputBytes))
        try inflater.read(maxOutputBytes, into: &output)
        if !inflater.finished {
            // Exactly at the limit: only a clean end of the stream may follow.
            var probe: [UInt8] = []
            try inflater.read(1, into: &probe)
            guard probe.isEmpty else {
                throw DataError.corruptGzip(file: file, reason: "decompressed size exceeds \(maxOutputBytes) bytes")
            }
        }
        return output
    }

    /// Compresses `bytes` into a single gzip member (what the `gzip` tool writes).
    ///
    /// - Parameter level: zlib level 0 (store) … 9 (smallest); `-1` is zlib's default (6).
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
        ensure(bytes.count < Int(UInt32.max), "Gzip.compress: input over 4 GiB")
        var stream = z_stream()
        // 31 = 16 (gzip wrapper) + 15 (32 KiB window).
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                       Z_DEFAULT_STRATEGY, zlibVersion(),
                                       Int32(MemoryLayout<z_stream>.size))
        ensure(initStatus == Z_OK, "Gzip.compress: deflateInit2 failed with status \(initStatus)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var produced = 0
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let status = deflate(&stream, Z_FINISH)
                ensure(status == Z_STREAM_END, "Gzip.compress: deflate returned \(status)")
                produced = out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// A first output size for `bytes`: the trailer's ISIZE field (+1, so the end of the
    /// stream is seen without growing), but never more than 16× the input, so a truncated or
    /// hostile file whose last bytes are not a real trailer cannot make us allocate a gigabyte.
    private static func initialCapacity(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        guard n >= 18 else { return 1 << 16 }
        let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8
            | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        return min(isize + 1, max(1 << 16, 16 * n))
    }
}
