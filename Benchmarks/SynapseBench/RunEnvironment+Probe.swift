import Foundation
import Synapse
import SynapseVersion

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
    /// else the revision embedded when this binary was built (`SynapseVersion`), so a copy run
    /// outside the checkout still says what it is; nil for a build from a tree without `.git`.
    static func gitRevision() -> String? {
        if let staged = ProcessInfo.processInfo.environment["SYNAPSE_REVISION"], !staged.isEmpty { return staged }
        return SynapseVersion.revision == "unknown" ? nil : SynapseVersion.shortRevision
    }
}
