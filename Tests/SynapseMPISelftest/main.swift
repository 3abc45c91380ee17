// synapse-mpi-selftest (target SynapseMPISelftest): the multi-process checks of SynapseDistributed,
// run by SynapseDistributedTests as `mpirun --allow-run-as-root --oversubscribe -np 2
// SynapseMPISelftest <mode>`; without mpirun it runs as a job of one process. Not a product.
//
// Modes:
//   collectives            broadcast, allreduce, barrier, bucketed exchange, batch shards: one
//                          `rank R: ok|FAIL <check>` line per check, then `rank R: done`
//   abort|exit|kill RANK   RANK aborts through the communicator / exits 3 / kills itself with
//                          SIGKILL once every rank is past a barrier; the others block in an allreduce
//   bench COUNT REPEATS    times an allreduce (sum) of COUNT floats; rank 0 prints the times
//   exchange COUNT BUCKETS BACKWARD_MS STEPS
//                          times a bucketed exchange overlapping a simulated backward pass
//   dropout [DEVICE [STEPS]]
//                          20 steps of AlexNetSmall with dropout through Trainer.distribute; rank 0
//                          compares the parameters with one process's
//   syncbn|unsynced [DEVICE [STEPS]]
//                          the same with batch norm, with syncBatchNorm (or without: must differ)
import Foundation
import SynapseDistributed

let arguments = Array(CommandLine.arguments.dropFirst())
let communicator: any Communicator
do {
    communicator = try Distributed.start()
} catch {
    FileHandle.standardError.write(Data("selftest: cannot start: \(error)\n".utf8))
    exit(2)
}
if !Distributed.isUnderMPIRun() { print(Distributed.singleProcessNote) }

switch (arguments.first, arguments.dropFirst().first.flatMap { Int($0) }) {
case ("collectives", _):
    var checks = SelfChecks(communicator)
    checkCollectives(&checks)
    checkExchange(&checks)
    checkShards(&checks)
    checks.finish()
case ("abort", let victim?), ("exit", let victim?), ("kill", let victim?):
    failMidRun(communicator, mode: arguments[0], victim: victim)
case ("bench", let count?):
    let repeats = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 5
    benchAllreduce(communicator, count: count, repeats: repeats)
case ("exchange", let count?):
    let numbers = arguments.dropFirst(2).compactMap { Double($0) }
    guard numbers.count == 3 else { usage() }
    benchExchange(communicator, count: count, bucketCount: Int(numbers[0]), backwardMilliseconds: numbers[1],
                  steps: Int(numbers[2]))
case ("dropout", _), ("syncbn", _), ("unsynced", _):
    checkTrainingMatchesOneProcess(communicator, device: arguments.dropFirst().first ?? "cpu", mode: arguments[0],
                                   steps: arguments.dropFirst(2).first.flatMap { Int($0) } ?? 20)
default:
    usage()
}
try communicator.finalize()

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: SynapseMPISelftest collectives | abort|exit|kill RANK | bench COUNT [REPEATS]
                                  | exchange COUNT BUCKETS BACKWARD_MS STEPS | dropout|syncbn|unsynced [DEVICE [STEPS]]

        """.utf8))
    exit(2)
}
