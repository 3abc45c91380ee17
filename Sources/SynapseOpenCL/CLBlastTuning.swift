import CSynapseOpenCL
import Foundation
import SynapseBackend

/// Tuned parameters for CLBlast's kernels on one device, applied when the device is created.
///
/// CLBlast ships tuned values for many GPUs. It has none for newer ones, such as the H100, and uses
/// generic vendor defaults there. Its tuners (`clblast_tuner_xgemm`, `clblast_tuner_xgemm_direct`, …
/// in Debian's `clblast-utils`) search for better values and write them as JSON files. When
/// `SYNAPSE_CLBLAST_TUNING` names a directory of such files, Synapse applies those tuned on the
/// device with `CLBlastOverrideParameters`.
///
/// Nothing is built in. On the H100, parameters tuned at 2048³ made large square products 1.18×
/// faster but AlexNet's training step 7% slower (its M = 128 dense layers and 1024³-sized convolution
/// products lost more). Tune at the sizes you train with, and compare with `synapse-bench`.
public struct CLBlastTuning: Equatable, Sendable {
    /// CLBlast kernel name (`Xgemm`, `XgemmDirect`, `Copy`, …) → every parameter of that kernel.
    public var kernels: [String: [String: Int]]
    /// Where the values come from, named when CLBlast refuses them.
    public var origin: String

    public init(kernels: [String: [String: Int]], origin: String) {
        self.kernels = kernels
        self.origin = origin
    }

    /// The environment variable naming a directory of tuner JSON files (`off`: none).
    public static let environmentKey = "SYNAPSE_CLBLAST_TUNING"

    /// The tuning for the device named `deviceName` from the `SYNAPSE_CLBLAST_TUNING` directory, or
    /// nil when the variable is unset or `off`. Throws when that directory or one of its files
    /// cannot be read.
    public static func forDevice(named deviceName: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CLBlastTuning? {
        guard let setting = environment[environmentKey], !setting.isEmpty, setting != "off" else { return nil }
        let directory = URL(fileURLWithPath: setting, isDirectory: true)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DeviceError.unsupported("\(environmentKey)=\(setting): cannot list the directory (\(error.localizedDescription))")
        }
        let files = names.filter { $0.hasPrefix("clblast_") && $0.hasSuffix(".json") }.sorted()
            .map { directory.appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw DeviceError.unsupported("\(environmentKey)=\(setting): no clblast_*.json tuner files in that directory")
        }
        return try load(tunerFiles: files, forDevice: deviceName)
    }

    /// A tuning from tuner files: single-precision results only; for a kernel tuned more than once,
    /// the fastest result. Files tuned on another device are left out, since parameters that are
    /// fast (or even valid) on one device need not be on another. Nil when no file applies.
    public static func load(tunerFiles: [URL], forDevice deviceName: String) throws -> CLBlastTuning? {
        var best: [String: TunerResult] = [:]
        for file in tunerFiles {
            let result = try parseTunerOutput(readTunerFile(file), file: file.path)
            guard result.precision == 32, result.device.isEmpty || result.device == deviceName else { continue }
            if let current = best[result.kernel], current.bestTime <= result.bestTime { continue }
            best[result.kernel] = result
        }
        guard !best.isEmpty else { return nil }
        return CLBlastTuning(kernels: best.mapValues(\.parameters),
                             origin: "\(environmentKey) directory \(tunerFiles[0].deletingLastPathComponent().path)")
    }
}

extension OpenCLDevice {
    /// Hands each kernel's tuned parameters to CLBlast for this device (single precision), replacing
    /// what it used so far; later GEMMs build their kernels with them. CLBlast refuses an unknown
    /// kernel or an incomplete parameter set; that is thrown, naming the kernel.
    public func applyCLBlastTuning(_ tuning: CLBlastTuning) throws {
        try OpenCLDevice.apply(tuning, device: deviceID, label: "\(info.spec) (\(info.name))")
    }

    static func apply(_ tuning: CLBlastTuning, device: cl_device_id, label: String) throws {
        for (kernel, parameters) in tuning.kernels.sorted(by: { $0.key < $1.key }) {
            let names = parameters.keys.sorted()
            let values = names.map { parameters[$0]! }
            let cNames = names.map { strdup($0) }
            defer { cNames.forEach { free($0) } }
            var namePointers = cNames.map { UnsafePointer<CChar>($0) }
            var sizes = values.map { Int($0) }
            let status = namePointers.withUnsafeMutableBufferPointer { namesBuffer in
                sizes.withUnsafeMutableBufferPointer { valuesBuffer in
                    CLBlastOverrideParameters(device, kernel, CLBlastPrecisionSingle, names.count,
                                              namesBuffer.baseAddress, valuesBuffer.baseAddress)
                }
            }
            let code = Int32(status.rawValue)
            guard code == 0 else {
                throw DeviceError.library(name: "CLBlast " + OpenCLStatus.clblastName(code), status: code,
                                          operation: "applying tuned \(kernel) parameters (\(tuning.origin)) on \(label)")
            }
        }
    }
}
