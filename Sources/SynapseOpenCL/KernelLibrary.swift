import CSynapseOpenCL
import Foundation
import SynapseBackend

/// Builds the `Kernels/*.cl` files for one device, lazily and once each, and hands out kernels by name.
///
/// Sources come from the binary (`embeddedKernelSources`), or from a directory on disk when
/// `SYNAPSE_KERNELS_DIR` is set (kernel work without rebuilding Swift). Compiled programs are cached
/// on disk (`SYNAPSE_CACHE_DIR`, default `~/.cache/synapse/kernels`) under a key made of the device
/// name, driver version, build options and source text, so a second process skips the compiler.
/// A cached binary reaches the driver only after its header and checksum are verified
/// (`ProgramCacheEntry`); an entry that fails them, that the driver rejects, or whose program lacks
/// a kernel `OpenCLKernels` lists for its file is replaced by a fresh build from source. Thread-safe.
public final class KernelLibrary: @unchecked Sendable {
    /// Where kernel sources come from.
    public enum Source: Sendable {
        /// The files embedded at build time.
        case embedded
        /// `.cl` files in a directory (what `SYNAPSE_KERNELS_DIR` selects).
        case directory(URL)
        /// Sources given in memory, by file name (for tests and experiments).
        case files([String: String])

        /// `.directory(SYNAPSE_KERNELS_DIR)` when that variable is set, else `.embedded`.
        public static var fromEnvironment: Source {
            if let dir = ProcessInfo.processInfo.environment["SYNAPSE_KERNELS_DIR"], !dir.isEmpty {
                return .directory(URL(fileURLWithPath: dir, isDirectory: true))
            }
            return .embedded
        }
    }

    /// How programs were obtained so far.
    public struct Statistics: Sendable, Hashable {
        /// Programs compiled from OpenCL C source.
        public var buildsFromSource = 0
        /// Programs loaded from the on-disk binary cache.
        public var buildsFromBinary = 0
        /// Cache entries found unusable (damaged, another build's, refused by the driver, lacking a
        /// kernel) and replaced by a build from source.
        public var cacheEntriesReplaced = 0

        /// Statistics with the given counts (for comparisons in tests).
        public init(buildsFromSource: Int = 0, buildsFromBinary: Int = 0, cacheEntriesReplaced: Int = 0) {
            self.buildsFromSource = buildsFromSource
            self.buildsFromBinary = buildsFromBinary
            self.cacheEntriesReplaced = cacheEntriesReplaced
        }
    }

    /// Names of the kernel files embedded in the binary (`conv.cl`, `elementwise.cl`, …).
    public static var embeddedFiles: [String] { embeddedKernelSources.keys.sorted() }

