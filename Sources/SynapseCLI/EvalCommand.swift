import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

/// `synapse eval`: test loss and accuracy of a saved model.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a checkpoint (Synapse's or a PyTorch state dict in safetensors).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The safetensors file holding the weights.", valueName: "path"),
            completion: .file(extensions: ["safetensors"]))
    var checkpoint: String

    @Option(help: "Seed of the synthetic test data (alexnet).") var seed: UInt64 = 0

    func run() throws {
        var configuration = TrainingConfiguration()
        modelOptions.apply(to: &configuration)
        configuration.seed = seed
        try configuration.validate()
        let device = try deviceOptions.resolve()
        let model = try Trainer.loadModel(name: configuration.model, classes: configuration.classCount,
                                          checkpoint: checkpoint, device: device)
        let test: any BatchSource
        if configuration.usesSyntheticData {
            let batchSize = configuration.resolvedBatchSize
            let batches = Swift.max(1, (configuration.limitTest ?? 2 * batchSize) / batchSize)
            test = SyntheticImages.imageNet(batchSize: batchSize, batchCount: batches, seed: seed, device: device)
        } else {
            test = try TrainingData.testSet(configuration, device: device)
            try test.requireInput(of: configuration.model, describing: "the test set in \(configuration.dataDirectory)")
        }
        let start = ContinuousClock.now
        let result = try Evaluation.run(model, on: test)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let record = EvaluationResult(model: configuration.model, device: device.info.spec, examples: result.examples,
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
