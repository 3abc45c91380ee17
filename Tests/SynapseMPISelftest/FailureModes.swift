import Foundation
import SynapseDistributed

/// Rank `victim` fails once every rank is past a barrier, while the others wait in an allreduce
/// that can never complete: `mpirun` must end the job rather than hang.
func failMidRun(_ communicator: any Communicator, mode: String, victim: Int) -> Never {
    let rank = communicator.rank
    do { try communicator.barrier() } catch { print("rank \(rank): barrier threw \(error)"); exit(2) }
    if rank == victim {
        print("rank \(rank): failing (\(mode))")
        fflush(nil)
        switch mode {
        case "abort": communicator.abort("selftest: rank \(rank) gives up on purpose", exitCode: 3)
        case "exit": exit(3)
        default: raise(SIGKILL)
        }
    }
    print("rank \(rank): waiting in allreduce")
    fflush(nil)
    var values: [Float] = [1]
    while true { try? communicator.allreduce(&values, .sum) }
}
