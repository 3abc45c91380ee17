import Foundation
import Synapse

/// Test loss and accuracy of a model over a set of batches, in evaluation mode and without a graph.
public enum Evaluation {
    /// Mean cross-entropy and the fraction of correct arg-max predictions over every batch of `source`.
    ///
    /// Losses are summed on the device and predictions kept there; the host reads them once at the
    /// end, so evaluation waits for the device once, not per batch. With `progress`, it is called
    /// with (batches done, batches in all) at the start, then at most every `interval` seconds after
    /// waiting for the device (so the count is what the device finished), and once at the end.
    /// Leaves `model` in evaluation mode. Throws a pending device failure, or
    /// `TrainingError.emptyData` when `source` has no batches (there is no loss or accuracy to report).
    public static func run(_ model: Module, on source: any BatchSource, progressInterval interval: Double = 0.25,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil)
        throws -> (loss: Float, accuracy: Double, examples: Int) {
        model.eval()
        let total = source.batchesPerEpoch
        var lossSum: Tensor?
        var predictions: [(predicted: Tensor, labels: Tensor)] = []
        var lastReport = ContinuousClock.now
        let every: Duration? = interval.isFinite && interval >= 0 ? .seconds(interval) : nil
        progress?(0, total)
        for batch in source.batches(epoch: 0, startingAt: 0) {
            withoutGradient {
                let logits = model(batch.images)
                let loss = logits.crossEntropy(labels: batch.labels, reduction: .sum)
                lossSum = lossSum.map { $0 + loss } ?? loss
                predictions.append((logits.argmax(axis: 1), batch.labels))
            }
            if let progress, let every, ContinuousClock.now - lastReport >= every {
                try Tensor.synchronize(batch.images.device)
                lastReport = ContinuousClock.now
                progress(predictions.count, Swift.max(total, predictions.count))
            }
        }
        guard let lossSum else { throw TrainingError.emptyData("the evaluation set") }
        let sum = try lossSum.item()
        progress?(predictions.count, predictions.count)
        var correct = 0, examples = 0
        for (predicted, labels) in predictions {
            let p = try predicted.toInt32Array(), l = try labels.toInt32Array()
            correct += zip(p, l).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            examples += l.count
        }
        return (sum / Float(examples), Double(correct) / Double(examples), examples)
    }
}
