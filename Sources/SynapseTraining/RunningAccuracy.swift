import Synapse

/// Counts a training epoch's correct arg-max predictions on the device, step by step, without
/// reading anything back: the host reads the count only when a progress or epoch record is made.
///
/// The tensor ops compare floats only, so the class indices are compared through cross-entropy
/// of a constant matrix whose every row is `0, 1, …, C−1`: its loss for class `k` is
/// `logsumexp(row) − k`, the same bits for the same `k` in every row, and different for
/// different `k`. A prediction is right exactly when that loss is equal for the predicted class
/// (the first maximal logit, as `Evaluation` picks it) and the label.
public final class RunningAccuracy {
    /// `[batch, classes]`, each row `0, 1, …, classes − 1`; rebuilt when the batch shape changes.
    private var classIndices: Tensor?
    /// Correct predictions this epoch, a scalar on the device.
    private var correct: Tensor?
    /// Examples counted this epoch.
    public private(set) var examples = 0
    /// The epoch the count belongs to; a step of another epoch starts a new count.
    private var epoch = -1

    /// A counter with nothing counted.
    public init() {}

    /// Adds one step's predictions (`logits [N, C]` against int32 `labels [N]`) to the count of `epoch`.
    public func add(logits: Tensor, labels: Tensor, epoch: Int) {
        guard logits.rank == 2, labels.shape == [logits.shape[0]] else { return }
        if epoch != self.epoch { reset(epoch: epoch) }
        withoutGradient {
            let scores = logits.detached()
            let indices = classIndices(like: scores)
            let predicted = scores.argmax(axis: 1)
            let right = Tensor.equal(indices.crossEntropy(labels: labels, reduction: .none),
                                     indices.crossEntropy(labels: predicted, reduction: .none)).sum()
            correct = correct.map { $0 + right } ?? right
        }
        examples += labels.shape[0]
    }

    /// The fraction right so far this epoch (waits for the device), or nil before any step of `epoch`.
    public func fraction(epoch: Int) throws -> Double? {
        guard epoch == self.epoch, let correct, examples > 0 else { return nil }
        return Double(try correct.item()) / Double(examples)
    }

    /// Starts counting `epoch` from zero.
    public func reset(epoch: Int) {
        self.epoch = epoch
        correct = nil
        examples = 0
    }

    private func classIndices(like logits: Tensor) -> Tensor {
        if let classIndices, classIndices.shape == logits.shape, classIndices.device === logits.device {
            return classIndices
        }
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let row = (0..<classes).map(Float.init)
        let matrix = Tensor(Array([[Float]](repeating: row, count: rows).joined()), shape: [rows, classes],
                            on: logits.device)
        classIndices = matrix
        return matrix
    }
}
