import SynapseTestSupport
import Testing

/// The device registry: specs resolve through registered providers, and a backend whose discovery
/// fails is reported, never silently dropped.
@Suite(.serialized) struct DevicesTests {
    /// A provider whose discovery always fails, as an OpenCL platform that cannot enumerate does.
    struct BrokenProvider: DeviceProvider {
        struct Failure: Error, CustomStringConvertible { var description: String { "driver refused to enumerate" } }
        var backend: String { "test-broken" }
        var specForms: [String] { ["test-broken"] }
        var hostDevice: (any Device)? { nil }
        func devices() throws -> [any Device] { throw Failure() }
        func device(arguments: [String]) throws -> (any Device)? { throw Failure() }
    }

    /// A provider offering the CPU device under another name, to show resolution goes through providers.
    struct AliasProvider: DeviceProvider {
        var backend: String { "test-alias" }
        var specForms: [String] { ["test-alias:N"] }
        var hostDevice: (any Device)? { nil }
        func devices() throws -> [any Device] { [CPUDevice.shared] }
        func device(arguments: [String]) throws -> (any Device)? { arguments == ["0"] ? CPUDevice.shared : nil }
    }

    @Test func builtInProvidersAreRegisteredAtLoad() {
        #expect(Devices.providers.map(\.backend).starts(with: ["cpu", "opencl"]))
        #expect(Devices.host === CPUDevice.shared)
        // Nobody chose a device in this process: new tensors go to the host device.
        #expect(Tensor([1, 2]).device === CPUDevice.shared)
    }

    @Test func discoveryFailuresAreReportedNotSwallowed() throws {
        Devices.register(BrokenProvider())
        defer { Devices.unregister(backend: "test-broken") }
        let discovery = Devices.discover()
        #expect(discovery.failures.map(\.backend) == ["test-broken"])
        #expect(String(describing: discovery.failures[0].error) == "driver refused to enumerate")
        #expect(discovery.devices.contains { $0 === CPUDevice.shared })
        #expect(throws: BrokenProvider.Failure.self) { try Devices.resolve("test-broken") }
    }

    @Test func specsResolveThroughTheirProvider() throws {
        Devices.register(AliasProvider())
        defer { Devices.unregister(backend: "test-alias") }
        #expect(try Devices.resolve("test-alias:0") === CPUDevice.shared)
        #expect(try Devices.resolve("CPU") === CPUDevice.shared)
        let unknown = #expect(throws: DeviceError.self) { try Devices.resolve("tpu:0") }
        #expect(unknown?.description.hasPrefix("no device matches 'tpu:0' (expected cpu, opencl, opencl:N, opencl:P:D, test-alias:N); available: cpu") == true,
                "\(String(describing: unknown))")
        let missing = #expect(throws: DeviceError.self) { try Devices.resolve("test-alias:7") }
        #expect(missing?.description.hasPrefix("no device matches 'test-alias:7'; available:") == true)
        #expect(throws: DeviceError.self) { try Devices.resolve("cpu:1") }
        #expect(throws: DeviceError.self) { try Devices.resolve("opencl:x") }
    }
}
