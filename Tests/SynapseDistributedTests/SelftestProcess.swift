import Foundation
import SynapseTestSupport

/// Runs the `SynapseMPISelftest` executable, under `mpirun` or alone, with a hang guard.
///
/// The binary is looked for next to the test bundle (where `swift build` puts it), then under
/// `.build/debug` and `.build/release`; `SYNAPSE_MPI_SELFTEST` overrides.
enum Selftest {
    /// In CI (`CI` set) a missing `mpirun` fails the tests rather than skipping them.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// Longest a run may take before it counts as hung and is killed (every run here ends in
    /// about a second; this only turns a hang into a failure).
    static let hangGuard: TimeInterval = 120

    static let binary = BuiltExecutable.path(
        "SynapseMPISelftest", override: "SYNAPSE_MPI_SELFTEST",
        packageRoot: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent())

    /// `mpirun` on the PATH.
    static let mpirun = BuiltExecutable.onPath("mpirun")

    /// Whether the MPI tests run: always in CI (where a missing mpirun then fails them).
    static var mpiTestsEnabled: Bool { mpirun != nil || isCI }

    struct Result {
        var status: Int32
        var output: String
        var timedOut: Bool
        /// Lines of the output that start with `rank R: `.
        func lines(ofRank rank: Int) -> [String] {
            output.split(separator: "\n").compactMap { line in
                line.hasPrefix("rank \(rank): ") ? String(line.dropFirst("rank \(rank): ".count)) : nil
            }
        }
    }

    /// `mpirun --allow-run-as-root --oversubscribe -np ranks SynapseMPISelftest arguments…`.
    static func mpirun(ranks: Int, _ arguments: [String]) throws -> Result {
        guard let mpirun else { throw SelftestError("mpirun was not found on the PATH (scripts/setup.sh installs openmpi-bin)") }
        guard let binary else { throw SelftestError("SynapseMPISelftest was not found; run `swift build` first") }
        return try run(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), binary] + arguments)
    }

    /// `SynapseMPISelftest arguments…` alone, as a job of one process.
    static func alone(_ arguments: [String]) throws -> Result {
        guard let binary else { throw SelftestError("SynapseMPISelftest was not found; run `swift build` first") }
        return try run(binary, arguments)
    }

    /// Runs `executable` with stdout and stderr merged, killing it (and so its ranks) when it
    /// outlives the hang guard.
    private static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("OMPI_COMM_WORLD") && !$0.key.hasPrefix("PMI_")
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let reader = DispatchQueue(label: "selftest.output")
        nonisolated(unsafe) var data = Data()
        let readDone = DispatchSemaphore(value: 0)
        reader.async {
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            readDone.signal()
        }
        let timedOut = exited.wait(timeout: .now() + hangGuard) == .timedOut
        if timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL); exited.wait() }
        }
        // A rank orphaned by a killed mpirun could hold the pipe open: do not wait for it forever.
        let output = readDone.wait(timeout: .now() + 10) == .success
            ? String(decoding: data, as: UTF8.self) : "(the output pipe stayed open)"
        return Result(status: process.terminationStatus, output: output, timedOut: timedOut)
    }
}

struct SelftestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
