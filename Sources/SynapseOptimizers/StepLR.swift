import Foundation
import SynapseBackend

/// `base · gamma^⌊epoch / stepSize⌋` (PyTorch's `StepLR`).
public struct StepLR: LearningRateSchedule {
    /// Epochs between decays, and the decay factor.
    public var stepSize: Int, gamma: Float

    /// Multiply by `gamma` every `stepSize` epochs.
    public init(stepSize: Int, gamma: Float = 0.1) {
        ensure(stepSize > 0, "StepLR: stepSize must be positive, got \(stepSize)")
        self.stepSize = stepSize; self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) * pow(Double(gamma), Double(epoch / stepSize)))
    }
}
