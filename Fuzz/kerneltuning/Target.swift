import Foundation

// libFuzzer target: the kernel tuning file parser (Sources/SynapseOpenCL/Tuning/TuningFile.swift),
// built by scripts/fuzz.sh from the files that define the algorithms it names. An accepted file
// must survive a round trip through `encoded()`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelTuningFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    if let file = try? TuningFile.parse(bytes) {
        guard let again = try? TuningFile.parse(file.encoded()) else { fatalError("an accepted file does not re-parse") }
        // Times are written with 4 decimals, so compare what survives that rounding.
        guard again.device == file.device, again.driver == file.driver,
              again.entries.keys.sorted() == file.entries.keys.sorted(),
              again.entries.allSatisfy({ file.entries[$0.key]?.algorithm == $0.value.algorithm }) else {
            fatalError("an accepted file changes in a round trip")
        }
    }
    return 0
}
