import CZlib
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
    ///   - maxOutputBytes: refuse to produce more than this (guards against gzip bombs).
    /// - Throws: `DataError.corruptGzip` naming `file`.
    public static func decompress(
        _ bytes: [UInt8], file: String, maxOutputBytes: Int = 1 << 32
    ) throws -> [UInt8] {
        guard isGzip(bytes) else {
            throw DataError.corruptGzip(file: file, reason: "missing gzip magic 1f 8b")
        }
        var stream = z_stream()
        // 16 + 15: expect a gzip wrapper, 32 KiB window.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.corruptGzip(file: file, reason: "zlib could not initialise inflate")
        }
        defer { inflateEnd(&stream) }

        // The gzip trailer stores the last member's size mod 2^32: a good first capacity.
        var output = [UInt8](repeating: 0, count: min(initialCapacity(bytes), maxOutputBytes))
        var produced = 0
        try bytes.withUnsafeBufferPointer { input in
            var consumed = 0
            while true {
                if produced == output.count {
                    guard output.count < maxOutputBytes else {
                        throw DataError.corruptGzip(
                            file: file, reason: "decompressed size exceeds \(maxOutputBytes) bytes")
                    }
                    let grown = min(max(output.count * 2, 1 << 16), maxOutputBytes)
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(min(input.count - consumed, Int(UInt32.max)))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(out.count - produced, Int(UInt32.max)))
                    let before = (stream.avail_in, stream.avail_out)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(before.0 - stream.avail_in)
                    produced += Int(before.1 - stream.avail_out)
                    return status
                }
                switch status {
                case Z_STREAM_END:
                    let rest = input.count - consumed
                    if rest == 0 { return }
                    // Another member follows, or garbage does.
                    guard rest >= 2, input[consumed] == 0x1F, input[consumed + 1] == 0x8B else {
                        throw DataError.corruptGzip(
                            file: file, reason: "\(rest) trailing bytes after the gzip stream")
                    }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // Output space was free, so inflate starved for input.
                    throw DataError.corruptGzip(
                        file: file, reason: "stream ends early (truncated file?)")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw DataError.corruptGzip(file: file, reason: message)
                }
            }
        }
        output.removeSubrange(produced...)
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
