import Foundation
import Synapse

extension RunEnvironment {
    /// Describes `device` and the host as they are now.
    init(device: any Device, requested: String?, options: BenchOptions) {
        let info = device.info
        requestedDevice = requested ?? "best"
        deviceSpec = info.spec
        deviceName = info.name
        deviceKind = info.kind.rawValue
        backend = info.backend
        platform = info.platform
        vendor = info.vendor
        driverVersion = info.driverVersion
        gemmLibrary = info.gemmLibrary
        computeUnits = info.computeUnits
        globalMemoryBytes = info.globalMemoryBytes
        hostCores = ProcessInfo.processInfo.activeProcessorCount
        date = ISO8601DateFormatter().string(from: Date())
        gitRevision = RunEnvironment.gitRevision()
        #if DEBUG
        buildConfiguration = "debug"
        #else
        buildConfiguration = "release"
        #endif
        loadAverageBefore = RunEnvironment.loadAverage()
        loadAverageAfter = nil
        iterations = options.iterations
        warmup = options.warmup
        maxSecondsPerCase = options.maxSeconds
        quick = options.quick
        filter = options.filter
    }

    /// The 1, 5 and 15-minute load averages from `/proc/loadavg`, or nil where there is none.
    static func loadAverage() -> [Double]? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ").prefix(3).compactMap { Double($0) }
        return fields.count == 3 ? fields : nil
    }

    /// `SYNAPSE_REVISION` when set (the revision a staged build came from, see scripts/gpu/stage.sh),
    /// else `git rev-parse --short HEAD` of the current directory's checkout, `-dirty` appended when
    /// tracked files differ from it; nil when git or a checkout is missing.
    static func gitRevision() -> String? {
        if let staged = ProcessInfo.processInfo.environment["SYNAPSE_REVISION"], !staged.isEmpty { return staged }
        guard let head = runGit(["rev-parse", "--short", "HEAD"]), !head.isEmpty else { return nil }
        let status = runGit(["status", "--porcelain", "--untracked-files=no"]) ?? ""
        return status.isEmpty ? head : head + "-dirty"
    }

    private static func runGit(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
