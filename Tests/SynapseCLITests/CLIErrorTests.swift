import SynapseTraining
import Foundation
import SynapseTestSupport
import Testing

/// Every user mistake ends in one `synapse: error: …` line and a non-zero exit.
@Suite struct CLIErrorTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    @Test func unknownDevice() throws {
        expectOneLineError(try CLI.run(["train", "--device", "tpu:3"]), mentions: ["tpu:3", "cpu"])
        expectOneLineError(try CLI.run(["train", "--device", "opencl:99"]), mentions: ["opencl:99"])
        expectOneLineError(try CLI.run(["eval", "--device", "gpu", "--checkpoint", "x.safetensors"]), mentions: ["gpu"])
        expectOneLineError(try CLI.run(["train"], environment: ["SYNAPSE_DEVICE": "quantum"]), mentions: ["quantum"])
    }

    @Test func unknownModel() throws {
        expectOneLineError(try CLI.run(["train", "--model", "resnet50", "--device", "cpu"]),
                           mentions: ["resnet50", "lenet5", "alexnet"])
    }

    @Test func unknownOptionsAndBadValues() throws {
        expectOneLineError(try CLI.run(["train", "--frobnicate"]), mentions: ["--frobnicate"])
        expectOneLineError(try CLI.run(["train", "--optimizer", "rmsprop"]), mentions: ["rmsprop"])
        expectOneLineError(try CLI.run(["train", "--epochs", "many"]), mentions: ["many"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--epochs", "0"]), mentions: ["--epochs"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--lr", "-1"]), mentions: ["--lr"])
        expectOneLineError(try CLI.run(["fly"]), mentions: ["fly"])
        expectOneLineError(try CLI.run(["eval", "--device", "cpu"]), mentions: ["--checkpoint"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--save", "/no/such/dir/run.safetensors"]),
                           mentions: ["--save", "/no/such/dir"])
    }

    @Test func missingDataDirectory() throws {
        let missing = Self.scratch + "/no-such-dir"
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", missing]),
                           mentions: [missing, "train-images"])
        let weights = Self.scratch + "/lenet-for-missing-data.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
        try Checkpoint(model: model.stateDict(), modelName: "lenet5").write(to: weights)
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--data-dir", missing, "--checkpoint", weights]),
                           mentions: [missing, "t10k-images"])
    }

    @Test func corruptDataFiles() throws {
        let directory = Self.scratch + "/corrupt"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try Data("this is not an IDX file".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", directory]),
                           mentions: [directory + "/train-images-idx3-ubyte"])
    }

    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func checkpointThatDoesNotFitTheModel() throws {
        // A LeNet-5-shaped state dict with one misshapen tensor and no model name (as PyTorch writes).
        let path = Self.scratch + "/bad-lenet.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 10) }
        var state = model.stateDict()
        let index = try #require(state.firstIndex { $0.name == "fc3.bias" })
        state[index] = ("fc3.bias", Tensor.zeros([7], on: CPUDevice.shared))
        try Checkpoint(model: state).write(to: path)
        let data = try FashionMNISTFiles.directory()
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--checkpoint", path, "--data-dir", data,
                                        "--model", "lenet5"]),
                           mentions: [path, "fc3.bias", "[7]", "[10]"])

        let mlp = Self.scratch + "/mlp.safetensors"
        let mlpModel = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "mlp", classes: 10) }
        try Checkpoint(model: mlpModel.stateDict(), modelName: "mlp").write(to: mlp)
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--checkpoint", mlp, "--data-dir", data,
                                        "--model", "lenet5"]),
                           mentions: [mlp, "mlp", "lenet5"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--resume", mlp, "--data-dir", data, "--limit-train", "64"]),
                           mentions: [mlp])

        let truncated = Self.scratch + "/truncated.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mlp))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--model", "mlp", "--checkpoint", truncated,
                                        "--data-dir", data]), mentions: [truncated])
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--checkpoint", Self.scratch + "/none.safetensors",
                                        "--data-dir", data]), mentions: ["none.safetensors"])
    }

    @Test func helpExitsCleanly() throws {
        let result = try CLI.run(["train", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--limit-train") && result.stdout.contains("--resume"))
    }
}
