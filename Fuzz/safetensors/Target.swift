// libFuzzer target: the safetensors reader (8-byte length, JSON header, metadata, layout checks)
// and the tensor conversions behind it. Built against SynapseIO by scripts/fuzz.sh.
//
// Each input is tried twice: as a whole file, and as the JSON header of an otherwise empty file
// (so mutations reach the header parser without first having to get the length right). Every
// file that parses must survive the conversions and read back identically after `serialized()`.

import SynapseIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let length = UInt64(size)
    let asHeader = (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) } + bytes
    for candidate in [bytes, asHeader] {
        guard let file = try? SafeTensorsFile(bytes: candidate, file: "fuzz") else { continue }
        for name in file.names {
            _ = try? file.floats(named: name)
            _ = try? file.int32s(named: name)
            _ = try? file.int64s(named: name)
        }
        let reread = try? SafeTensorsFile(bytes: file.serialized(), file: "fuzz-reread")
        if reread != file { fatalError("a parsed file does not read back the same after serialized()") }
    }
    return 0
}
