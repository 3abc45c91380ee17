import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

/// `synapse summary`: a model's layers, parameters and FLOPs, and the memory a training step takes
/// on a device, measured by running one.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Show a model's layers, parameters and FLOPs, and the device memory of one training step.")

    @Option(name: .long, help: ArgumentHelp("Model: \(ModelZoo.names.joined(separator: ", ")).", valueName: "name"))
    var model = "lenet5"
    @Option(name: .customLong("batch-size"), help: "Examples in the measured training step.")
    var batchSize = 128
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard batchSize >= 1 else {
            throw TrainingError.invalidOption(option: "--batch-size", reason: "\(batchSize) is not a positive number of examples")
        }
        let entry = try ModelZoo.entry(model)
        let device = try deviceOptions.resolve()
        let summary = try withDevice(device) {
            try withRandomSeed(0) {
                let network = try ModelZoo.make(name: entry.name, classes: entry.name == "alexnet" ? 1000 : 10)
                let optimizer = SGD(network.parameters(), learningRate: 0.01, momentum: 0.9)
                return try network.summary(inputShape: entry.inputShape, batchSize: batchSize) { optimizer.step() }
            }
        }
        if output.json {
            Reporter(json: true).emit(SummaryRecord(entry.name, summary))
        } else {
            StandardOutput.write("\(entry.name): " + summary.description)
        }
    }
}

/// `synapse summary --json`: the summary as one object.
struct SummaryRecord: Encodable {
    struct Layer: Encodable {
        var name: String, type: String, outputShape: [Int], parameters: Int, flops: Int?
    }
    var event = "summary"
    var model: String
    var inputShape: [Int]
    var layers: [Layer]
    var parameters: Int
    var flops: Int
    var device: String?
    var batchSize: Int?
    var stepPeakMemoryBytes: Int?

    init(_ name: String, _ s: ModelSummary) {
        model = name
        inputShape = s.inputShape
        layers = s.layers.map { Layer(name: $0.name, type: $0.type, outputShape: $0.outputShape, parameters: $0.parameters, flops: $0.flops) }
        parameters = s.parameters
        flops = s.flops
        device = s.stepMemory?.device
        batchSize = s.stepMemory?.batchSize
        stepPeakMemoryBytes = s.stepMemory?.peak
    }
}
extension SummaryCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
