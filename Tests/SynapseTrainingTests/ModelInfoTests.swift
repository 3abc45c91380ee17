import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Preprocessing as data: `--normalize` values, the model description a checkpoint carries in its
/// metadata, loading a checkpoint without naming its model, and exporting the weights alone.
@Suite struct ModelInfoTests {
    @Test func normalizationTextForms() throws {
        #expect(Normalization(parsing: "none") == .unit)
        #expect(Normalization(parsing: "0.5,0.25") == Normalization(mean: 0.5, std: 0.25))
        #expect(Normalization(parsing: " 0.5 / 0.25 ") == Normalization(mean: 0.5, std: 0.25))
        let rgb = try #require(Normalization(parsing: "0.485,0.456,0.406/0.229,0.224,0.225"))
        #expect(rgb.means == [0.485, 0.456, 0.406] && rgb.stds == [0.229, 0.224, 0.225])
        #expect(rgb.fits(channels: 3) && !rgb.fits(channels: 1))
        #expect(rgb.table(channel: 2)[255] == (Float(1) - 0.406) / 0.225)
        for text in ["", "1", "0.5,0", "0.5,-1", "a,b", "1,2,3/1,2", "1,2,3", "nan,1", "1/2/3", "0.5,inf"] {
            #expect(Normalization(parsing: text) == nil, "\(text)")
        }
        for value in [Normalization.fashionMNIST, .unit, rgb] {
            #expect(Normalization(parsing: value.description) == value)
        }
    }

    @Test func checkpointCarriesTheModelDescription() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/described.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 3) }
        let info = ModelInfo(inputShape: [1, 28, 28], normalization: Normalization(mean: 0.5, std: 0.5),
                             classNames: ["circle", "square", "a \"quoted\" name"], dataset: "imagefolder:/data/shapes")
        try Checkpoint(model: model.stateDict(), modelName: "lenet5", info: info).write(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.metadata["synapse.normalize"] == "0.5,0.5")
        #expect(file.metadata["synapse.input_shape"] == "1,28,28")
        let read = try Checkpoint(contentsOf: path)
        #expect(read.info == info)
        #expect(read.metadata["synapse.class_names"] == nil)  // taken into `info`

        let saved = try SavedModel.load(path, device: CPUDevice.shared)
        #expect(saved.modelName == "lenet5" && saved.classNames == info.classNames)
        #expect(saved.normalization == Normalization(mean: 0.5, std: 0.5))
        #expect(try SavedModel.load(path, normalization: .unit, device: CPUDevice.shared).normalization == .unit)
    }

    /// A checkpoint written before the description existed has only `synapse.model`: it still loads,
    /// with the preprocessing `eval` always applied.
    @Test func olderCheckpointsStillLoad() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/old.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "mlp", classes: 10) }
        var file = SafeTensorsFile(metadata: ["format": "pt", "synapse.model": "mlp", "synapse.epoch": "1",
                                              "synapse.batch": "0", "synapse.global_step": "5",
                                              "synapse.random_seed": "0", "synapse.random_counter": "9"])
        for (name, tensor) in model.stateDict() { file[name] = SafeTensor(try tensor.toArray(), shape: tensor.shape) }
        try file.write(to: path)
        let read = try Checkpoint(contentsOf: path)
        #expect(read.info.isEmpty && read.progress?.globalStep == 5)
        let saved = try SavedModel.load(path, device: CPUDevice.shared)
        #expect(saved.modelName == "mlp" && saved.normalization == .fashionMNIST && saved.classNames.count == 10)
    }

    @Test func badDescriptionsNameTheKey() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        for (key, value) in [("synapse.input_shape", "1,28"), ("synapse.input_shape", "0,28,28"),
                             ("synapse.normalize", "0.5,0"), ("synapse.class_names", "[1, 2]"),
                             ("synapse.class_names", "[]")] {
            let path = directory + "/bad.safetensors"
            try SafeTensorsFile(["w": SafeTensor([Float(1)], shape: [1])], metadata: [key: value]).write(to: path)
            #expect(throws: CheckpointError.badMetadata(file: path, key: key, value: value)) {
                _ = try Checkpoint(contentsOf: path)
            }
        }
    }

    /// A state dict written by PyTorch records no model: loading it needs one, and the error says so.
    /// Named, its class count comes from the last weight.
    @Test func stateDictWithoutModelNeedsOne() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/torch.safetensors"
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "lenet5", classes: 7) }
        try Checkpoint(model: model.stateDict(), metadata: ["format": "pt"]).write(to: path)
        #expect(throws: CheckpointError.unknownModel(file: path)) { _ = try SavedModel.load(path, device: CPUDevice.shared) }
        #expect(CheckpointError.unknownModel(file: path).description.contains("--model"))
        let saved = try SavedModel.load(path, modelName: "LeNet5", device: CPUDevice.shared)
        #expect(saved.classNames == (0..<7).map(String.init))
        #expect(throws: CheckpointError.self) { _ = try SavedModel.load(path, modelName: "mlp", device: CPUDevice.shared) }
    }

    /// A trained run's checkpoint records its preprocessing and classes; its export holds the weights
    /// alone (no `optimizer/…`), integer buffers as I64 as PyTorch has them, and predicts identically.
    @Test func trainerRecordsDescriptionAndExportHoldsWeightsOnly() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let trainer = try ResumeValidationTests.trainer("alexnet-small", optimizer: .adamw)
        _ = try trainer.train(steps: 1)
        let path = directory + "/run.safetensors", weights = directory + "/weights.safetensors"
        try trainer.save(to: path)
        let checkpoint = try Checkpoint(contentsOf: path)
        #expect(checkpoint.info.inputShape == [1, 28, 28] && checkpoint.info.dataset == "fashion-mnist")
        #expect(!checkpoint.optimizerTensors.isEmpty)

        let saved = try SavedModel.load(path, device: CPUDevice.shared)
        try saved.exportWeights(to: weights)
        let file = try SafeTensorsFile(contentsOf: weights)
        #expect(file.names == trainer.model.stateDict().map(\.name))
        #expect(!file.names.contains { $0.contains("/") })
        #expect(file["features.1.num_batches_tracked"]?.dtype == .int64)
        #expect(file.metadata["synapse.model"] == "alexnet-small")

        let again = try SavedModel.load(weights, device: CPUDevice.shared)
        var random = SeededRandom(4)
        let input = Tensor(random.floats(4 * 784), shape: [4, 1, 28, 28], on: CPUDevice.shared)
        let a = try withoutGradient { try saved.model(input).toArray() }
        let b = try withoutGradient { try again.model(input).toArray() }
        #expect(a == b && Set(a).count > 4)
    }
}
