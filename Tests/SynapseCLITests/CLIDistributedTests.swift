import Foundation
import SynapseTraining
import SynapseTestSupport
import Testing

/// `synapse train --distributed` under `mpirun -np 2`: the same parameters as one process, rank 0
/// alone reporting and saving, resume in a single process, and failures that end the job.
@Suite(.serialized, .enabled(if: MPIJob.enabled && FashionMNISTFiles.shouldRun, "mpirun or Fashion-MNIST missing"))
struct CLIDistributedTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-distributed-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// `cpu` plus the first OpenCL device (PoCL in CI).
    static let devices: [String] = ["cpu"] + TestDevices.openCLSpecs.prefix(1)

    /// One epoch of 20 global batches of 64 (1280 images), LeNet-5.
    static func twentySteps(device: String, save: String) throws -> [String] {
        ["train", "--device", device, "--data-dir", try FashionMNISTFiles.directory(), "--limit-train", "1280",
         "--limit-test", "64", "--batch-size", "64", "--epochs", "1", "--seed", "5", "--save", save]
    }

    /// The largest difference between the float tensors of two checkpoints (which must hold the
    /// same names).
    static func maxDifference(_ a: String, _ b: String) throws -> Float {
        let first = try SafeTensorsFile(contentsOf: a), second = try SafeTensorsFile(contentsOf: b)
        #expect(first.names.sorted() == second.names.sorted())
        var largest: Float = 0, compared = 0
        for name in first.names where try first.tensor(named: name).dtype == .float32 {
            let x = try first.floats(named: name), y = try second.floats(named: name)
            try #require(x.count == y.count, "\(name): \(x.count) against \(y.count) values")
            for (u, v) in zip(x, y) { largest = max(largest, abs(u - v)) }
            compared += 1
        }
        #expect(compared > 10, "only \(compared) float tensors compared")
        return largest
    }

    @Test(arguments: devices)
    func twoRanksOfBatch32GiveTheParametersOfOneProcessOfBatch64(device: String) throws {
        let tag = device.replacingOccurrences(of: ":", with: "-")
        let single = Self.scratch + "/single-\(tag).safetensors", split = Self.scratch + "/split-\(tag).safetensors"
        let alone = try CLI.run(try Self.twentySteps(device: device, save: single))
        try #require(alone.status == 0, "\(alone.stderr)")
        let job = try MPIJob.run(ranks: 2, try Self.twentySteps(device: device, save: split) + ["--distributed"])
        try #require(job.status == 0 && !job.timedOut, "\(job.stderr)")
        let difference = try Self.maxDifference(single, split)
        #expect(difference <= 1e-5, "parameters differ by \(difference) after 20 steps on \(device)")
    }

    @Test func rankZeroAloneReportsAndTheCheckpointResumesInOneProcess() throws {
        let data = try FashionMNISTFiles.directory(), checkpoint = Self.scratch + "/resume.safetensors"
        let common = ["--device", "cpu", "--data-dir", data, "--limit-train", "2560", "--limit-test", "500",
                      "--batch-size", "64", "--seed", "2", "--json", "--save", checkpoint]
        let job = try MPIJob.run(ranks: 2, ["train", "--distributed", "--verbose", "--epochs", "1"] + common)
        try #require(job.status == 0 && !job.timedOut, "\(job.stderr)")
        let records = try CLI.records(job.stdout)
        let events = records.compactMap { $0["event"] as? String }.filter { $0 != "progress" }
        #expect(events == ["start", "epoch", "checkpoint", "summary"], "\(job.stdout)")
        #expect(!job.stderr.contains("note: --distributed without mpirun"), "\(job.stderr)")
        // Rank 0 alone reports the exchange: 40 steps of 2560 / 64.
        let timing = job.stderr.split(separator: "\n").filter { $0.hasPrefix("note: gradient exchange: 2 ranks, ") }
        #expect(timing.count == 1 && timing.first?.contains("over 40 steps: exchange ") == true
                && timing.first?.contains(" hidden behind backward and ") == true, "\(job.stderr)")

        let resumed = try CLI.run(["train", "--epochs", "2", "--resume", checkpoint] + common)
        try #require(resumed.status == 0, "\(resumed.stderr)")
        let epochs = try CLI.records(resumed.stdout).filter { $0["event"] as? String == "epoch" }
        #expect(epochs.compactMap { ($0["epoch"] as? NSNumber)?.intValue } == [2], "\(resumed.stdout)")
        let accuracy = try #require((epochs.last?["testAccuracy"] as? NSNumber)?.doubleValue)
        #expect(accuracy > 0.5, "resumed run's test accuracy \(accuracy)")
    }

    @Test func withoutMPIRunItTrainsAsOneProcessWithANote() throws {
        let result = try CLI.run(["train", "--distributed", "--device", "cpu", "--data-dir", try FashionMNISTFiles.directory(),
                                  "--limit-train", "256", "--limit-test", "64", "--batch-size", "64", "--epochs", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderrLines.first == "note: --distributed without mpirun: running as a single process (start N with `mpirun -np N …`)",
                "\(result.stderr)")
    }

    @Test func syncBatchNormTrainsAlexNetSmallOnTwoRanksAndIsRefusedWithoutDistributed() throws {
        let data = try FashionMNISTFiles.directory()
        let common = ["train", "--sync-batchnorm", "--model", "alexnet-small", "--device", "cpu", "--data-dir", data,
                      "--limit-train", "128", "--limit-test", "64", "--batch-size", "64", "--epochs", "1"]
        let job = try MPIJob.run(ranks: 2, common + ["--distributed", "--verbose"])
        #expect(job.status == 0 && !job.timedOut, "\(job.stderr)")
        // Running statistics no longer ride along: 2 floats (loss, stop flag) after the gradients.
        #expect(job.stderr.contains("note: gradient exchange: 2 ranks, 538498 floats in 1 bucket(s) + 1 per step over 2 steps"),
                "\(job.stderr)")
        let alone = try CLI.run(common)
        #expect(alone.status != 0)
        #expect(alone.stderrLines == ["synapse: error: invalid value for --sync-batchnorm: applies to --distributed runs only"],
                "\(alone.stderr)")
    }

    @Test func aGlobalBatchSmallerThanTheRanksIsRefusedNamingTheOption() throws {
        let result = try MPIJob.run(ranks: 2, ["train", "--distributed", "--device", "cpu", "--data-dir",
                                               try FashionMNISTFiles.directory(), "--batch-size", "1", "--epochs", "1"])
        #expect(!result.timedOut, "mpirun hung:\n\(result.stderr)")
        #expect(result.status != 0)
        #expect(result.stderr.contains("synapse: error: rank ") && result.stderr.contains("--batch-size"), "\(result.stderr)")
    }

    @Test func aRankKilledMidRunEndsTheJob() throws {
        let job = try MPIJob.Running(ranks: 2, ["train", "--distributed", "--device", "cpu", "--data-dir",
                                                try FashionMNISTFiles.directory(), "--batch-size", "64", "--epochs", "50"])
        let victim = job.pid(ofRank: 1)
        Thread.sleep(forTimeInterval: 3)  // into its run, past MPI's start
        if let victim { kill(victim, SIGKILL) } else { job.process.terminate() }
        let result = job.finish()
        #expect(victim != nil, "rank 1 never appeared:\n\(result.stderr)")
        #expect(!result.timedOut, "mpirun hung after rank 1 was killed:\n\(result.stderr)")
        #expect(result.status != 0)
        #expect(result.stderr.contains("process rank 1") && result.stderr.contains("signal 9"), "\(result.stderr)")
    }

    @Test func aRankThatCannotOpenItsDeviceEndsTheJobNamingTheRank() throws {
        let result = try MPIJob.run(ranks: 2, ["train", "--distributed", "--device", "opencl:9", "--data-dir",
                                               try FashionMNISTFiles.directory(), "--epochs", "1"])
        #expect(!result.timedOut, "mpirun hung:\n\(result.stderr)")
        #expect(result.status != 0)
        #expect(result.stderr.contains("synapse: error: rank ") && result.stderr.contains("opencl:9"), "\(result.stderr)")
    }
}
