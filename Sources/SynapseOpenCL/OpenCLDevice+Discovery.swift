import CSynapseOpenCL
import Foundation
import SynapseBackend

extension OpenCLDevice {
    /// Every device on every platform, numbered `opencl:0`, `opencl:1`, … over all platforms in
    /// platform order. Each device is created once per process; later calls return the same objects.
    /// No OpenCL platform at all gives an empty list.
    public static func all() throws -> [OpenCLDevice] {
        try registry().devices
    }

    /// The first GPU on any platform, else the first device.
    /// Throws `DeviceError.noDevice` when there is none.
    public static func best() throws -> OpenCLDevice {
        let devices = try all()
        if let gpu = devices.first(where: { $0.info.kind == .gpu }) { return gpu }
        guard let first = devices.first else { throw DeviceError.noDevice(requested: "opencl", available: []) }
        return first
    }

    /// Device `index` of platform `platform` (the spec `opencl:P:D`).
    /// Throws `DeviceError.noDevice` listing what exists when there is no such device.
    public static func device(platform: Int, index: Int) throws -> OpenCLDevice {
        let devices = try all()
        guard let device = devices.first(where: { $0.platformIndex == platform && $0.deviceIndex == index }) else {
            throw DeviceError.noDevice(requested: "opencl:\(platform):\(index)", available: availableDescriptions(devices))
        }
        return device
    }

    /// Device number `index` in `all()` order (the spec `opencl:N`).
    /// Throws `DeviceError.noDevice` listing what exists when there is no such device.
    public static func device(index: Int) throws -> OpenCLDevice {
        let devices = try all()
        guard devices.indices.contains(index) else {
            throw DeviceError.noDevice(requested: "opencl:\(index)", available: availableDescriptions(devices))
        }
        return devices[index]
    }

    /// Lines such as `opencl:0 = opencl:0:0 pthread-haswell-AMD EPYC (Portable Computing Language, cpu)`.
    static func availableDescriptions(_ devices: [OpenCLDevice]) -> [String] {
        devices.map { "\($0.info.spec) = opencl:\($0.platformIndex):\($0.deviceIndex) \($0.info.name) (\($0.info.platform), \($0.info.kind.rawValue))" }
    }

    // MARK: Registry

    private struct Registry {
        var devices: [OpenCLDevice]
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var cachedRegistry: Registry?

    private static func registry() throws -> Registry {
        registryLock.lock(); defer { registryLock.unlock() }
        if let cachedRegistry { return cachedRegistry }
        var devices: [OpenCLDevice] = []
        for (platformIndex, platform) in try platformIDs().enumerated() {
            for (deviceIndex, device) in try deviceIDs(platform).enumerated() {
                devices.append(try OpenCLDevice(platformID: platform, deviceID: device, platformIndex: platformIndex,
                                                deviceIndex: deviceIndex, globalIndex: devices.count))
            }
        }
        let registry = Registry(devices: devices)
        cachedRegistry = registry
        return registry
    }

    /// The devices created so far (none before the first `all()`), without creating any.
    /// Gives up and returns none when another thread holds the registry past `deadline`.
    static func createdDevices(before deadline: Date) -> [OpenCLDevice] {
        guard registryLock.lock(before: deadline) else { return [] }
        defer { registryLock.unlock() }
        return cachedRegistry?.devices ?? []
    }

    private static func platformIDs() throws -> [cl_platform_id] {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        // The ICD loader reports "no platform" as an error; for discovery it is an empty list.
        if status == CL_PLATFORM_NOT_FOUND_KHR || count == 0 { return [] }
        try OpenCLStatus.check(status, "counting OpenCL platforms")
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try OpenCLStatus.check(clGetPlatformIDs(count, &ids, nil), "listing OpenCL platforms")
        return ids.compactMap { $0 }
    }

    private static func deviceIDs(_ platform: cl_platform_id) throws -> [cl_device_id] {
        var count: cl_uint = 0
        let status = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
        if status == CL_DEVICE_NOT_FOUND || count == 0 { return [] }
        try OpenCLStatus.check(status, "counting the devices of an OpenCL platform")
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try OpenCLStatus.check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil),
                               "listing the devices of an OpenCL platform")
        return ids.compactMap { $0 }
    }

    // MARK: Info queries

    static func string(_ device: cl_device_id, _ parameter: Int32) throws -> String {
        var size = 0
        try OpenCLStatus.check(clGetDeviceInfo(device, cl_device_info(parameter), 0, nil, &size), "querying device info \(parameter)")
        var bytes = [CChar](repeating: 0, count: max(size, 1))
        try OpenCLStatus.check(clGetDeviceInfo(device, cl_device_info(parameter), size, &bytes, nil), "querying device info \(parameter)")
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func value<T: FixedWidthInteger>(_ device: cl_device_id, _ parameter: Int32) throws -> T {
        var result: T = 0
        try OpenCLStatus.check(clGetDeviceInfo(device, cl_device_info(parameter), MemoryLayout<T>.size, &result, nil),
                               "querying device info \(parameter)")
        return result
    }

    static func platformString(_ platform: cl_platform_id, _ parameter: Int32) throws -> String {
        var size = 0
        try OpenCLStatus.check(clGetPlatformInfo(platform, cl_platform_info(parameter), 0, nil, &size), "querying platform info")
        var bytes = [CChar](repeating: 0, count: max(size, 1))
        try OpenCLStatus.check(clGetPlatformInfo(platform, cl_platform_info(parameter), size, &bytes, nil), "querying platform info")
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
