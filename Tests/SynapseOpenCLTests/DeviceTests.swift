import Foundation
import SynapseTestSupport
import Testing

/// Discovery, errors, memory and transfers of OpenCL devices. Serialized: the out-of-memory test
/// empties the pool, which would race with the pool-hit test.
@Suite(.serialized) struct DeviceTests {
    @Test func discoveryNumbersDevicesAndCachesThem() throws {
        let devices = try OpenCLDevice.all()
        #expect(devices.map(\.info.spec) == devices.indices.map { "opencl:\($0)" })
        let again = try OpenCLDevice.all()
        #expect(zip(devices, again).allSatisfy { $0 === $1 }, "all() must return the same device objects")
        for device in devices {
            #expect(try OpenCLDevice.device(platform: device.platformIndex, index: device.deviceIndex) === device)
            #expect(!device.info.name.isEmpty && !device.info.platform.isEmpty && !device.info.driverVersion.isEmpty)
            #expect(device.info.backend == "opencl")
            #expect(device.info.computeUnits > 0 && device.info.globalMemoryBytes > 0 && device.info.maxAllocationBytes > 0)
            #expect(device.info.gemmLibrary.hasPrefix("CLBlast "))
        }
        if let best = try? OpenCLDevice.best() {
            let gpu = devices.first { $0.info.kind == .gpu }
            #expect(best === (gpu ?? devices[0]))
        }
    }

    @Test func unknownDeviceListsWhatExists() throws {
        let devices = try OpenCLDevice.all()
        do {
            _ = try OpenCLDevice.device(index: 99)
            Issue.record("opencl:99 exists?")
        } catch let DeviceError.noDevice(requested, available, _) {
            #expect(requested == "opencl:99")
            #expect(available.count == devices.count)
            for device in devices { #expect(available.contains { $0.hasPrefix(device.info.spec) && $0.contains(device.info.name) }) }
        }
        #expect(throws: DeviceError.self) { try OpenCLDevice.device(platform: 7, index: 0) }
    }

    @Test func statusCodesHaveTheirSymbolNames() {
        #expect(OpenCLStatus.name(0) == "CL_SUCCESS")
        #expect(OpenCLStatus.name(-4) == "CL_MEM_OBJECT_ALLOCATION_FAILURE")
        #expect(OpenCLStatus.name(-5) == "CL_OUT_OF_RESOURCES")
        #expect(OpenCLStatus.name(-11) == "CL_BUILD_PROGRAM_FAILURE")
        #expect(OpenCLStatus.name(-46) == "CL_INVALID_KERNEL_NAME")
        #expect(OpenCLStatus.name(-54) == "CL_INVALID_WORK_GROUP_SIZE")
        #expect(OpenCLStatus.name(-61) == "CL_INVALID_BUFFER_SIZE")
        #expect(OpenCLStatus.name(-1001) == "CL_PLATFORM_NOT_FOUND_KHR")
        #expect(OpenCLStatus.name(-12345) == "CL_UNKNOWN_ERROR(-12345)")
        #expect(OpenCLStatus.clblastName(-1017) == "CLBlastInvalidDimension")
        #expect(OpenCLStatus.clblastName(-2046) == "CLBlastInvalidLocalMemUsage")
        #expect(OpenCLStatus.clblastName(-5) == "CL_OUT_OF_RESOURCES")
        let error = DeviceError.openCL(status: -5, name: OpenCLStatus.name(-5), operation: "launching kernel x")
        #expect(error.description == "OpenCL error CL_OUT_OF_RESOURCES (-5) while launching kernel x")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func writeCopiesTheSourceAndReadWaits(spec: String) throws {
        let device = try Harness.openCL(spec)
        let count = 100_003
        var source = (0..<count).map { Float($0) }
        let buffer = try device.allocate(byteCount: count * 4 + 64)
        defer { device.release(buffer) }
        try source.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 64) }
        // The caller may reuse its memory at once: the device must still see the old values.
        for i in source.indices { source[i] = -1 }
        var back = [Float](repeating: 0, count: count)
        try back.withUnsafeMutableBytes { try device.read(buffer, byteOffset: 64, into: $0) }
        #expect(back == (0..<count).map { Float($0) })
        #expect(throws: DeviceError.self) {
            try back.withUnsafeMutableBytes { try device.read(buffer, byteOffset: buffer.byteCount - 8, into: $0) }
        }
        try device.synchronize()
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func threadsShareOneDevice(spec: String) throws {
        // Several threads enqueue on the same queue and the same kernel objects at once; each chain
        // must see only its own arguments.
        let device = try Harness.openCL(spec)
        let failures = FailureCount()
        DispatchQueue.concurrentPerform(iterations: 6) { thread in
            do {
                let count = 1000 + thread * 17
                let input = (0..<count).map { Float($0 % 13) + Float(thread) }
                let a = try device.allocate(byteCount: count * 4), b = try device.allocate(byteCount: count * 4)
                defer { device.release(a); device.release(b) }
                try input.withUnsafeBytes { try device.write($0, to: a, byteOffset: 0) }
                let (va, vb) = (BufferView(buffer: a, shape: [count]), BufferView(buffer: b, shape: [count]))
                for step in 0..<20 {
                    let (from, to) = step % 2 == 0 ? (va, vb) : (vb, va)
                    try device.execute(.unary(.addScalar(Float(thread + 1))), inputs: [from], outputs: [to])
                }
                var result = [Float](repeating: 0, count: count)
                try result.withUnsafeMutableBytes { try device.read(a, byteOffset: 0, into: $0) }
                if result != input.map({ $0 + 20 * Float(thread + 1) }) { failures.add() }
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func poolReusesBuffersAndCountsPeak(spec: String) throws {
        let device = try Harness.openCL(spec)
        let size = 3_333_337 * 4  // an unusual bucket, so other tests do not share it
        // Other tests allocate concurrently, so check identity, not the shared counters.
        let first = try device.allocate(byteCount: size)
        device.release(first)
        let second = try device.allocate(byteCount: size)
        #expect(second === first, "a same-size allocation must be a pool hit")
        #expect(device.memory.peak >= BufferPool.bucket(for: size))
        device.release(second)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func impossibleAllocationIsOutOfMemory(spec: String) throws {
        let device = try Harness.openCL(spec)
        do {
            let buffer = try device.allocate(byteCount: device.info.maxAllocationBytes + (1 << 30))
            device.release(buffer)
            Issue.record("allocated more than the device's largest allocation")
        } catch let DeviceError.outOfMemory(bytes, deviceSpec, _) {
            #expect(bytes > device.info.maxAllocationBytes)
            #expect(deviceSpec == spec)
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func badViewsAreRejectedNotLaunched(spec: String) throws {
        let device = try Harness.openCL(spec)
        let buffer = try device.allocate(byteCount: 64)
        defer { device.release(buffer) }
        let tooLong = BufferView(buffer: buffer, shape: [1000])
        #expect(throws: DeviceError.self) { try device.execute(.fill(value: 1), inputs: [], outputs: [tooLong]) }
        let cpuBuffer = try CPUDevice.shared.allocate(byteCount: 64)
        defer { CPUDevice.shared.release(cpuBuffer) }
        #expect(throws: DeviceError.self) {
            try device.execute(.unary(.exp), inputs: [BufferView(buffer: cpuBuffer, shape: [4])], outputs: [BufferView(buffer: buffer, shape: [4])])
        }
    }
}

/// A thread-safe counter (Synchronization's Mutex needs macOS 15; the package supports macOS 13).
final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
