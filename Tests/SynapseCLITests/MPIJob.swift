import Foundation
import SynapseTestSupport

/// Runs `mpirun --allow-run-as-root --oversubscribe -np N synapse …` with a hang guard, and finds
/// the ranks it started (to kill one).
enum MPIJob {
    /// `mpirun` on the PATH.
    static let mpirun = BuiltExecutable.onPath("mpirun")

    /// Whether the MPI tests run: always in CI (where a missing mpirun then fails them).
    static var enabled: Bool { mpirun != nil || CLI.isCI }

    /// Longest a job may take before it counts as hung and is killed (this only turns a hang into
    /// a failure; the jobs here take seconds).
    static let hangGuard: TimeInterval = 300

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// A started job.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let outPipe = Pipe(), errPipe = Pipe()
        private var out = Data(), err = Data()
        private let group = DispatchGroup()
        private let exited = DispatchSemaphore(value: 0)

        /// `binary`: the executable each rank runs (the built `synapse` when nil).
        init(ranks: Int, _ arguments: [String], binary: String? = nil) throws {
            guard let mpirun = MPIJob.mpirun else {
                throw CLIError("mpirun was not found on the PATH (scripts/setup.sh installs openmpi-bin)")
            }
            guard let binary = binary ?? CLI.binary else { throw CLIError("the synapse executable was not found; run `swift build` first") }
            process.executableURL = URL(fileURLWithPath: mpirun)
            process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), binary] + arguments
            process.environment = ProcessInfo.processInfo.environment.filter {
                !$0.key.hasPrefix("OMPI_COMM_WORLD") && !$0.key.hasPrefix("PMI_") && $0.key != "SYNAPSE_DEVICE"
            }
            process.standardOutput = outPipe
            process.standardError = errPipe
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { [exited] _ in exited.signal() }
            try process.run()
            for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
                group.enter()
                DispatchQueue.global().async {
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOut { self.out = data } else { self.err = data }
                    self.group.leave()
                }
            }
        }

        /// Waits for the job (killing it past the hang guard).
        func finish() -> Result {
            let timedOut = exited.wait(timeout: .now() + MPIJob.hangGuard) == .timedOut
            if timedOut {
                process.terminate()
                if exited.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL); exited.wait() }
            }
            // A rank orphaned by a killed mpirun could hold the pipes open: do not wait for it forever.
            let read = group.wait(timeout: .now() + 10) == .success
            return Result(status: process.terminationStatus, stdout: read ? String(decoding: out, as: UTF8.self) : "",
                          stderr: read ? String(decoding: err, as: UTF8.self) : "(the output pipes stayed open)",
                          timedOut: timedOut)
        }

        /// The process id of `rank` once `mpirun` has started it (nil if it never appears).
        func pid(ofRank rank: Int, within seconds: Double = 60) -> pid_t? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                    guard let pid = pid_t(entry), let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                          String(decoding: environment, as: UTF8.self).split(separator: "\0")
                            .contains("OMPI_COMM_WORLD_RANK=\(rank)"),
                          isDescendant(pid) else { continue }
                    return pid
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return nil
        }

        /// Whether `pid` descends from this job's `mpirun`.
        private func isDescendant(_ pid: pid_t) -> Bool {
            var current = pid
            for _ in 0..<8 {
                guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 1, let parent = pid_t(fields[1]) else { return false }
                if parent == process.processIdentifier { return true }
                current = parent
            }
            return false
        }
    }

    /// Runs `synapse arguments…` as `ranks` ranks to completion.
    static func run(ranks: Int, _ arguments: [String], binary: String? = nil) throws -> Result {
        try Running(ranks: ranks, arguments, binary: binary).finish()
    }
}
