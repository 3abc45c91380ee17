import Synapse

/// A recorded forward and backward pass, and the batch, loss and logits tensors it was recorded with.
struct StepCapture {
    let recording: CapturedStep
    let batch: Batch
    let loss: Tensor
    let logits: Tensor

    /// Whether `batch` can take the recorded batch's place (same shapes and layout).
    func fits(_ batch: Batch) -> Bool {
        self.batch.images.hasSameLayout(as: batch.images) && self.batch.labels.hasSameLayout(as: batch.labels)
    }
}

extension Trainer {
    /// Forward pass, cross-entropy and backward pass on `batch`; returns the loss and the logits.
    ///
    /// With `capturesSteps`, the first step records what it enqueues and later steps of the same
    /// shape replay the recording with the new batch's buffers in place of the recorded ones: no
    /// graph, no autodiff, no allocation, the same primitives and so the same numbers as an eager
    /// step (dropout draws from the advancing random stream as eagerly). A batch of another shape
    /// (a short last batch) runs eagerly; a step that cannot be recorded (one that reads a tensor on
    /// the host, say) turns capture off for the run, with a note.
    func forwardAndBackward(_ batch: Batch) throws -> (loss: Tensor, logits: Tensor) {
        func eager() -> [Tensor] {
            let logits = model(batch.images)
            let loss = logits.crossEntropy(labels: batch.labels)
            loss.backward()
            return [loss.detached(), logits.detached()]
        }
        guard capturesSteps, captureRefusal == nil else {
            let outputs = eager()
            return (outputs[0], outputs[1])
        }
        if let capture {
            guard capture.fits(batch) else {
                let outputs = eager()
                return (outputs[0], outputs[1])
            }
            try capture.recording.replay(substituting: [(capture.batch.images, batch.images),
                                                        (capture.batch.labels, batch.labels)])
            replayedSteps += 1
            return (capture.loss, capture.logits)
        }
        let (outputs, recording, whyNot) = CapturedStep.capture(on: device, eager)
        if let recording {
            capture = StepCapture(recording: recording, batch: batch, loss: outputs[0], logits: outputs[1])
        } else {
            captureRefusal = whyNot ?? "unknown"
            onNote("training steps run eagerly: \(captureRefusal!)")
        }
        return (outputs[0], outputs[1])
    }
}
