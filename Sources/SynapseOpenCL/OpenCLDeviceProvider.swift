import SynapseBackend

/// Every OpenCL device on every platform: `opencl` (the first GPU, else the first device),
/// `opencl:N` (the Nth device over all platforms) and `opencl:P:D` (device D of platform P).
public struct OpenCLDeviceProvider: DeviceProvider {
    public init() {}
    public var backend: String { "opencl" }
    public var specForms: [String] { ["opencl", "opencl:N", "opencl:P:D"] }
    public var hostDevice: (any Device)? { nil }
    public func devices() throws -> [any Device] { try OpenCLDevice.all() }

    public func device(arguments: [String]) throws -> (any Device)? {
        let numbers = arguments.map { Int($0) }
        guard numbers.allSatisfy({ $0 != nil && $0! >= 0 }), numbers.count <= 2 else {
            throw DeviceError.noDevice(requested: "opencl:" + arguments.joined(separator: ":"),
                                       available: OpenCLDevice.availableDescriptions((try? OpenCLDevice.all()) ?? []),
                                       expected: specForms.joined(separator: ", "))
        }
        let devices = try OpenCLDevice.all()
        switch numbers.count {
        case 0: return devices.first(where: { $0.info.kind == .gpu }) ?? devices.first
        case 1: return devices.indices.contains(numbers[0]!) ? devices[numbers[0]!] : nil
        default: return devices.first { $0.platformIndex == numbers[0]! && $0.deviceIndex == numbers[1]! }
        }
    }
}
