import Foundation

/// `base · gamma^(number of milestones ≤ epoch)` (PyTorch's `MultiStepLR`).
public struct MultiStepLR: LearningRateSchedule {
    /// Epochs at which the rate decays (sorted), and the decay factor.
    public var milestones: [Int], gamma: Float

    /// Multiply by `gamma` at each milestone.
    public init(milestones: [Int], gamma: Float = 0.1) {
        self.milestones = milestones.sorted(); self.gamma = gamma
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        let passed = milestones.filter { $0 <= epoch }.count
        return Float(Double(base) * pow(Double(gamma), Double(passed)))
    }
}
