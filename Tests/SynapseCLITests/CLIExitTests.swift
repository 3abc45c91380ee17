import Foundation
import SynapseTestSupport
import Testing

extension CLI {
    /// The first OpenCL device, where the device tests run.
    static let openCL = TestDevices.openCLSpecs.first

    /// A fresh, empty directory.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "synapse-cli-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Synapse's and PoCL's program caches, both empty: every kernel is compiled, and PoCL compiles
    /// each kernel's work-group function on its worker threads when the kernel first runs.
    static func coldProgramCaches() throws -> [String: String?] {
        let root = try temporaryDirectory("cold-cache")
        return ["SYNAPSE_CACHE_DIR": root + "/synapse", "POCL_CACHE_DIR": root + "/pocl"]
    }
}

/// A run that fails on the OpenCL device ends like any other: one error line, exit status 1, never
/// a signal.
@Suite(.serialized) struct CLIExitTests {
    /// An AlexNet batch too large for the device fails while the parameter initialisation is still
    /// queued; exiting then used to tear the driver down under its compiler threads (a segfault in
    /// up to 11 of 14 runs with cold caches, fewer on an idle machine). The crash is a race, so the
    /// case runs twelve times, four at once.
    @Test(.enabled(if: CLI.openCL != nil, "no OpenCL device"))
    func outOfMemoryExitsCleanlyEveryTime() throws {
        let spec = try #require(CLI.openCL)
        let imageBytes = 3 * 224 * 224 * 4
        let batch = TestDevices.device(spec).info.maxAllocationBytes / imageBytes + 1
        let arguments = ["train", "--model", "alexnet", "--device", spec, "--batch-size", String(batch), "--steps", "1", "--epochs", "1"]
        for round in 1...3 {
            let runs = try (1...4).map { _ in try CLI.start(arguments, environment: try CLI.coldProgramCaches()) }
            for run in runs {
                let result = try run.finish()
                #expect(result.status == 1 && run.process.terminationReason == .exit,
                        "round \(round): exit status \(result.status) (\(run.process.terminationReason == .exit ? "exit" : "signal"))")
                expectOneLineError(result, mentions: ["out of memory", spec])
            }
        }
    }
}
