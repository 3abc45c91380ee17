import Foundation

/// The device registry: every backend's `DeviceProvider`, and finding devices by the specs users
/// type (`cpu`, `opencl`, `opencl:N`, `opencl:P:D`).
///
/// `import Synapse` registers the CPU and OpenCL providers when the program loads; another backend
/// calls `register(_:)` once before its specs are used.
public enum Devices {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [any DeviceProvider] = []

    /// Adds `provider`, replacing one registered under the same backend name.
    public static func register(_ provider: any DeviceProvider) {
        lock.lock(); defer { lock.unlock() }
        registered.removeAll { $0.backend == provider.backend }
        registered.append(provider)
    }

    /// Removes the provider registered under `backend`, if any.
    public static func unregister(backend: String) {
        lock.lock(); defer { lock.unlock() }
        registered.removeAll { $0.backend == backend }
    }

    /// The registered providers, in registration order.
    public static var providers: [any DeviceProvider] {
        lock.lock(); defer { lock.unlock() }
        return registered
    }

    /// Every device of every backend, and the backends whose discovery failed (with why).
    public static func discover() -> DeviceDiscovery {
        var discovery = DeviceDiscovery()
        for provider in providers {
            do { discovery.devices += try provider.devices() } catch {
                discovery.failures.append(.init(backend: provider.backend, error: error))
            }
        }
        return discovery
    }

    /// Every device that discovery found (see `discover()` for the backends that failed).
    public static func all() -> [any Device] { discover().devices }

    /// The device a spec names. Throws `DeviceError.noDevice` naming the spec and listing what
    /// exists, or the discovery failure of the backend the spec names.
    public static func resolve(_ spec: String) throws -> any Device {
        let parts = spec.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let provider = providers.first(where: { $0.backend == parts.first }) else {
            throw DeviceError.noDevice(requested: spec, available: availableSpecs(),
                                       expected: providers.flatMap(\.specForms).joined(separator: ", "))
        }
        if let device = try provider.device(arguments: Array(parts.dropFirst())) { return device }
        throw DeviceError.noDevice(requested: spec, available: availableSpecs())
    }

    /// The best device for training: the first GPU of any backend, else the host device (the CPU,
    /// whose own kernels beat an OpenCL driver running on the same cores).
    public static func best() -> any Device {
        if let gpu = all().first(where: { $0.info.kind == .gpu }) { return gpu }
        return host
    }

    /// `SYNAPSE_DEVICE` when set, else `best()`. Throws when the variable names no device.
    public static func defaultDevice() throws -> any Device {
        if let spec = ProcessInfo.processInfo.environment["SYNAPSE_DEVICE"], !spec.isEmpty {
            do { return try resolve(spec) } catch let DeviceError.noDevice(_, available, expected) {
                throw DeviceError.noDevice(requested: "SYNAPSE_DEVICE=\(spec)", available: available, expected: expected)
            }
        }
        return best()
    }

    /// The device tensors go to when nobody chose one: the first registered host device.
    public static var host: any Device {
        guard let device = providers.lazy.compactMap(\.hostDevice).first else {
            fatalError("Devices: no backend with a host device is registered; `import Synapse` registers the CPU, or call Devices.register(_:)")
        }
        return device
    }

    private static func availableSpecs() -> [String] {
        all().map { "\($0.info.spec) (\($0.info.name))" }
    }
}

/// What `Devices.discover()` found.
public struct DeviceDiscovery: Sendable {
    /// A backend whose discovery threw.
    public struct Failure: Sendable {
        public var backend: String
        public var error: any Error
    }

    public var devices: [any Device] = []
    public var failures: [Failure] = []
}
