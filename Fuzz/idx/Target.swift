// libFuzzer target: the IDX reader over raw and gzip bytes, with and without an item limit, and
// the element conversions. Built into the SynapseData sources by scripts/fuzz.sh.
//
// The first byte chooses the limit (255: none), the rest is the file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let maxItems: Int? = data[0] == 255 ? nil : Int(data[0])
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let idx = try? IDXFile(bytes: bytes, file: "fuzz", maxItems: maxItems) else { return 0 }
    if let maxItems, !idx.dimensions.isEmpty, idx.dimensions[0] > maxItems {
        fatalError("read \(idx.dimensions[0]) items with maxItems \(maxItems)")
    }
    _ = idx.int32Values()
    _ = idx.floatValues()
    _ = idx.serialized()
    return 0
}
