import SynapseBackend
extension Tensor {
    /// Computes gradients of this tensor with respect to every leaf that requires one, adding them
    /// to the leaves' `gradient`. Without `seed`, the tensor must hold one element (a loss).
    ///
    /// Walks the recorded nodes in reverse topological order, accumulating where a tensor fans
    /// out. A leaf's gradient is stored as soon as the last node that consumes it is done (and
    /// announced to `whenGradientReady`), so the last layers' gradients are final first. Unless
    /// `retainGraph`, each node is dropped once used, so saved activations return to the device
    /// pool during the sweep.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        ensure(requiresGradient, "backward: this tensor does not depend on anything that requires a gradient")
        ensure(seed != nil || count == 1, "backward: needs a seed gradient for a tensor of shape \(shape)")
        withoutGradient {
            // A loss is seeded with the shared constant 1: no launch.
            let one = seed ?? Tensor.constant(1, on: device).reshape(shape)
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): one]
            let order = topologicalOrder().reversed()
            // Uses of each leaf by the nodes ahead; at zero its gradient is final.
            var usesLeft: [ObjectIdentifier: Int] = [:]
            for tensor in order {
                for input in tensor.node?.inputs ?? [] where input.isLeaf && input.requiresGradient {
                    usesLeft[ObjectIdentifier(input), default: 0] += 1
                }
            }
            func finish(_ leaf: Tensor) {
                if let gradient = pending.removeValue(forKey: ObjectIdentifier(leaf)) { leaf.accumulateGradient(gradient) }
                leaf.announceGradientReady()
            }
            for tensor in order {
                guard let node = tensor.node else {
                    if usesLeft[ObjectIdentifier(tensor)] == nil { finish(tensor) }  // a leaf nothing consumes: the root
                    continue
                }
                defer {
                    for input in node.inputs where input.isLeaf && input.requiresGradient {
                        let key = ObjectIdentifier(input)
                        usesLeft[key]! -= 1
                        if usesLeft[key] == 0 { finish(input) }
                    }
                }
                guard let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                // A leaf with a gradient slot that nothing has written yet in this pass receives its
                // gradient straight from the primitive that computes it (no copy), where the op can.
                var destinations: [Tensor?] = []
                for input in node.inputs {
                    let first = !destinations.contains { $0 != nil && $0 === input.gradientSlot }
                    destinations.append(input.isLeaf && first && !input.gradientIsWritten
                                        && pending[ObjectIdentifier(input)] == nil ? input.gradientSlot : nil)
                }
                let inputGradients = Derivatives.vectorJacobianProducts(node, gradient: g, into: destinations)
                for (index, (input, inputGradient)) in zip(node.inputs, inputGradients).enumerated() {
                    guard input.requiresGradient, let inputGradient else { continue }
                    if let destination = destinations[index], inputGradient === destination {
                        input.markGradientWritten()
                        continue
                    }
                    ensure(inputGradient.shape == input.shape,
                           "backward: \(node.op) produced a gradient of shape \(inputGradient.shape) for an input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + inputGradient } ?? inputGradient
                }
                if !retainGraph { tensor.node = nil }
            }
        }
    }

    /// Clears the accumulated gradient (no launch: a gradient slot is overwritten by the next pass).
    public func zeroGradient() { gradient = nil }

    /// Gives this leaf a fixed place for its gradient: `backward()` writes there from now on, and
    /// `gradient` is `slot` once written. `slot` is contiguous, of this tensor's shape and device (a
    /// view of a parameter arena's gradient buffer). Nil goes back to a fresh tensor per pass.
    public func bindGradient(to slot: Tensor?) {
        if let slot {
            ensure(slot.shape == shape && slot.isContiguous && slot.dtype == .float32 && slot.device === device,
                   "bindGradient: the slot must be a contiguous float32 tensor of shape \(shape) on \(device.info.spec)")
        }
        let current = gradient
        gradientSlot = slot
        gradientIsWritten = false
        if let current { gradient = current }
    }

    /// Adds `g` to this leaf's gradient: into its slot (overwriting after a zero, else adding in
    /// place), or as a new tensor.
    func accumulateGradient(_ g: Tensor) {
        let own = g.isContiguous && g.shape == shape && g.storage.constant == nil ? g : g.copied()
        guard let slot = gradientSlot else {
            let total = gradient.map { $0 + own } ?? own
            gradient = total
            CapturedStep.onReplay(on: device) { [self] in gradient = total }
            return
        }
        if gradientIsWritten {
            ExecutionLatch.run(.binary(.add), on: device, inputs: [slot.bufferView, own.bufferView],
                               outputs: [slot.bufferView], retaining: [own])
        } else {
            gradient = own  // copied into the slot unless it is the slot
        }
        markGradientWritten()
    }

    /// Marks the gradient slot as holding this pass's gradient, again on each replay of a captured step.
    private func markGradientWritten() {
        gradientIsWritten = true
        CapturedStep.onReplay(on: device) { [self] in gradientIsWritten = true }
    }

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
