import Foundation
@_exported import Synapse
@_exported import SynapseBackend
@_exported import SynapseCPU
@_exported import SynapseOpenCL

/// The devices every cross-device test runs on: the CPU plus every OpenCL device found.
///
/// In CI (`CI` set) or with `SYNAPSE_REQUIRE_OPENCL=1`, finding no OpenCL device is a failure,
/// never a silent skip: PoCL is installed there precisely so the OpenCL backend is exercised.
public enum TestDevices {
    /// Specs of all test devices (`cpu`, `opencl:0`, …), usable as Swift Testing arguments.
    public static let specs: [String] = ["cpu"] + openCLSpecs

    /// Specs of the OpenCL devices only (`opencl:0`, …). Empty only where OpenCL is not required.
    public static let openCLSpecs: [String] = openCL.map(\.info.spec)

    /// Whether a missing OpenCL device must fail the run.
    public static var openCLRequired: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] != nil || env["SYNAPSE_REQUIRE_OPENCL"] == "1"
    }

    private static let openCL: [OpenCLDevice] = {
        do {
            let devices = try OpenCLDevice.all()
            if devices.isEmpty && openCLRequired {
                fatalError("TestDevices: no OpenCL device found, but CI/SYNAPSE_REQUIRE_OPENCL requires one (install pocl-opencl-icd)")
            }
            return devices
        } catch {
            if openCLRequired { fatalError("TestDevices: OpenCL discovery failed: \(error)") }
            return []
        }
    }()

    /// The device for a spec from `specs`.
    public static func device(_ spec: String) -> any Device {
        if spec == "cpu" { return CPUDevice.shared }
        guard let device = openCL.first(where: { $0.info.spec == spec }) else {
            fatalError("TestDevices: unknown spec \(spec); known: \(specs)")
        }
        return device
    }
}
