import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

/// `synapse eval`: test loss and accuracy of a saved model.
///
/// The checkpoint's metadata names the model, its preprocessing, class names and data set, so
/// `--checkpoint` alone evaluates a Synapse checkpoint on the data it was trained on. A PyTorch
/// state dict records none of that: it needs `--model` (and usually `--normalize`).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a checkpoint (Synapse's or a PyTorch state dict in safetensors).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The safetensors file holding the weights.", valueName: "path"),
            completion: .file(extensions: ["safetensors"]))
    var checkpoint: String

    @Option(help: "Seed of the synthetic test data (alexnet) and of an image folder's --val-split.") var seed: UInt64 = 0

    func run() throws {
        var configuration = TrainingConfiguration()
        modelOptions.apply(to: &configuration)
        try dataOptions.apply(to: &configuration)
        configuration.seed = seed
        try configuration.validate()  // the options alone, before any file is read
        let device = try deviceOptions.resolve()
        // The data the checkpoint was trained on, unless --data says otherwise.
        let recorded = try Checkpoint(contentsOf: checkpoint)
        if dataOptions.data == nil, let text = recorded.info.dataset, let source = DataSource(parsing: text) {
            configuration.data = source
        }
        configuration.model = modelOptions.model?.lowercased() ?? recorded.modelName ?? configuration.model
        try configuration.validate()
        let saved = try SavedModel.load(
            recorded, modelName: modelOptions.model, normalization: configuration.normalization,
            fallbackNormalization: configuration.resolvedData.knownNormalization ?? .fashionMNIST, device: device)
        let test: any BatchSource
        if configuration.usesSyntheticData {
            let batchSize = configuration.resolvedBatchSize
            let batches = Swift.max(1, (configuration.limitTest ?? 2 * batchSize) / batchSize)
            test = SyntheticImages(imageShape: saved.inputShape, classCount: saved.classNames.count, batchSize: batchSize,
                                   batchCount: batches, seed: seed, device: device)
        } else {
            let dataset = configuration.resolvedData
            if dataset == .fashionMNIST || dataset == .mnist, saved.classNames.count != 10 {
                throw TrainingError.invalidOption(
                    option: "--data", reason: "\(dataset) has 10 classes, the model in \(checkpoint) has "
                        + "\(saved.classNames.count) (\(saved.classNames.prefix(5).joined(separator: ", ")))")
            }
            test = try TrainingData.testSet(configuration, normalization: saved.normalization,
                                            classNames: saved.info.classNames, device: device)
            let place: String
            if case let .imageFolder(path) = configuration.resolvedData { place = path } else { place = configuration.dataDirectory }
            try test.requireInput(of: saved.modelName, describing: "the test set in \(place)")
        }
        let start = ContinuousClock.now
        let result = try Evaluation.run(saved.model, on: test)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let record = EvaluationResult(model: saved.modelName, device: device.info.spec, examples: result.examples,
                                      loss: result.loss, accuracy: result.accuracy, seconds: seconds)
        if output.json {
            Reporter(json: true).emit(record)
        } else {
            StandardOutput.write("\(record.model) on \(record.device): test loss \(Format.fixed(Double(record.loss), 4)), "
                + "accuracy \(Format.fixed(record.accuracy * 100, 2))% (\(record.examples) images, "
                + "\(Format.fixed(seconds, 1)) s)\n")
        }
    }
}
