import Synapse

extension BatchSource {
    /// Throws unless this set holds images and every image is what model `model` takes, so a run
    /// fails before its first step rather than inside a layer. `data` names the set in the error
    /// (`the training set in /data/fashion`).
    ///
    /// - Throws: `TrainingError.inputMismatch` with both shapes, `TrainingError.emptyData`, or
    ///   `ModelZooError` for an unknown model.
    public func requireInput(of model: String, describing data: String) throws {
        let expected = try ModelZoo.inputShape(name: model)
        guard imageShape == expected else {
            throw TrainingError.inputMismatch(data: data, found: imageShape, model: model.lowercased(), expected: expected)
        }
        guard exampleCount > 0, batchesPerEpoch > 0 else { throw TrainingError.emptyData(data) }
    }
}
