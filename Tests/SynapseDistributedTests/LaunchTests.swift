import Testing
import SynapseDistributed

/// Telling from the environment whether mpirun started the process, and the single-process
/// fallback of `--distributed` without it.
@Suite struct LaunchTests {
    @Test func openMPIsVariablesAreRead() {
        let environment = ["OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_RANK": "1"]
        #expect(MPILaunch.detect(environment) == MPILaunch(rank: 3, size: 4, localRank: 1))
        #expect(Distributed.isUnderMPIRun(environment))
    }

    @Test func mpichsVariablesAreRead() {
        #expect(MPILaunch.detect(["PMI_RANK": "0", "PMI_SIZE": "2"]) == MPILaunch(rank: 0, size: 2, localRank: nil))
        #expect(MPILaunch.detect(["PMI_RANK": "1", "PMI_SIZE": "2", "MPI_LOCALRANKID": "1"])
                == MPILaunch(rank: 1, size: 2, localRank: 1))
    }

    @Test func noOrInconsistentVariablesMeanNoLaunch() {
        #expect(MPILaunch.detect([:]) == nil)
        #expect(!Distributed.isUnderMPIRun(["PATH": "/usr/bin"]))
        #expect(MPILaunch.detect(["OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "2"]) == nil)
        #expect(MPILaunch.detect(["OMPI_COMM_WORLD_RANK": "x", "OMPI_COMM_WORLD_SIZE": "2"]) == nil)
        #expect(MPILaunch.detect(["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "0"]) == nil)
    }

    @Test func withoutALauncherStartGivesASingleProcessCommunicator() throws {
        let communicator = try Distributed.start(environment: [:])
        #expect(communicator is SingleProcessCommunicator)
        #expect(communicator.rank == 0 && communicator.size == 1 && communicator.localRank == 0 && communicator.isRoot)
        var values: [Float] = [1, 2.5, -3]
        try communicator.allreduce(&values, .average)
        try communicator.allreduce(&values, .sum)
        try communicator.broadcast(&values)
        #expect(values == [1, 2.5, -3])
        #expect(throws: DistributedError.invalidRank(1, size: 1)) { try communicator.broadcast(&values, from: 1) }
    }
}
