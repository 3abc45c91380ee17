import SynapseBackend
extension Tensor {
    /// Computes gradients of this tensor with respect to every leaf that requires one, adding them
    /// to the leaves' `gradient`. Without `seed`, the tensor must hold one element (a loss).
    ///
    /// Walks the recorded nodes in reverse topological order, accumulating where a tensor fans
    /// out. Unless `retainGraph`, each node is dropped once used, so saved activations return to the
    /// device pool during the sweep.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        ensure(requiresGradient, "backward: this tensor does not depend on anything that requires a gradient")
        ensure(seed != nil || count == 1, "backward: needs a seed gradient for a tensor of shape \(shape)")
        withoutGradient {
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor.ones(shape, on: device)]
            for tensor in topologicalOrder().reversed() {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.node else {
                    let own = g.isContiguous && g.shape == tensor.shape ? g : g.contiguous()
                    tensor.gradient = tensor.gradient.map { $0 + own } ?? own
                    continue
                }
                let inputGradients = Derivatives.vectorJacobianProducts(node, gradient: g)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGradient, let inputGradient else { continue }
                    ensure(inputGradient.shape == input.shape,
                           "backward: \(node.op) produced a gradient of shape \(inputGradient.shape) for an input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + inputGradient } ?? inputGradient
                }
                if !retainGraph { tensor.node = nil }
            }
        }
    }

    /// Clears the accumulated gradient.
    public func zeroGradient() { gradient = nil }

    /// Every tensor this one depends on through recorded nodes, each after all of its inputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(tensor: Tensor, inputsDone: Bool)] = [(self, false)]
        while let (tensor, inputsDone) = stack.popLast() {
            if inputsDone { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGradient && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
