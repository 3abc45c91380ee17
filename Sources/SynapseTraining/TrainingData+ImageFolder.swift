import Synapse

extension TrainingData {
    /// Training and test batches of the image folder at `path`.
    static func imageFolder(at path: String, _ configuration: TrainingConfiguration, device: any Device) throws -> TrainingData {
        throw TrainingError.invalidOption(option: "--data", reason: "image folders are not supported yet")
    }

    /// The evaluation batches of the image folder at `path`.
    static func imageFolderTestSet(at path: String, _ configuration: TrainingConfiguration, normalization: Normalization,
                                   classNames: [String]?, device: any Device) throws -> any BatchSource {
        throw TrainingError.invalidOption(option: "--data", reason: "image folders are not supported yet")
    }
}
