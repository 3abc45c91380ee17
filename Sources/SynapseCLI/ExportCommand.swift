import ArgumentParser
import Synapse
import SynapseTraining

/// `synapse export`: the weights of a checkpoint alone, as PyTorch loads them.
///
/// A training checkpoint also holds the optimizer's state (`optimizer/*`), which PyTorch's strict
/// `load_state_dict` rejects; the export holds the model's state dict only, under PyTorch's names and
/// dtypes, with the model name and preprocessing kept in the metadata.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's weights alone (a PyTorch state dict in safetensors).",
        discussion: "In PyTorch: model.load_state_dict(safetensors.torch.load_file(PATH), strict=True).")

    @Option(help: ArgumentHelp("The checkpoint to export.", valueName: "path")) var checkpoint: String
    @Option(help: ArgumentHelp("Where to write the weights (replaced atomically).", valueName: "path")) var output: String
    @Option(help: ArgumentHelp("Model, for a file that does not record it.", valueName: "name")) var model: String?

    func run() throws {
        do { try Trainer.checkSavePath(output) } catch let TrainingError.invalidOption(_, reason) {
            throw TrainingError.invalidOption(option: "--output", reason: reason)
        }
        let saved = try SavedModel.load(checkpoint, modelName: model, device: CPUDevice.shared)
        try saved.exportWeights(to: output)
        let tensors = saved.model.stateDict().count
        StandardOutput.write("wrote \(output): \(saved.modelName), \(tensors) tensors, "
            + "\(saved.model.parameterCount) parameters (weights only)\n")
    }
}
