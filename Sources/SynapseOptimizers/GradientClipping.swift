import SynapseBackend
import SynapseCore
import SynapseNN

/// Scales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`, as
/// PyTorch's `clip_grad_norm_`: `g *= min(1, maxNorm / (‖g‖ + 1e-6))`. Everything stays on the
/// device (no host read), in a handful of launches: one pass over the flat gradient buffer when the
/// parameters are packed. Returns the norm before clipping (a scalar tensor), or nil when no
/// parameter has a gradient.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Tensor? {
    ensure(maxNorm > 0 && maxNorm.isFinite, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
    return withoutGradient {
        let gradients: [Tensor]
        if let arena = ParameterArena.holding(parameters), arena.allGradientsWritten {
            gradients = [arena.gradients]  // the gaps between parameters hold zeros
        } else {
            gradients = parameters.compactMap(\.gradient)
        }
        guard let first = gradients.first else { return nil }
        var squares = first.square().sum()
        for gradient in gradients.dropFirst() { squares = squares + gradient.square().sum() }
        let norm = squares.sqrt()
        let scale = Tensor.minimum((norm + 1e-6).reciprocal() * maxNorm, Tensor.constant(1, on: first.device))
        for gradient in gradients { gradient.multiply(inPlaceBy: scale) }
        return norm
    }
}
