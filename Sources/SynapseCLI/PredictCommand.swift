import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

/// `synapse predict`: the most likely classes of single images under a saved model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Classify PNG/JPEG images with a checkpoint: top-k classes and probabilities.")

    @Option(help: ArgumentHelp("The safetensors file holding the weights.", valueName: "path")) var checkpoint: String
    @Option(help: ArgumentHelp("Model, for a file that does not record it.", valueName: "name")) var model: String?
    @Option(help: ArgumentHelp("Preprocessing: none, MEAN,STD or M1,M2,M3/S1,S2,S3 (default: the checkpoint's).",
                               valueName: "spec"))
    var normalize: String?
    @Option(name: .customLong("top"), help: "Classes to show per image.") var top = 5
    @Option(name: .customLong("batch-size"), help: "Images per forward pass.") var batchSize = 64
    @Flag(help: "With --json, also write each image's raw model outputs (logits).") var logits = false
    @Flag(name: .customLong("skip-bad-images"), help: "Skip (and count) images that cannot be decoded instead of failing.")
    var skipBadImages = false
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("PNG or JPEG files; - reads one path per line from stdin.", valueName: "image"))
    var images: [String] = []

    func run() throws {
        guard top >= 1 else { throw TrainingError.invalidOption(option: "--top", reason: "must be at least 1, got \(top)") }
        guard (1...TrainingConfiguration.maxBatchSize).contains(batchSize) else {
            throw TrainingError.invalidOption(option: "--batch-size", reason: "must be from 1 to \(TrainingConfiguration.maxBatchSize), got \(batchSize)")
        }
        var files: [String] = []
        for image in images {
            if image == "-" {
                while let line = readLine() { if !line.isEmpty { files.append(line) } }
            } else {
                files.append(image)
            }
        }
        guard !files.isEmpty else { throw ValidationError("give at least one image (or - to read paths from stdin)") }
        let normalization = try DataOptions.parse(normalize.map { ["--normalize", $0] } ?? []).normalization()
        let device = try deviceOptions.resolve()
        let saved = try SavedModel.load(checkpoint, modelName: model, normalization: normalization, device: device)
        let reporter = Reporter(json: output.json)
        var skipped = 0
        try Prediction.run(saved, files: files, top: Swift.min(top, saved.classNames.count), batchSize: batchSize,
                           device: device, skipBad: skipBadImages, logits: logits, skipped: { file, reason in
            skipped += 1
            StandardError.write("synapse: skipped \(reason)\n")
        }) { result in
            if output.json {
                reporter.emit(result)
            } else {
                let guesses = result.top.map { "\($0.label) \(Format.fixed(Double($0.probability) * 100, 2))%" }
                StandardOutput.write("\(result.file): \(guesses.joined(separator: ", "))\n")
            }
        }
        if skipped > 0 { StandardError.write("synapse: \(skipped) image\(skipped == 1 ? "" : "s") skipped\n") }
    }
}

extension PredictCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
