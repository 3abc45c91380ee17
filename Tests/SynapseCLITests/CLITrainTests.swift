import SynapseTraining
import Foundation
import SynapseTestSupport
import Testing

/// `synapse devices`, and `synapse train` + `synapse eval` end to end on the CPU and on OpenCL.
@Suite(.serialized) struct CLITrainTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-train-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// `cpu` plus the first OpenCL device (PoCL in CI; its absence fails there).
    static let devices: [String] = ["cpu"] + TestDevices.openCLSpecs.prefix(1)

    @Test func devicesJSONParses() throws {
        let result = try CLI.run(["devices", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let devices = try #require(object["devices"] as? [[String: Any]])
        #expect(devices.first?["spec"] as? String == "cpu")
        for device in devices {
            for key in ["spec", "name", "platform", "vendor", "kind", "computeUnits", "globalMemoryBytes",
                        "maxAllocationBytes", "driverVersion", "gemmLibrary"] {
                #expect(device[key] != nil, "device entry lacks \(key)")
            }
        }
        #expect(devices.count == 1 + TestDevices.openCLSpecs.count)
        #expect(object["defaultDevice"] is String)
        if !TestDevices.openCLSpecs.isEmpty { #expect(object["openCLDefault"] is String) }

        let text = try CLI.run(["devices"])
        #expect(text.status == 0 && text.stdout.contains("cpu") && text.stdout.contains("default device"))
    }

    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"), arguments: devices)
    func trainThenEvaluate(device: String) throws {
        let data = try FashionMNISTFiles.directory()
        let checkpoint = Self.scratch + "/\(device.replacingOccurrences(of: ":", with: "-")).safetensors"
        // 150 steps of 32 per epoch, 2 epochs: 300 steps.
        let train = try CLI.run(["train", "--device", device, "--data-dir", data, "--limit-train", "4800",
                                 "--limit-test", "1000", "--batch-size", "32", "--epochs", "2", "--seed", "3",
                                 "--json", "--save", checkpoint])
        try #require(train.status == 0, "train failed: \(train.stderr)")
        let records = try CLI.records(train.stdout)
        let events = records.compactMap { $0["event"] as? String }.filter { $0 != "progress" }
        #expect(events == ["start", "epoch", "checkpoint", "epoch", "checkpoint", "summary"])
        let epochs = records.filter { $0["event"] as? String == "epoch" }
        let losses = epochs.compactMap { ($0["trainLoss"] as? NSNumber)?.doubleValue }
        try #require(losses.count == 2)
        #expect(losses[0] < 2.0, "first-epoch loss \(losses[0]) did not fall below chance (2.30)")
        #expect(losses[1] < losses[0], "loss did not fall: \(losses)")
        let summary = try #require(records.last)
        let accuracy = try #require((summary["finalAccuracy"] as? NSNumber)?.doubleValue)
        #expect(accuracy > 0.6, "final test accuracy \(accuracy)")
        #expect((summary["peakDeviceMemoryBytes"] as? NSNumber)?.intValue ?? 0 > 0)
        #expect(summary["device"] as? String == device)

        let eval = try CLI.run(["eval", "--device", device, "--data-dir", data, "--limit-test", "1000",
                                "--checkpoint", checkpoint, "--json"])
        try #require(eval.status == 0, "eval failed: \(eval.stderr)")
        let result = try #require(try CLI.records(eval.stdout).first)
        let evalAccuracy = try #require((result["accuracy"] as? NSNumber)?.doubleValue)
        #expect(abs(evalAccuracy - accuracy) <= (device == "cpu" ? 0 : 0.002), "eval \(evalAccuracy) vs train \(accuracy)")
        #expect((result["examples"] as? NSNumber)?.intValue == 1000)
    }

    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func resumeContinuesAtTheSavedEpoch() throws {
        let data = try FashionMNISTFiles.directory()
        let checkpoint = Self.scratch + "/resume.safetensors"
        let common = ["--device", "cpu", "--data-dir", data, "--limit-train", "640", "--limit-test", "200",
                      "--batch-size", "64", "--seed", "8", "--json"]
        let first = try CLI.run(["train"] + common + ["--epochs", "1", "--save", checkpoint])
        try #require(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["train"] + common + ["--epochs", "2", "--resume", checkpoint])
        try #require(second.status == 0, "\(second.stderr)")
        let records = try CLI.records(second.stdout)
        let start = try #require(records.first { $0["event"] as? String == "start" })
        #expect((start["startEpoch"] as? NSNumber)?.intValue == 1)
        #expect(records.filter { $0["event"] as? String == "epoch" }.compactMap { ($0["epoch"] as? NSNumber)?.intValue } == [2])

        // A straight two-epoch run ends with the same loss and accuracy.
        let straight = try CLI.run(["train"] + common + ["--epochs", "2"])
        let expected = try CLI.records(straight.stdout).filter { $0["event"] as? String == "epoch" }.last
        let resumed = records.filter { $0["event"] as? String == "epoch" }.last
        #expect((expected?["trainLoss"] as? NSNumber) == (resumed?["trainLoss"] as? NSNumber))
        #expect((expected?["testAccuracy"] as? NSNumber) == (resumed?["testAccuracy"] as? NSNumber))
    }

    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func ctrlCStopsAfterTheStepAndSaves() throws {
        let data = try FashionMNISTFiles.directory()
        let checkpoint = Self.scratch + "/interrupted.safetensors"
        let running = try CLI.start(["train", "--device", "cpu", "--data-dir", data, "--epochs", "50",
                                     "--json", "--save", checkpoint])
        Thread.sleep(forTimeInterval: 3)
        running.process.interrupt()
        let result = try running.finish()
        #expect(result.status == 130, "status \(result.status); stderr: \(result.stderr)")
        let records = try CLI.records(result.stdout)
        let summary = try #require(records.last)
        #expect(summary["event"] as? String == "summary" && summary["interrupted"] as? Bool == true)
        let saved = try Checkpoint(contentsOf: checkpoint)
        #expect(saved.isResumable && saved.modelName == "lenet5")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test(arguments: TestDevices.specs)
    func alexnetTrainsOnSyntheticData(device: String) throws {
        let result = try CLI.run(["train", "--model", "alexnet", "--device", device, "--batch-size", "2", "--steps", "2",
                                  "--epochs", "1", "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let records = try CLI.records(result.stdout)
        let start = try #require(records.first)
        #expect(start["dataset"] as? String == "synthetic 3×224×224, 1000 classes")
        #expect((start["stepsPerEpoch"] as? NSNumber)?.intValue == 2)
        let epoch = try #require(records.first { $0["event"] as? String == "epoch" })
        let loss = try #require((epoch["trainLoss"] as? NSNumber)?.doubleValue)
        #expect(loss.isFinite && loss > 5 && loss < 9, "loss \(loss) is not near ln(1000) = 6.9")
        #expect(epoch["testAccuracy"] == nil)
        #expect(records.last?["event"] as? String == "summary")
    }
}
