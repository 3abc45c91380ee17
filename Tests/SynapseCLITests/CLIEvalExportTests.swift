import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// `eval` reads the model and preprocessing from the checkpoint, `--normalize` overrides them, and
/// `export` writes the weights alone, which evaluate the same.
@Suite struct CLIEvalExportTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-export-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// 64 training and 48 test images of 28×28.
    static let data: String = try! SyntheticIDXData.directory(in: scratch, name: "idx", train: 64, test: 48)

    static func accuracyAndLoss(_ result: CLI.Result) throws -> (Double, Double) {
        try #require(result.status == 0, "eval failed: \(result.stderr)")
        let record = try #require(try CLI.records(result.stdout).first)
        return (try #require((record["accuracy"] as? NSNumber)?.doubleValue),
                try #require((record["loss"] as? NSNumber)?.doubleValue))
    }

    @Test func evalNeedsNoModelAndExportEvaluatesTheSame() throws {
        let checkpoint = Self.scratch + "/mlp.safetensors", weights = Self.scratch + "/mlp-weights.safetensors"
        let train = try CLI.run(["train", "--device", "cpu", "--model", "mlp", "--data-dir", Self.data, "--epochs", "1",
                                 "--batch-size", "16", "--normalize", "0.5,0.25", "--save", checkpoint, "--json"])
        try #require(train.status == 0, "train failed: \(train.stderr)")
        #expect(try SafeTensorsFile(contentsOf: checkpoint).metadata["synapse.normalize"] == "0.5,0.25")

        let common = ["eval", "--device", "cpu", "--data-dir", Self.data, "--json"]
        let recorded = try Self.accuracyAndLoss(try CLI.run(common + ["--checkpoint", checkpoint]))
        let explicit = try Self.accuracyAndLoss(try CLI.run(common + ["--checkpoint", checkpoint, "--model", "mlp",
                                                                      "--normalize", "0.5,0.25"]))
        #expect(recorded == explicit)
        let unnormalized = try Self.accuracyAndLoss(try CLI.run(common + ["--checkpoint", checkpoint, "--normalize", "none"]))
        #expect(unnormalized.1 != recorded.1)

        let export = try CLI.run(["export", "--checkpoint", checkpoint, "--output", weights])
        try #require(export.status == 0, "export failed: \(export.stderr)")
        let file = try SafeTensorsFile(contentsOf: weights)
        #expect(file.names == ["layers.1.weight", "layers.1.bias", "layers.3.weight", "layers.3.bias",
                               "layers.5.weight", "layers.5.bias"])
        #expect(try Self.accuracyAndLoss(try CLI.run(common + ["--checkpoint", weights])) == recorded)
    }

    @Test func stateDictWithoutModelAsksForOne() throws {
        let path = Self.scratch + "/plain.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
        try Checkpoint(model: model.stateDict()).write(to: path)
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--data-dir", Self.data, "--checkpoint", path]),
                           mentions: [path, "--model"])
        expectOneLineError(try CLI.run(["export", "--checkpoint", path, "--output", Self.scratch + "/out.safetensors"]),
                           mentions: [path, "--model"])
        let named = try CLI.run(["eval", "--device", "cpu", "--data-dir", Self.data, "--checkpoint", path, "--model", "lenet5"])
        #expect(named.status == 0, "\(named.stderr)")
    }

    @Test func badOptionsAreNamed() throws {
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", Self.data, "--normalize", "0.5"]),
                           mentions: ["--normalize", "'0.5'"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", Self.data, "--normalize", "0.1,0.2,0.3/1,1,1"]),
                           mentions: ["--normalize", "lenet5"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data", "cifar"]), mentions: ["--data", "'cifar'"])
        expectOneLineError(try CLI.run(["export", "--checkpoint", Self.scratch + "/none.safetensors",
                                        "--output", Self.scratch]),
                           mentions: ["--output"])
    }
}

extension CLIEvalExportTests {
    @Test func mnistNeedsItsFolder() throws {
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data", "mnist"]), mentions: ["--data-dir", "MNIST"])
        let train = try CLI.run(["train", "--device", "cpu", "--data", "mnist", "--data-dir", Self.data, "--epochs", "1",
                                 "--batch-size", "16", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("\"MNIST\""), "\(train.stdout)")
    }
}
