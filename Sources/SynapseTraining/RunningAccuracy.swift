import Synapse

/// Counts a training epoch's correct arg-max predictions on the device, step by step, without
/// reading anything back: one `countCorrect` launch per step adds to a count on the device (a
/// prediction is the first maximal logit, as `Evaluation` picks it); the host reads the count only
/// when a progress or epoch record is made.
public final class RunningAccuracy {
    /// Correct predictions this epoch, `[1]` on the device.
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
            if correct == nil || correct?.device !== logits.device { correct = Tensor.zeros([1], on: logits.device) }
            logits.detached().addCorrectPredictions(labels: labels, to: correct!)
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
}
