import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Values from files and options that once crashed `synapse` (issue 13): each now ends in one
/// `synapse: error: …` line naming the file, key or option, a non-zero exit, and nothing lost.
@Suite(.serialized) struct CLIHostileInputTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-hostile-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// 64 training images (4 steps of 16) and 32 test images of 28×28.
    static let data: String = try! SyntheticIDXData.directory(in: scratch, name: "small", train: 64, test: 32)

    static let common = ["--device", "cpu", "--data-dir", data, "--batch-size", "16", "--seed", "5"]

    /// A checkpoint of 2 of the 4 steps of the first epoch of `train` with `common` options, as an
    /// interrupted run leaves it.
    static func midEpochCheckpoint(_ name: String) throws -> String {
        var configuration = TrainingConfiguration()
        configuration.dataDirectory = data
        configuration.batchSize = 16
        configuration.seed = 5
        configuration.epochs = 2
        let trainer = try Trainer(configuration: configuration, device: CPUDevice.shared)
        _ = try trainer.train(steps: 2)
        let path = scratch + "/" + name
        try trainer.save(to: path)
        return path
    }

    /// Rewrites the safetensors file at `path` through `edit`.
    static func rewrite(_ path: String, _ edit: (inout SafeTensorsFile) throws -> Void) throws {
        var file = try SafeTensorsFile(contentsOf: path)
        try edit(&file)
        try file.write(to: path)
    }

    /// LeNet-5 weights, as `eval` takes them.
    static func weights(_ name: String) throws -> String {
        let path = scratch + "/" + name
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
        try Checkpoint(model: model.stateDict(), modelName: "lenet5").write(to: path)
        return path
    }

    @Test func checkpointValuesAreChecked() throws {
        let edits: [(key: String, edit: (inout SafeTensorsFile) -> Void)] = [
            ("synapse.batch", { $0.metadata["synapse.batch"] = "9" }),
            ("synapse.epoch", { $0.metadata["synapse.epoch"] = "9223372036854775807" }),
            ("synapse.global_step", { $0.metadata["synapse.global_step"] = "9223372036854775807" }),
            ("optimizer/step", { $0["optimizer/step"] = SafeTensor([Float.nan], shape: []) }),
            ("optimizer/state.0.momentum_buffer", { $0["optimizer/state.0.momentum_buffer"] = nil }),
        ]
        for (key, edit) in edits {
            let path = try Self.midEpochCheckpoint("tampered.safetensors")
            try Self.rewrite(path, edit)
            expectOneLineError(try CLI.run(["train"] + Self.common + ["--epochs", "2", "--resume", path]),
                               mentions: [path, key])
        }
    }

    @Test func resumingMidEpochWithOtherDataOptionsNamesBothValues() throws {
        let path = try Self.midEpochCheckpoint("interrupted.safetensors")
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--epochs", "2", "--resume", path, "--batch-size", "8"]),
                           mentions: [path, "--batch-size", "16", "8"])
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--epochs", "2", "--resume", path, "--limit-train", "32"]),
                           mentions: [path, "--limit-train", "64", "32"])
        let resumed = try CLI.run(["train"] + Self.common + ["--epochs", "2", "--resume", path, "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    @Test(arguments: [(32, 32), (14, 14), (1, 1), (0, 0), (28, 0)])
    func imagesTheModelCannotTakeAreNamed(height: Int, width: Int) throws {
        let directory = try SyntheticIDXData.directory(in: Self.scratch, name: "images-\(height)x\(width)",
                                                       train: 16, test: 16, height: height, width: width)
        let shapes = ["1×\(height)×\(width)", "1×28×28"]
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", directory, "--epochs", "1"]),
                           mentions: [directory] + shapes)
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--data-dir", directory,
                                        "--checkpoint", try Self.weights("for-\(height)x\(width).safetensors")]),
                           mentions: [directory] + shapes)
    }

    @Test func emptySetsAreAnError() throws {
        let noTrain = try SyntheticIDXData.directory(in: Self.scratch, name: "no-train", train: 0, test: 16)
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", noTrain, "--epochs", "1"]),
                           mentions: [noTrain, "no images"])
        let noTest = try SyntheticIDXData.directory(in: Self.scratch, name: "no-test", train: 16, test: 0)
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", noTest, "--epochs", "1"]),
                           mentions: [noTest, "no images"])
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--data-dir", noTest,
                                        "--checkpoint", try Self.weights("for-empty.safetensors")]),
                           mentions: [noTest, "no images"])
    }

    @Test func sizesBeyondAnyRunAreRejected() throws {
        let huge = "9223372036854775807"
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--batch-size", huge]), mentions: ["--batch-size"])
        expectOneLineError(try CLI.run(["eval"] + Self.common + ["--batch-size", huge, "--checkpoint", "x.safetensors"]),
                           mentions: ["--batch-size"])
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--epochs", huge]), mentions: ["--epochs"])
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--steps", huge, "--model", "alexnet"]),
                           mentions: ["--steps"])
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--warmup-epochs", huge]), mentions: ["--warmup-epochs"])
        expectOneLineError(try CLI.run(["train"] + Self.common + ["--warmup-steps", huge, "--schedule-by", "step"]),
                           mentions: ["--warmup-steps"])
    }

    /// The per-step schedule and clipping options: each bad value is one error line naming the option.
    @Test func badScheduleAndClippingOptionsAreNamed() throws {
        for (arguments, option) in [(["--schedule-by", "weekly"], "--schedule-by"), (["--warmup-steps", "5"], "--warmup-steps"),
                                    (["--clip-grad-norm", "-1"], "--clip-grad-norm"), (["--clip-grad-norm", "nan"], "--clip-grad-norm")] {
            expectOneLineError(try CLI.run(["train"] + Self.common + arguments), mentions: [option])
        }
    }

    @Test func aSavePathThatCannotHoldACheckpointFailsBeforeTraining() throws {
        let directory = Self.scratch + "/save-dir"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Neither a FIFO nor a dangling link may be replaced by the checkpoint (as root, an atomic
        // save to /dev/null used to replace the device with a file).
        let fifo = Self.scratch + "/pipe", dangling = Self.scratch + "/dangling"
        _ = mkfifo(fifo, 0o600)
        _ = symlink("nowhere/at/all", dangling)
        for path in [directory, directory + "/", Self.scratch + "/new/", "", Self.scratch + "/missing/run.safetensors",
                     fifo, dangling] {
            let result = try CLI.run(["train"] + Self.common + ["--epochs", "1", "--json", "--save", path])
            expectOneLineError(result, mentions: ["--save"])
            #expect(result.stdout.isEmpty, "trained before rejecting --save '\(path)': \(result.stdout)")
        }
    }

    @Test func sigtermStopsAfterTheStepAndSaves() throws {
        let checkpoint = Self.scratch + "/terminated.safetensors"
        let running = try CLI.start(["train"] + Self.common + ["--epochs", "100000", "--json", "--save", checkpoint])
        // Wait for the first epoch's checkpoint: the run is then training.
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint) && running.process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        running.process.terminate()
        let result = try running.finish()
        #expect(result.status == 143, "status \(result.status); stderr: \(result.stderr)")
        let summary = try #require(try CLI.records(result.stdout).last)
        #expect(summary["event"] as? String == "summary" && summary["interrupted"] as? Bool == true)
        let saved = try Checkpoint(contentsOf: checkpoint)
        #expect(saved.isResumable)
    }

    @Test func divergenceIsAnErrorAndNonFiniteWeightsAreNamed() throws {
        let result = try CLI.run(["train"] + Self.common + ["--epochs", "3", "--lr", "1e6"])
        expectOneLineError(CLI.Result(status: result.status, stdout: "", stderr: result.stderr.split(separator: "\n")
                                        .filter { !$0.hasPrefix("epoch ") }.joined(separator: "\n")),
                           mentions: ["diverged", "--lr"])

        let path = try Self.weights("nan.safetensors")
        try Self.rewrite(path) { file in
            let shape = try #require(file["conv1.bias"]).shape
            file["conv1.bias"] = SafeTensor([Float](repeating: .nan, count: shape.reduce(1, *)), shape: shape)
        }
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--data-dir", Self.data, "--checkpoint", path]),
                           mentions: [path, "conv1.bias", "nan"])
    }
}
