import SynapseBackend
import SynapseCore
import SynapseNN

/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` semantics:
///
/// ```
/// g = grad + weightDecay · p
/// buf = g on the first step, else momentum · buf + (1 − dampening) · g
/// g = nesterov ? g + momentum · buf : buf          (when momentum ≠ 0)
/// p −= lr · g
/// ```
/// One fused `applySGD` launch for all parameters when they are packed (`Module.packParameters()`),
/// else one per parameter.
public final class SGD: Optimizer {
    /// The parameters updated, in order.
    public let parameters: [Parameter]
    /// Step size.
    public var learningRate: Float
    /// Weight of the previous update direction (0: plain SGD).
    public var momentum: Float
    /// Fraction of the gradient held back from the momentum buffer after the first step.
    public var dampening: Float
    /// L2 penalty added to the gradient.
    public var weightDecay: Float
    /// Nesterov momentum: step along `g + momentum · buf`.
    public var nesterov: Bool
    /// Updates taken so far.
    public private(set) var stepCount = 0

    private var slots: OptimizerSlots

    /// SGD over `parameters`; traps on invalid settings as PyTorch raises.
    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        ensure(learningRate >= 0, "SGD: learning rate \(learningRate) must not be negative")
        ensure(momentum >= 0 && weightDecay >= 0, "SGD: momentum and weight decay must not be negative")
        ensure(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate; self.momentum = momentum; self.dampening = dampening
        self.weightDecay = weightDecay; self.nesterov = nesterov
        slots = OptimizerSlots(fields: ["momentum_buffer"], parameters: parameters)
    }

    public func step() {
        withoutGradient {
            if !stepPacked() { stepEach() }
        }
        stepCount += 1
    }

    private func options(firstStep: Bool) -> SGDParameters {
        SGDParameters(learningRate: learningRate, momentum: momentum, dampening: dampening, weightDecay: weightDecay,
                      nesterov: nesterov, firstStep: firstStep)
    }

    /// One launch over the arena, when every parameter is packed and has a gradient; false otherwise.
    private func stepPacked() -> Bool {
        guard let arena = ParameterArena.holding(parameters), arena.allGradientsWritten else { return false }
        if momentum == 0 {
            arena.values.applySGD(gradient: arena.gradients, momentumBuffer: arena.gradients, options(firstStep: true))
            return true
        }
        guard let (buffer, created) = slots.flatTensor("momentum_buffer", parameters: parameters) else { return false }
        arena.values.applySGD(gradient: arena.gradients, momentumBuffer: buffer, options(firstStep: created))
        return true
    }

    /// One launch per parameter that has a gradient.
    private func stepEach() {
        for (index, parameter) in parameters.enumerated() {
            let p = parameter.value
            guard let gradient = p.gradient else { continue }
            if momentum == 0 {
                // The buffer is unused without momentum; the gradient stands in so nothing is allocated.
                p.applySGD(gradient: gradient, momentumBuffer: gradient.contiguous(), options(firstStep: true))
            } else {
                let (buffer, created) = slots.tensor("momentum_buffer", for: index, like: p)
                p.applySGD(gradient: gradient, momentumBuffer: buffer, options(firstStep: created))
            }
        }
    }

    public func stateDict() -> [(name: String, tensor: Tensor)] {
        [("step", Tensor(scalar: Float(stepCount)))] + slots.exported()
    }

    public func stateLayout() -> [(name: String, shape: [Int])] {
        let buffers = momentum == 0 ? [] : parameters.indices.map { ("state.\($0).momentum_buffer", parameters[$0].shape) }
        return [("step", [])] + buffers
    }

    public func loadStateDict(_ state: [(name: String, tensor: Tensor)]) throws {
        let parsed = try OptimizerSlots.parse(state, fields: ["momentum_buffer"], scalarFields: [],
                                              extraKeys: ["step"], parameters: parameters)
        let step = try state.first { $0.name == "step" }.map { try scalarValue($0.tensor, key: $0.name) }
        slots.removeAll()
        for (index, field, tensor) in parsed {
            try slots.restore(field, index, from: tensor, on: parameters[index].value)
        }
        stepCount = step ?? 0
    }
}
