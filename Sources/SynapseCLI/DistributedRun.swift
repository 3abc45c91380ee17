import ArgumentParser
import Foundation
import Synapse
import SynapseDistributed

/// The job `synapse train --distributed` is one rank of: which device the rank takes, and how a
/// failure on one rank ends every rank.
struct DistributedRun {
    let communicator: any Communicator

    /// Whether this rank reports, evaluates and saves.
    var isRoot: Bool { communicator.isRoot }

    /// Joins the job `mpirun` started; without `mpirun`, a job of this process alone, with a note.
    static func start() throws -> DistributedRun {
        if !Distributed.isUnderMPIRun() { StandardError.write(Distributed.singleProcessNote + "\n") }
        return DistributedRun(communicator: try Distributed.start())
    }

    /// `--device` or `SYNAPSE_DEVICE` when given; else, in a job of several ranks on a machine with
    /// GPUs, the GPU numbered by this rank's local rank; else the default device.
    func device(_ options: DeviceOptions) throws -> any Device {
        let environment = ProcessInfo.processInfo.environment["SYNAPSE_DEVICE"] ?? ""
        guard options.device == nil, environment.isEmpty, communicator.size > 1 else { return try options.resolve() }
        let gpus = Devices.all().filter { $0.info.kind == .gpu }
        guard !gpus.isEmpty else { return try options.resolve() }
        guard communicator.localRank < gpus.count else {
            throw DistributedRunError(
                "local rank \(communicator.localRank) has no GPU of its own (this machine has \(gpus.count): "
                    + gpus.map(\.info.spec).joined(separator: ", ")
                    + "); start at most \(gpus.count) ranks per machine, or choose with --device")
        }
        return gpus[communicator.localRank]
    }

    /// Runs `body`. In a job of several ranks, an error on this rank ends every rank: it prints
    /// `synapse: error: rank R of N: …` and `mpirun` exits non-zero, so no rank waits forever in a
    /// collective.
    static func failing<R>(_ run: DistributedRun?, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let code as ExitCode {
            throw code
        } catch {
            guard let run, run.communicator.size > 1 else { throw error }
            run.communicator.abort(String(describing: error), exitCode: 1)
        }
    }
}

/// A rank that cannot take part in the job.
struct DistributedRunError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
