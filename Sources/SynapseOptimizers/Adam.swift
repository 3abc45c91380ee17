import SynapseBackend
import SynapseCore
import SynapseNN

/// Adam (Kingma & Ba) with PyTorch's `torch.optim.Adam` semantics, or AdamW (decoupled weight decay,
/// `torch.optim.AdamW`) when `decoupledWeightDecay` is set:
///
/// ```
/// g = grad (+ weightDecay · p for Adam);   p −= lr · weightDecay · p first for AdamW
/// m = β1 · m + (1 − β1) · g;   v = β2 · v + (1 − β2) · g²
/// p −= lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
/// ```
/// One fused `applyAdam` launch for all parameters when they are packed (`Module.packParameters()`) and
/// have taken the same number of steps, else one per parameter; `t` counts each parameter's own steps.
public class Adam: Optimizer {
    /// The parameters updated, in order.
    public let parameters: [Parameter]
    /// Step size.
    public var learningRate: Float
    /// Moment decay rates, the denominator's ε and the weight decay.
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// AdamW when true.
    public let decoupledWeightDecay: Bool
    /// Updates taken so far.
    public private(set) var stepCount = 0

    private var slots: OptimizerSlots
    private var parameterSteps: [Int]

    /// Adam with PyTorch's defaults (lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay).
    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        ensure(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0,
               "Adam: learning rate, epsilon and weight decay must not be negative")
        ensure((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas (\(beta1), \(beta2)) must be in [0, 1)")
        self.parameters = parameters
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay
        slots = OptimizerSlots(fields: ["exp_avg", "exp_avg_sq"], parameters: parameters)
        parameterSteps = Array(repeating: 0, count: parameters.count)
    }

    public func step() {
        withoutGradient {
            if !stepPacked() { stepEach() }
        }
        stepCount += 1
    }

    private func options(step: Int) -> AdamParameters {
        AdamParameters(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                       decoupledWeightDecay: decoupledWeightDecay, step: step)
    }

    /// One launch over the arena, when every parameter is packed, has a gradient and has taken as
    /// many steps as the others; false otherwise.
    private func stepPacked() -> Bool {
        guard let arena = ParameterArena.holding(parameters), arena.allGradientsWritten,
              let steps = parameterSteps.first, parameterSteps.allSatisfy({ $0 == steps }),
              let (m, _) = slots.flatTensor("exp_avg", parameters: parameters),
              let (v, _) = slots.flatTensor("exp_avg_sq", parameters: parameters) else { return false }
        for index in parameterSteps.indices { parameterSteps[index] += 1 }
        arena.values.applyAdam(gradient: arena.gradients, firstMoment: m, secondMoment: v, options(step: steps + 1))
        return true
    }

    /// One launch per parameter that has a gradient.
    private func stepEach() {
        for (index, parameter) in parameters.enumerated() {
            let p = parameter.value
            guard let gradient = p.gradient else { continue }
            let (m, _) = slots.tensor("exp_avg", for: index, like: p)
            let (v, _) = slots.tensor("exp_avg_sq", for: index, like: p)
            parameterSteps[index] += 1
            p.applyAdam(gradient: gradient, firstMoment: m, secondMoment: v, options(step: parameterSteps[index]))
        }
    }

    public func stateDict() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = [("step", Tensor(scalar: Float(stepCount)))]
        let moments = slots.exported()
        for (index, steps) in parameterSteps.enumerated() where steps > 0 {
            result.append(("state.\(index).step", Tensor(scalar: Float(steps))))
            result += moments.filter { $0.name.hasPrefix("state.\(index).") }
        }
        return result
    }

    public func stateLayout() -> [(name: String, shape: [Int])] {
        var layout: [(name: String, shape: [Int])] = [("step", [])]
        for (index, parameter) in parameters.enumerated() {
            layout += [("state.\(index).step", []), ("state.\(index).exp_avg", parameter.shape),
                       ("state.\(index).exp_avg_sq", parameter.shape)]
        }
        return layout
    }

    public func loadStateDict(_ state: [(name: String, tensor: Tensor)]) throws {
        let parsed = try OptimizerSlots.parse(state, fields: ["exp_avg", "exp_avg_sq"], scalarFields: ["step"],
                                              extraKeys: ["step"], parameters: parameters)
        var steps = Array(repeating: 0, count: parameters.count)
        for (index, field, tensor) in parsed where field == "step" {
            steps[index] = try scalarValue(tensor, key: "state.\(index).step")
        }
        for (index, count) in steps.enumerated() where count > 0 {
            for field in slots.fields where !parsed.contains(where: { $0.index == index && $0.field == field }) {
                throw StateDictError.missingKey("state.\(index).\(field)")
            }
        }
        let step = try state.first { $0.name == "step" }.map { try scalarValue($0.tensor, key: $0.name) }
        slots.removeAll()
        for (index, field, tensor) in parsed where field != "step" {
            try slots.restore(field, index, from: tensor, on: parameters[index].value)
        }
        parameterSteps = steps
        stepCount = step ?? 0
    }
}
