import SynapseBackend
import SynapseCore

/// Checkpoints: every parameter and buffer by path, as PyTorch's `state_dict()`.
extension Module {
    /// Every parameter and buffer with its path, in PyTorch's order (for each module: its
    /// parameters, its buffers, then its children). The tensors are views of the live values.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        for (_, module) in namedModules() { module.prepareStateExport() }
        return namedEntries(unique: false) { member -> Tensor? in
            switch member {
            case let .parameter(p): p.value.detached()
            case let .buffer(b): b.value.detached()
            case .module: nil
            }
        }.map { (name: $0.0, tensor: $0.1) }
    }

    /// Overwrites every parameter and buffer with the tensor of the same name in `state` (on any
    /// device; values cross through the host when the devices differ).
    ///
    /// Throws `StateDictError` naming the key when one is missing, unexpected, repeated or of the
    /// wrong shape; everything is checked before anything is written.
    public func loadStateDict(_ state: [(name: String, tensor: Tensor)]) throws {
        var incoming: [String: Tensor] = [:]
        for (name, tensor) in state {
            guard incoming.updateValue(tensor, forKey: name) == nil else { throw StateDictError.duplicateKey(name) }
        }
        let targets = namedEntries(unique: false) { member -> Tensor? in
            switch member {
            case let .parameter(p): p.value
            case let .buffer(b): b.value
            case .module: nil
            }
        }
        for (name, target) in targets {
            guard let source = incoming[name] else { throw StateDictError.missingKey(name) }
            guard source.shape == target.shape else {
                throw StateDictError.shapeMismatch(key: name, expected: target.shape, found: source.shape)
            }
        }
        let expected = Set(targets.map(\.0))
        if let extra = state.first(where: { !expected.contains($0.name) }) {
            throw StateDictError.unexpectedKey(extra.name)
        }
        for (name, target) in targets {
            try target.overwrite(with: incoming[name]!)
        }
        for (_, module) in namedModules() { try module.didLoadState() }
    }

    /// `loadStateDict(_:)` from a dictionary (order does not matter when loading).
    public func loadStateDict(_ state: [String: Tensor]) throws {
        try loadStateDict(state.map { (name: $0.key, tensor: $0.value) })
    }
}

extension Tensor {
    /// Overwrites this tensor's elements with `source`'s (same shape), converting between float and
    /// int32 and crossing devices through the host when needed.
    func overwrite(with source: Tensor) throws {
        if source.device === device && source.dtype == dtype {
            withoutGradient { assign(source) }
            return
        }
        switch (dtype, source.dtype) {
        case (.float32, .float32): load(try source.toArray())
        case (.float32, .int32): load(try source.toInt32Array().map { Float($0) })
        case (.int32, .int32): load(int32: try source.toInt32Array())
        case (.int32, .float32): load(int32: try source.toArray().map { Int32($0) })
        }
    }
}
