import Foundation

// libFuzzer target: the CLBlast tuner-file parser (Sources/SynapseOpenCL/CLBlastTunerFile.swift),
// built with the stub beside this file instead of the OpenCL module by scripts/fuzz.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTunerFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    if let result = try? CLBlastTuning.parseTunerOutput(bytes, file: "fuzz") {
        if result.parameters.isEmpty || result.kernel.isEmpty { fatalError("accepted an empty tuning") }
    }
    return 0
}
