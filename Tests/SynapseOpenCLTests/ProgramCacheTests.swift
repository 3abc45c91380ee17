import CSynapseOpenCL
import Foundation
import SynapseTestSupport
import Testing

/// A damaged or foreign program cache entry never reaches the driver and never outlives one run:
/// each is rebuilt from source, the kernel works, and the entry on disk is replaced by a good one.
@Suite struct ProgramCacheTests {
    /// `tiny.cl`: adds `amount` to each element.
    static func source(adding amount: Int) -> KernelLibrary.Source {
        .files(["tiny.cl": "__kernel void add_f32(__global float* p, int n) { int i = get_global_id(0); if (i < n) p[i] += \(amount).0f; }\n"])
    }

    /// The ways an entry goes bad: a crash mid-write, a disk error, another program's file, junk.
    enum Damage: String, CaseIterable {
        case truncated, flippedBit, otherProgram, garbage, empty
    }

    @Test(arguments: TestDevices.openCLSpecs, Damage.allCases)
    func damagedEntryIsRebuiltAndReplaced(spec: String, damage: Damage) throws {
        let device = try Harness.openCL(spec)
        let cache = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        try device.makeKernelLibrary(source: Self.source(adding: 1), cacheDirectory: cache).program(for: "tiny.cl")
        let entry = try Self.onlyEntry(in: cache)
        let good = try Data(contentsOf: entry)

        switch damage {
        case .truncated:
            try good.prefix(good.count / 2).write(to: entry)
        case .flippedBit:
            var bytes = [UInt8](good)
            bytes[bytes.count * 3 / 4] ^= 0x10
            try Data(bytes).write(to: entry)
        case .otherProgram:
            // A complete, valid entry of another program (another source text), under this name.
            let other = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: other) }
            try device.makeKernelLibrary(source: .files(["tiny.cl": "__kernel void other_f32(__global float* p) { p[0] = 7.0f; }\n"]),
                                         cacheDirectory: other).program(for: "tiny.cl")
            try Data(contentsOf: try Self.onlyEntry(in: other)).write(to: entry)
        case .garbage:
            try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: entry)
        case .empty:
            try Data().write(to: entry)
        }

        let library = device.makeKernelLibrary(source: Self.source(adding: 1), cacheDirectory: cache)
        #expect(try Self.run("add_f32", of: try library.program(for: "tiny.cl"), on: [1, 2, 3]) == [2, 3, 4])
        #expect(library.statistics == KernelLibrary.Statistics(buildsFromSource: 1, buildsFromBinary: 0, cacheEntriesReplaced: 1))

        // The entry was repaired: the next process loads it instead of compiling.
        let decoded = try ProgramCacheEntry(decoding: try Data(contentsOf: entry))
        #expect(!decoded.binary.isEmpty)
        let next = device.makeKernelLibrary(source: Self.source(adding: 1), cacheDirectory: cache)
        #expect(try Self.run("add_f32", of: try next.program(for: "tiny.cl"), on: [5]) == [6])
        #expect(next.statistics == KernelLibrary.Statistics(buildsFromSource: 0, buildsFromBinary: 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).count == 1, "temporary files were left behind")
    }

    /// An entry whose header and checksum are right but whose binary is another program's (as a
    /// driver bug or a hand-made file could give) still must not stick: the program lacks a kernel
    /// `OpenCLKernels` lists for the file, so it is rebuilt from source and replaced.
    @Test(arguments: TestDevices.openCLSpecs)
    func verifiedEntryLackingAListedKernelIsRebuilt(spec: String) throws {
        let device = try Harness.openCL(spec)
        let full = KernelLibrary.Source.files(["optim.cl": """
            __kernel void sgd_f32(__global float* p) { p[0] = 1.0f; }
            __kernel void adam_f32(__global float* p) { p[0] = 2.0f; }
            """])
        let partial = KernelLibrary.Source.files(["optim.cl": "__kernel void sgd_f32(__global float* p) { p[0] = 3.0f; }\n"])
        let cache = try Self.temporaryDirectory(), scratch = try Self.temporaryDirectory()
        defer { for url in [cache, scratch] { try? FileManager.default.removeItem(at: url) } }
        try device.makeKernelLibrary(source: full, cacheDirectory: cache).program(for: "optim.cl")
        try device.makeKernelLibrary(source: partial, cacheDirectory: scratch).program(for: "optim.cl")
        let entry = try Self.onlyEntry(in: cache)
        let header = try ProgramCacheEntry(decoding: try Data(contentsOf: entry))
        let foreign = try ProgramCacheEntry(decoding: try Data(contentsOf: try Self.onlyEntry(in: scratch)))
        try ProgramCacheEntry(keyDigest: header.keyDigest, keyLength: header.keyLength, binary: foreign.binary)
            .encoded().write(to: entry)

        let library = device.makeKernelLibrary(source: full, cacheDirectory: cache)
        _ = try library.kernel(named: "adam_f32")
        #expect(library.statistics == KernelLibrary.Statistics(buildsFromSource: 1, buildsFromBinary: 0, cacheEntriesReplaced: 1))
        let next = device.makeKernelLibrary(source: full, cacheDirectory: cache)
        _ = try next.kernel(named: "adam_f32")
        #expect(next.statistics == KernelLibrary.Statistics(buildsFromSource: 0, buildsFromBinary: 1))
    }

    /// A cache path that is not a regular file (here a FIFO, which a plain read would block on
    /// forever) is passed over; the program is built from source.
    @Test(arguments: TestDevices.openCLSpecs)
    func entryThatIsNotARegularFileIsPassedOver(spec: String) throws {
        let device = try Harness.openCL(spec)
        let cache = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        try device.makeKernelLibrary(source: Self.source(adding: 2), cacheDirectory: cache).program(for: "tiny.cl")
        let entry = try Self.onlyEntry(in: cache)
        try FileManager.default.removeItem(at: entry)
        #expect(mkfifo(entry.path, 0o600) == 0)
        let library = device.makeKernelLibrary(source: Self.source(adding: 2), cacheDirectory: cache)
        #expect(try Self.run("add_f32", of: try library.program(for: "tiny.cl"), on: [1]) == [3])
        #expect(library.statistics.buildsFromSource == 1 && library.statistics.cacheEntriesReplaced == 1)
    }

    @Test func entryFormatRejectsEveryDamage() throws {
        let entry = ProgramCacheEntry(key: "device\u{0}driver\u{0}-O2\u{0}source", binary: Array(0..<200))
        let data = entry.encoded()
        #expect(try ProgramCacheEntry(decoding: data) == entry)
        #expect(entry.matches(key: "device\u{0}driver\u{0}-O2\u{0}source"))
        #expect(!entry.matches(key: "device\u{0}driver\u{0}-O3\u{0}source"))
        for cut in [0, 1, ProgramCacheEntry.headerSize - 1, ProgramCacheEntry.headerSize, data.count - 1] {
            #expect(throws: ProgramCacheEntry.Invalid.self, "cut at \(cut)") { try ProgramCacheEntry(decoding: data.prefix(cut)) }
        }
        // Every single bit flip in the header or the binary is caught (in the key fields, by the key check).
        for index in 0..<data.count {
            for bit in 0..<8 {
                var bytes = [UInt8](data)
                bytes[index] ^= 1 << bit
                if let decoded = try? ProgramCacheEntry(decoding: Data(bytes)) {
                    #expect(!decoded.matches(key: "device\u{0}driver\u{0}-O2\u{0}source"), "flip of bit \(bit) of byte \(index) went unnoticed")
                }
            }
        }
        #expect(throws: ProgramCacheEntry.Invalid.self) { try ProgramCacheEntry(decoding: data + Data([0])) }
    }

    // MARK: Helpers

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func onlyEntry(in directory: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try #require(names.count == 1 && names[0].hasSuffix(".bin"), "cache holds \(names)")
        return directory.appendingPathComponent(names[0])
    }

    /// Runs the `(__global float* p, int n)` kernel `name` of `program` over `values` on a queue of
    /// its own and returns the result.
    static func run(_ name: String, of program: cl_program, on values: [Float]) throws -> [Float] {
        var status: cl_int = CL_SUCCESS
        let kernel = clCreateKernel(program, name, &status)
        try check(status)
        defer { clReleaseKernel(kernel) }
        var context: cl_context?
        try check(clGetKernelInfo(kernel, cl_kernel_info(CL_KERNEL_CONTEXT), MemoryLayout<cl_context?>.size, &context, nil))
        var device: cl_device_id?
        try check(clGetContextInfo(context, cl_context_info(CL_CONTEXT_DEVICES), MemoryLayout<cl_device_id?>.size, &device, nil))
        let queue = clCreateCommandQueue(context, device, 0, &status)
        try check(status)
        defer { clReleaseCommandQueue(queue) }
        var host = values
        let bytes = host.count * MemoryLayout<Float>.size
        var mem = clCreateBuffer(context, cl_mem_flags(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR), bytes, &host, &status)
        try check(status)
        defer { clReleaseMemObject(mem) }
        var count = Int32(values.count)
        try check(clSetKernelArg(kernel, 0, MemoryLayout<cl_mem?>.size, &mem))
        try check(clSetKernelArg(kernel, 1, 4, &count))
        var global = values.count
        try check(clEnqueueNDRangeKernel(queue, kernel, 1, nil, &global, nil, 0, nil, nil))
        try check(clEnqueueReadBuffer(queue, mem, cl_bool(CL_TRUE), 0, bytes, &host, 0, nil, nil))
        return host
    }

    static func check(_ status: cl_int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(status == CL_SUCCESS, "OpenCL status \(status)", sourceLocation: sourceLocation)
    }
}
