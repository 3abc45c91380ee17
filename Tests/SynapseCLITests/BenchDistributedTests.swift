import Foundation
import Testing

/// `mpirun -np 2 synapse-bench --distributed`: both models' rows with the exchange split and the
/// scaling efficiency (no timing is checked, only that each figure is there).
@Suite(.serialized, .enabled(if: MPIJob.enabled, "mpirun is not installed (scripts/setup.sh installs it)"))
struct BenchDistributedTests {
    @Test func twoRanksReportTheExchangeAndTheScalingEfficiencyOfEachModel() throws {
        let binary = try BenchSmoke.binary().path
        let job = try MPIJob.run(ranks: 2, ["--distributed", "--quick", "--device", "cpu", "--iterations", "2", "--warmup", "1"],
                                 binary: binary)
        #expect(job.status == 0 && !job.timedOut, "\(job.stdout)\n\(job.stderr)")
        let lines = job.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("distributed training steps, 2 rank(s) on cpu") == true, "\(job.stdout)")
        let header = lines.first { $0.hasPrefix("model") }
        for column in ["1 process", "2 ranks", "exchange", "hidden", "exposed", "efficiency"] {
            #expect(header?.contains(column) == true, "no \(column) column:\n\(job.stdout)")
        }
        for model in ["lenet5", "alexnet-small"] {
            let row = lines.filter { $0.hasPrefix(model + " ") }
            #expect(row.count == 1, "rank 0 alone prints one row for \(model):\n\(job.stdout)")
            let cells = row.first?.split(separator: " ", omittingEmptySubsequences: true) ?? []
            #expect(cells.filter { $0 == "ms" }.count == 6 && cells.last?.hasSuffix("%") == true, "\(row)")
        }
    }

    @Test func aFilterThatMatchesNoModelIsOneErrorLine() throws {
        let job = try MPIJob.run(ranks: 2, ["--distributed", "--quick", "--device", "cpu", "--filter", "resnet"],
                                 binary: try BenchSmoke.binary().path)
        #expect(job.status != 0 && !job.timedOut, "\(job.stderr)")
        #expect(job.stderr.contains("resnet"), "\(job.stderr)")
    }
}
