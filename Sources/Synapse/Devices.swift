import Foundation

/// Finding devices by the specs users type: `cpu`, `opencl` (the first GPU on any platform, else the
/// first OpenCL device), `opencl:N` (the Nth OpenCL device over all platforms, as `synapse devices`
/// numbers them) and `opencl:P:D` (device D of platform P).
public enum Devices {
    /// The CPU plus every OpenCL device (none when OpenCL is unavailable).
    public static func all() -> [any Device] {
        [CPUDevice.shared] + ((try? OpenCLDevice.all()) ?? [])
    }

    /// The device a spec names. Throws `DeviceError.noDevice` naming the spec and listing what exists.
    public static func resolve(_ spec: String) throws -> any Device {
        let parts = spec.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "cpu" where parts.count == 1:
            return CPUDevice.shared
        case "opencl":
            let numbers = parts.dropFirst().map { Int($0) }
            if numbers.contains(where: { $0 == nil || $0! < 0 }) { break }
            do {
                switch numbers.count {
                case 0: return try OpenCLDevice.best()
                case 1:
                    let devices = try OpenCLDevice.all()
                    guard numbers[0]! < devices.count else { break }
                    return devices[numbers[0]!]
                case 2: return try OpenCLDevice.device(platform: numbers[0]!, index: numbers[1]!)
                default: break
                }
            } catch DeviceError.noDevice {
                // Re-thrown below with the full list.
            }
            throw DeviceError.noDevice(requested: spec, available: availableSpecs())
        default:
            break
        }
        throw DeviceError.noDevice(requested: "\(spec)' (expected cpu, opencl, opencl:N or opencl:P:D)",
                                   available: availableSpecs())
    }

    /// The best device for training: the first OpenCL GPU if there is one, else the CPU (whose
    /// OpenBLAS path beats an OpenCL driver running on the same cores).
    public static func best() -> any Device {
        if let gpu = (try? OpenCLDevice.all())?.first(where: { $0.info.kind == .gpu }) { return gpu }
        return CPUDevice.shared
    }

    /// `SYNAPSE_DEVICE` when set, else `best()`.
    public static func defaultDevice() throws -> any Device {
        if let spec = ProcessInfo.processInfo.environment["SYNAPSE_DEVICE"], !spec.isEmpty {
            return try resolve(spec)
        }
        return best()
    }

    private static func availableSpecs() -> [String] {
        all().map { "\($0.info.spec) (\($0.info.name))" }
    }
}
