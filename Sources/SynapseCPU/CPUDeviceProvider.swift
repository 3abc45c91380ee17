import SynapseBackend

/// The CPU backend's one device, under the spec `cpu`.
public struct CPUDeviceProvider: DeviceProvider {
    public init() {}
    public var backend: String { "cpu" }
    public var specForms: [String] { ["cpu"] }
    public var hostDevice: (any Device)? { CPUDevice.shared }
    public func devices() throws -> [any Device] { [CPUDevice.shared] }

    public func device(arguments: [String]) throws -> (any Device)? {
        guard arguments.isEmpty else {
            throw DeviceError.noDevice(requested: "cpu:" + arguments.joined(separator: ":"), available: ["cpu"],
                                       expected: "cpu")
        }
        return CPUDevice.shared
    }
}
