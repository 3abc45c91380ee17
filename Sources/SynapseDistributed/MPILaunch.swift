/// What an MPI launcher (`mpirun`, `mpiexec`) tells a process it starts through the environment,
/// read before MPI is initialised: whether there is a job at all, and which GPU to take.
///
/// Open MPI sets `OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE` and `OMPI_COMM_WORLD_LOCAL_RANK`;
/// MPICH's Hydra sets `PMI_RANK`, `PMI_SIZE` and `MPI_LOCALRANKID`.
public struct MPILaunch: Sendable, Equatable {
    /// This process's rank in the job.
    public let rank: Int
    /// Number of processes in the job.
    public let size: Int
    /// This process's rank among those on its machine, when the launcher says.
    public let localRank: Int?

    public init(rank: Int, size: Int, localRank: Int?) {
        self.rank = rank
        self.size = size
        self.localRank = localRank
    }

    /// The launch described by `environment`, or nil when no MPI launcher started this process
    /// (then `--distributed` runs as a single process).
    public static func detect(_ environment: [String: String]) -> MPILaunch? {
        for keys in [("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
                     ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID")] {
            guard let rank = environment[keys.0].flatMap({ Int($0) }),
                  let size = environment[keys.1].flatMap({ Int($0) }),
                  size > 0, (0..<size).contains(rank) else { continue }
            let local = environment[keys.2].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
            return MPILaunch(rank: rank, size: size, localRank: local)
        }
        return nil
    }
}