    /// The default on-disk cache: `SYNAPSE_CACHE_DIR`, else `~/.cache/synapse/kernels`.
    public static var defaultCacheDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["SYNAPSE_CACHE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/synapse/kernels", isDirectory: true)
    }

    let context: cl_context
    let device: cl_device_id
    /// Device description used in error messages.
    let deviceLabel: String
    /// Build options passed to `clBuildProgram`.
    public let options: String
    private let source: Source
    private let cacheKeyPrefix: String
    private let cache: ProgramCache?

    private let lock = NSLock()
    private var programs: [String: cl_program] = [:]
    private var kernels: [String: cl_kernel] = [:]
    private var groupLimits: [String: Int] = [:]
    private var stats = Statistics()

    init(context: cl_context, device: cl_device_id, deviceLabel: String, deviceName: String,
         driverVersion: String, options: String, source: Source, cacheDirectory: URL?) {
        self.context = context
        self.device = device
        self.deviceLabel = deviceLabel
        self.options = options
        self.source = source
        self.cache = cacheDirectory.map(ProgramCache.init(directory:))
        self.cacheKeyPrefix = "\(deviceName)\u{0}\(driverVersion)\u{0}\(options)\u{0}"
    }

    /// Counts of programs built from source and loaded from the disk cache.
    public var statistics: Statistics {
        lock.lock(); defer { lock.unlock() }
        return stats
    }

    /// The OpenCL C source of `file`.
    public func sourceText(of file: String) throws -> String {
        switch source {
        case .embedded:
            guard let text = embeddedKernelSources[file] else {
                throw DeviceError.kernelBuild(file: file, device: deviceLabel, log: "no embedded kernel file named \(file)")
            }
            return text
        case let .files(files):
            guard let text = files[file] else {
                throw DeviceError.kernelBuild(file: file, device: deviceLabel, log: "no kernel file named \(file) among \(files.keys.sorted())")
            }
            return text
        case let .directory(dir):
            let url = dir.appendingPathComponent(file)
            do {
                return try String(contentsOf: url, encoding: .utf8)
            } catch {
                // Kernels come from a directory only when SYNAPSE_KERNELS_DIR (or a test) names one.
                throw DeviceError.kernelBuild(file: url.path, device: deviceLabel,
                                              log: "cannot read it (kernels are read from \(dir.path), as SYNAPSE_KERNELS_DIR says): \(error.localizedDescription)")
            }
        }
    }

    /// The kernel `name`, building the file that defines it on first use.
    /// Throws `.missingKernel` for a name that is not in `OpenCLKernels`.
    public func kernel(named name: String) throws -> cl_kernel {
        try kernel(named: name, defines: "")
    }

    /// The kernel `name` of a specialised build of its file: `defines` (`-DTM=4 -DTN=8 …`, see
    /// `KernelDefines`) are added to the build options, and each distinct set is its own program,
    /// cached in memory and on disk like the plain build.
    public func kernel(named name: String, defines: String) throws -> cl_kernel {
        let key = defines.isEmpty ? name : name + "\u{0}" + defines
        lock.lock()
        if let kernel = kernels[key] { lock.unlock(); return kernel }
        lock.unlock()
        guard let file = OpenCLKernels.file(of: name) else { throw DeviceError.missingKernel(name: name) }
        let program = try program(for: file, defines: defines)
        lock.lock(); defer { lock.unlock() }
        if let kernel = kernels[key] { return kernel }
        var status: cl_int = CL_SUCCESS
        guard let kernel = clCreateKernel(program, name, &status), status == CL_SUCCESS else {
            if status == CL_INVALID_KERNEL_NAME { throw DeviceError.missingKernel(name: name) }
            throw OpenCLStatus.error(for: status, operation: "creating kernel \(name) from \(file)")
        }
        kernels[key] = kernel
        return kernel
    }

    /// The largest work-group `name` can run with on this device (`CL_KERNEL_WORK_GROUP_SIZE`, which
    /// register use may put below the device's limit).
    public func maxWorkGroupSize(of name: String) throws -> Int {
        lock.lock()
        if let limit = groupLimits[name] { lock.unlock(); return limit }
        lock.unlock()
        let kernel = try kernel(named: name)
        var limit = 0
        try OpenCLStatus.check(clGetKernelWorkGroupInfo(kernel, device, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                                        MemoryLayout<Int>.size, &limit, nil),
                               "querying the work-group limit of kernel \(name)")
        lock.lock(); groupLimits[name] = limit; lock.unlock()
        return limit
    }

    /// The names of the kernels `file` defines, as the driver reports them.
    public func kernelNames(in file: String) throws -> [String] {
        try Self.kernelNames(of: try program(for: file), file: file)
    }

    private static func kernelNames(of program: cl_program, file: String) throws -> [String] {
        var size = 0
        try OpenCLStatus.check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_KERNEL_NAMES), 0, nil, &size), "listing kernels of \(file)")
        var bytes = [CChar](repeating: 0, count: max(size, 1))
        try OpenCLStatus.check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_KERNEL_NAMES), size, &bytes, nil), "listing kernels of \(file)")
        let text = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: ";").map(String.init)
    }

    /// The built program of `file` (for example `elementwise.cl`), building it on first use.
    /// Throws `.kernelBuild` with the compiler's log when the source does not compile.
    @discardableResult
    public func program(for file: String, defines: String = "") throws -> cl_program {
        let programKey = defines.isEmpty ? file : file + "\u{0}" + defines
        let buildOptions = defines.isEmpty ? options : options + " " + defines
        lock.lock()
        if let program = programs[programKey] { lock.unlock(); return program }
        lock.unlock()
        // Builds happen outside the lock's critical path for lookups but are serialised per library,
        // so two threads asking for the same file do not both compile it.
        buildLock.lock(); defer { buildLock.unlock() }
        lock.lock()
        if let program = programs[programKey] { lock.unlock(); return program }
        lock.unlock()

        let text = try sourceText(of: file)
        let key = defines.isEmpty ? cacheKeyPrefix + text : cacheKeyPrefix + defines + "\u{0}" + text
        var replacing = false
        if let cache {
            switch cache.lookup(file: file, key: key) {
            case let .found(binary):
                if let program = loadBinary(binary, file: file, options: buildOptions) {
                    lock.lock(); programs[programKey] = program; stats.buildsFromBinary += 1; lock.unlock()
                    return program
                }
                replacing = true
            case .unusable:
                replacing = true
            case .absent:
                break
            }
        }
        let program = try compile(file: file, text: text, options: buildOptions)
        if let cache, let binary = binary(of: program) { cache.store(binary, file: file, key: key) }
        lock.lock()
        programs[programKey] = program
        stats.buildsFromSource += 1
        if replacing { stats.cacheEntriesReplaced += 1 }
        lock.unlock()
        return program
    }
    private let buildLock = NSLock()

    /// Waits for a build in flight and keeps any new one from starting, for process exit
    /// (`OpenCLDevice.finishAllBeforeExit`). Gives up at `deadline`.
    func holdBuildsForExit(before deadline: Date) {
        _ = buildLock.lock(before: deadline)
    }

    // MARK: Building

    /// Host memory a compile is expected to need at least. PoCL and LLVM abort rather than report
    /// when an allocation fails mid-compile, so the compiler is not started without this much free.
    static let compileHeadroomBytes = 128 << 20

    private func compile(file: String, text: String, options: String) throws -> cl_program {
        guard Self.hostHasRoom(for: Self.compileHeadroomBytes) else {
            throw DeviceError.outOfMemory(bytes: Self.compileHeadroomBytes, device: "host",
                                          detail: "host memory is too short to compile kernel file \(file) for \(deviceLabel)")
        }
        var status: cl_int = CL_SUCCESS
        let program: cl_program? = text.withCString { pointer in
            var strings: [UnsafePointer<CChar>?] = [pointer]
            var lengths = [text.utf8.count]
            return clCreateProgramWithSource(context, 1, &strings, &lengths, &status)
        }
        guard let program, status == CL_SUCCESS else {
            throw OpenCLStatus.error(for: status, operation: "creating the program for \(file)")
        }
        var device: cl_device_id? = self.device
        status = clBuildProgram(program, 1, &device, options, nil, nil)
        if status != CL_SUCCESS {
            let log = buildLog(program)
            clReleaseProgram(program)
            if status == CL_BUILD_PROGRAM_FAILURE || status == CL_INVALID_BUILD_OPTIONS || !log.isEmpty {
                throw DeviceError.kernelBuild(file: file, device: deviceLabel,
                                              log: log.isEmpty ? "\(OpenCLStatus.name(status)) with options '\(options)'" : log)
            }
            throw OpenCLStatus.error(for: status, operation: "building \(file)")
        }
        return program
    }

    private func buildLog(_ program: cl_program) -> String {
        var size = 0
        guard clGetProgramBuildInfo(program, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size) == CL_SUCCESS,
              size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard clGetProgramBuildInfo(program, device, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil) == CL_SUCCESS
        else { return "" }
        let text = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Disk cache

    /// The program of a verified cached binary, or nil when the driver refuses it or the program
    /// lacks a kernel that `OpenCLKernels` lists for `file` (then the caller builds from source).
    private func loadBinary(_ binary: [UInt8], file: String, options: String) -> cl_program? {
        var status: cl_int = CL_SUCCESS
        var binaryStatus: cl_int = CL_SUCCESS
        var device: cl_device_id? = self.device
        var length = binary.count
        let program: cl_program? = binary.withUnsafeBufferPointer { buffer in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            return clCreateProgramWithBinary(context, 1, &device, &length, &pointer, &binaryStatus, &status)
        }
        guard let program, status == CL_SUCCESS, binaryStatus == CL_SUCCESS else {
            if let program { clReleaseProgram(program) }
            return nil
        }
        guard clBuildProgram(program, 1, &device, options, nil, nil) == CL_SUCCESS,
              let defined = try? Self.kernelNames(of: program, file: file),
              Set(OpenCLKernels.byFile[file] ?? []).isSubset(of: defined) else {
            clReleaseProgram(program)
            return nil
        }
        return program
    }

    /// Whether `bytes` of host memory can be allocated now (allocated and freed at once: a probe
    /// that catches an address-space limit such as `ulimit -v` before the driver runs into it).
    static func hostHasRoom(for bytes: Int) -> Bool {
        guard let probe = malloc(bytes) else { return false }
        free(probe)
        return true
    }

    /// Host memory asking the driver for a binary may take: PoCL serialises the program into a
    /// 256 MiB scratch buffer when asked for its size, and segfaults when that allocation fails.
    static let binaryHeadroomBytes = 320 << 20

    /// The driver's binary of a built program, or nil when it will not give one or host memory is
    /// short (caching is optional, so it is skipped then).
    private func binary(of program: cl_program) -> [UInt8]? {
        guard Self.hostHasRoom(for: Self.binaryHeadroomBytes) else { return nil }
        var size = 0
        guard clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size, &size, nil) == CL_SUCCESS,
              size > 0, size <= ProgramCacheEntry.maximumBinarySize, Self.hostHasRoom(for: 2 * size) else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let status = bytes.withUnsafeMutableBufferPointer { buffer -> cl_int in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARIES),
                                    MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, &pointer, nil)
        }
        return status == CL_SUCCESS ? bytes : nil
    }
}
