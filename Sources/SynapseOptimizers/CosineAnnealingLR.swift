import Foundation
import SynapseBackend

/// `etaMin + (base − etaMin) · (1 + cos(π · epoch / tMax)) / 2` (PyTorch's `CosineAnnealingLR`,
/// its closed form).
public struct CosineAnnealingLR: LearningRateSchedule {
    /// Epochs of one half period, and the lowest rate.
    public var tMax: Int, etaMin: Float

    /// Annealing to `etaMin` over `tMax` epochs.
    public init(tMax: Int, etaMin: Float = 0) {
        ensure(tMax > 0, "CosineAnnealingLR: tMax must be positive, got \(tMax)")
        self.tMax = tMax; self.etaMin = etaMin
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        let cosine = (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2
        return Float(Double(etaMin) + (Double(base) - Double(etaMin)) * cosine)
    }
}
