import Foundation
import SynapseTestSupport
import Testing

/// Every kernel file builds on every OpenCL device, the Swift list of kernel names matches what the
/// files define, and the on-disk program cache is used.
@Suite struct KernelLibraryTests {
    @Test func embeddedFilesAreExactlyTheListedOnes() {
        #expect(Set(KernelLibrary.embeddedFiles) == Set(OpenCLKernels.byFile.keys))
        #expect(!OpenCLKernels.all.isEmpty)
        #expect(Set(OpenCLKernels.all).count == OpenCLKernels.all.count, "a kernel name is listed twice")
        for name in OpenCLKernels.all {
            #expect(name.contains("_f32") || name.contains("_u32"), "\(name) does not follow <op>_<dtype>[_<variant>]")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func everyFileBuildsAndDefinesExactlyItsListedKernels(spec: String) throws {
        let device = try Harness.openCL(spec)
        for (file, names) in OpenCLKernels.byFile.sorted(by: { $0.key < $1.key }) {
            try device.kernels.program(for: file)
            let defined = Set(try device.kernels.kernelNames(in: file))
            let listed = Set(names)
            #expect(listed.subtracting(defined).isEmpty, "\(file) on \(spec) lacks \(listed.subtracting(defined).sorted())")
            #expect(defined.subtracting(listed).isEmpty, "\(file) defines unlisted kernels \(defined.subtracting(listed).sorted())")
            for name in names { _ = try device.kernels.kernel(named: name) }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func unlistedKernelNameIsMissingKernel(spec: String) throws {
        let device = try Harness.openCL(spec)
        #expect(throws: DeviceError.missingKernel(name: "no_such_kernel_f32")) {
            try device.kernels.kernel(named: "no_such_kernel_f32")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func brokenSourceFromDirectoryReportsTheBuildLog(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = "__kernel void sgd_f32(__global float* p) { p[0] = undeclared_identifier_xyz; }\n"
        try source.write(to: directory.appendingPathComponent("optim.cl"), atomically: true, encoding: .utf8)
        let library = device.makeKernelLibrary(source: .directory(directory), cacheDirectory: nil)
        do {
            try library.program(for: "optim.cl")
            Issue.record("a broken kernel file built")
        } catch let DeviceError.kernelBuild(file, deviceName, log) {
            #expect(file == "optim.cl")
            #expect(deviceName.contains(spec))
            #expect(log.contains("undeclared_identifier_xyz"), "build log does not name the error: \(log)")
        }
        // The library keeps working for other requests after a failure (and fails the same way again).
        #expect(throws: DeviceError.self) { try library.kernel(named: "sgd_f32") }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func missingFileInDirectoryIsAKernelBuildError(spec: String) throws {
        let device = try Harness.openCL(spec)
        let library = device.makeKernelLibrary(source: .directory(URL(fileURLWithPath: "/nonexistent-synapse-kernels")),
                                               cacheDirectory: nil)
        do {
            try library.program(for: "pool.cl")
            Issue.record("a missing kernel file built")
        } catch let DeviceError.kernelBuild(file, _, log) {
            #expect(file.hasSuffix("pool.cl"))
            #expect(!log.isEmpty)
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func secondBuildComesFromTheDiskCache(spec: String) throws {
        let device = try Harness.openCL(spec)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let source = KernelLibrary.Source.files(["tiny.cl": "__kernel void sgd_f32(__global float* p, int n) { int i = get_global_id(0); if (i < n) p[i] += 1.0f; }\n"])

        let first = device.makeKernelLibrary(source: source, cacheDirectory: cache)
        try first.program(for: "tiny.cl")
        try first.program(for: "tiny.cl")
        #expect(first.statistics == KernelLibrary.Statistics(buildsFromSource: 1, buildsFromBinary: 0))
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(cached.count == 1 && cached[0].hasPrefix("tiny-") && cached[0].hasSuffix(".bin"), "cache holds \(cached)")

        let second = device.makeKernelLibrary(source: source, cacheDirectory: cache)
        try second.program(for: "tiny.cl")
        #expect(second.statistics == KernelLibrary.Statistics(buildsFromSource: 0, buildsFromBinary: 1))

        // Another source text is another key: compiled, not loaded.
        let changed = KernelLibrary.Source.files(["tiny.cl": "__kernel void sgd_f32(__global float* p, int n) { int i = get_global_id(0); if (i < n) p[i] += 2.0f; }\n"])
        let third = device.makeKernelLibrary(source: changed, cacheDirectory: cache)
        try third.program(for: "tiny.cl")
        #expect(third.statistics == KernelLibrary.Statistics(buildsFromSource: 1, buildsFromBinary: 0))
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func corruptCachedBinaryFallsBackToSource(spec: String) throws {
        let device = try Harness.openCL(spec)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let source = KernelLibrary.Source.files(["tiny.cl": "__kernel void sgd_f32(__global float* p) { p[0] = 3.0f; }\n"])
        try device.makeKernelLibrary(source: source, cacheDirectory: cache).program(for: "tiny.cl")
        for name in try FileManager.default.contentsOfDirectory(atPath: cache.path) {
            try Data("not a program binary".utf8).write(to: cache.appendingPathComponent(name))
        }
        let library = device.makeKernelLibrary(source: source, cacheDirectory: cache)
        try library.program(for: "tiny.cl")
        #expect(library.statistics == KernelLibrary.Statistics(buildsFromSource: 1, buildsFromBinary: 0, cacheEntriesReplaced: 1))
        // More damage cases, and the repair of the entry: ProgramCacheTests.
    }
}
