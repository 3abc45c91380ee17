import SynapseIO
import CSynapseZlib

/// Inflates a gzip stream (one or more concatenated members) on demand: the caller says how
/// many bytes it wants and gets no more, and compressed input is pulled in chunks as needed.
/// A gzip bomb therefore costs only what the caller asked for, never what the stream holds.
///
/// Damage, an early end and trailing garbage are `DataError.corruptGzip` naming `file`.
final class GzipInflater {
    /// Output produced per inflate call at most, so memory grows with what is actually produced.
    private static let outputChunk = 1 << 18

    private let file: String
    private let nextInput: () throws -> [UInt8]?
    private let stream: UnsafeMutablePointer<z_stream>
    /// Where each inflate call writes before the bytes are appended to the caller's array.
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    /// Compressed bytes not yet consumed: `input[inputOffset...]`.
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var inputEnded = false
    /// Whether the last member ended and nothing but more members followed: no output is left.
    private(set) var finished = false

    /// A stream over compressed chunks from `nextInput` (nil when there are no more).
    ///
    /// - Throws: `DataError.corruptGzip` if zlib cannot start.
    init(file: String, nextInput: @escaping () throws -> [UInt8]?) throws {
        self.file = file
        self.nextInput = nextInput
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = .allocate(capacity: Self.outputChunk)
        // 16 + 15: expect a gzip wrapper, 32 KiB window. zlib keeps `stream`'s address, so it
        // lives in its own allocation rather than in a Swift property that could move.
        guard inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            scratch.deallocate()
            throw DataError.corruptGzip(file: file, reason: "zlib could not initialise inflate")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Appends the next `count` bytes of output to `output`; fewer only if the stream ends.
    ///
    /// - Throws: `DataError.corruptGzip` for damaged data, a stream that ends early (no trailer)
    ///   or bytes after the last member that do not start another.
    func read(_ count: Int, into output: inout [UInt8]) throws {
        var missing = count
        while missing > 0 && !finished {
            if inputOffset == input.count { try pullInput(atLeast: 1) }
            let room = min(missing, scratch.count)
            let available = input.count - inputOffset
            let status: Int32 = input.withUnsafeBufferPointer { source in
                stream.pointee.next_in = available > 0 ? UnsafeMutablePointer(mutating: source.baseAddress! + inputOffset) : nil
                stream.pointee.avail_in = UInt32(min(available, Int(UInt32.max)))
                stream.pointee.next_out = scratch.baseAddress
                stream.pointee.avail_out = UInt32(room)
                return inflate(stream, Z_NO_FLUSH)
            }
            inputOffset += min(available, Int(UInt32.max)) - Int(stream.pointee.avail_in)
            let produced = room - Int(stream.pointee.avail_out)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<produced]))
            missing -= produced
            switch status {
            case Z_STREAM_END:
                try startNextMemberOrFinish()
            case Z_OK:
                continue
            case Z_BUF_ERROR where inputEnded && inputOffset == input.count:
                // Output space was free, so inflate starved for input: the file ends early.
                throw DataError.corruptGzip(file: file, reason: "stream ends early (truncated file?)")
            case Z_BUF_ERROR:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataError.corruptGzip(file: file, reason: message)
            }
        }
    }

    /// After a member's trailer: nothing more (finished), another member (1f 8b), or garbage.
    private func startNextMemberOrFinish() throws {
        try pullInput(atLeast: 2)
        let rest = input.count - inputOffset
        if rest == 0 {
            finished = true
            return
        }
        guard rest >= 2, input[inputOffset] == 0x1F, input[inputOffset + 1] == 0x8B else {
            let known = inputEnded ? "\(rest)" : "at least \(rest)"
            throw DataError.corruptGzip(file: file, reason: "\(known) trailing bytes after the gzip stream")
        }
        inflateReset(stream)
    }

    /// Pulls chunks until `count` unconsumed input bytes are held or the input has ended.
    private func pullInput(atLeast count: Int) throws {
        while input.count - inputOffset < count && !inputEnded {
            guard let chunk = try nextInput() else {
                inputEnded = true
                break
            }
            input = inputOffset == input.count ? chunk : Array(input[inputOffset...]) + chunk
            inputOffset = 0
        }
    }
}
