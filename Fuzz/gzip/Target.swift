// libFuzzer target: gzip decompression, whole-buffer and streamed in small chunks (the way files
// are read), which must agree. Built into the SynapseData sources by scripts/fuzz.sh.
//
// The first byte chooses the input chunk size (1...256 bytes), the rest is the compressed data.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let chunk = Int(data[0]) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limit = 1 << 22
    let whole = try? Gzip.decompress(bytes, file: "fuzz", maxOutputBytes: limit)

    var offset = 0
    var streamed: [UInt8]? = nil
    if Gzip.isGzip(bytes), let inflater = try? GzipInflater(file: "fuzz", nextInput: {
        guard offset < bytes.count else { return nil }
        defer { offset += chunk }
        return Array(bytes[offset..<min(offset + chunk, bytes.count)])
    }) {
        var output: [UInt8] = []
        if (try? inflater.read(limit, into: &output)) != nil {
            var probe: [UInt8] = []
            if inflater.finished || ((try? inflater.read(1, into: &probe)) != nil && probe.isEmpty) {
                streamed = output
            }
        }
    }
    if whole != streamed { fatalError("whole-buffer and chunked decompression disagree") }
    return 0
}
