import Synapse

/// Test loss and accuracy of a model over a set of batches, in evaluation mode and without a graph.
public enum Evaluation {
    /// Mean cross-entropy and the fraction of correct arg-max predictions over every batch of `source`.
    ///
    /// Losses are summed on the device and predictions kept there; the host reads them once at the
    /// end, so evaluation waits for the device once, not per batch. Leaves `model` in evaluation
    /// mode. Throws a pending device failure, or `TrainingError.emptyData` when `source` has no
    /// batches (there is no loss or accuracy to report).
    public static func run(_ model: Module, on source: any BatchSource) throws -> (loss: Float, accuracy: Double, examples: Int) {
        model.eval()
        var lossSum: Tensor?
        var predictions: [(predicted: Tensor, labels: Tensor)] = []
        withoutGradient {
            for batch in source.batches(epoch: 0, startingAt: 0) {
                let logits = model(batch.images)
                let loss = logits.crossEntropy(labels: batch.labels, reduction: .sum)
                lossSum = lossSum.map { $0 + loss } ?? loss
                predictions.append((logits.argmax(axis: 1), batch.labels))
            }
        }
        guard let lossSum else { throw TrainingError.emptyData("the evaluation set") }
        let total = try lossSum.item()
        var correct = 0, examples = 0
        for (predicted, labels) in predictions {
            let p = try predicted.toInt32Array(), l = try labels.toInt32Array()
            correct += zip(p, l).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            examples += l.count
        }
        return (total / Float(examples), Double(correct) / Double(examples), examples)
    }
}
