import Foundation

/// Starting a data-parallel job.
public enum Distributed {
    /// Printed by a program asked for `--distributed` that was not started by `mpirun`.
    public static let singleProcessNote =
        "note: --distributed without mpirun: running as a single process (start N with `mpirun -np N …`)"

    /// Whether an MPI launcher started this process (see `MPILaunch`).
    public static func isUnderMPIRun(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        MPILaunch.detect(environment) != nil
    }

    /// This process's communicator: MPI's when an MPI launcher started it (MPI is initialised on
    /// the first call; later calls return the same communicator), else a single-process one that
    /// never touches MPI.
    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> any Communicator {
        guard let launch = MPILaunch.detect(environment) else { return SingleProcessCommunicator() }
        return try MPICommunicator.shared(launch: launch)
    }
}
