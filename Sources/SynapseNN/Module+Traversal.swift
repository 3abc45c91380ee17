import SynapseCore

/// Finding parameters, buffers and submodules by path, in PyTorch's order: a module's own
/// parameters, then its own buffers, then each child's, depth first.
extension Module {
    /// Direct children with their names.
    public func namedChildren() -> [(name: String, module: Module)] {
        members.compactMap { if case let .module(m) = $0.member { ($0.name, m) } else { nil } }
    }

    /// This module (named "") and every descendant, depth first, each once.
    public func namedModules() -> [(name: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, module: Module)] = []
        func visit(_ module: Module, _ prefix: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((prefix, module))
            for (name, child) in module.namedChildren() { visit(child, Self.join(prefix, name)) }
        }
        visit(self, "")
        return result
    }

    /// Every parameter with its path (`conv1.weight`), each once even when shared.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        return namedEntries { member in
            if case let .parameter(p) = member, seen.insert(ObjectIdentifier(p)).inserted { return p }
            return nil
        }
    }

    /// Every parameter, in `namedParameters()` order (what an optimizer takes).
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer with its path (`bn1.running_mean`).
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var seen = Set<ObjectIdentifier>()
        return namedEntries { member in
            if case let .buffer(b) = member, seen.insert(ObjectIdentifier(b)).inserted { return b }
            return nil
        }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Clears every parameter's gradient.
    public func zeroGradients() { for p in parameters() { p.zeroGradient() } }

    /// Visits every module depth first, yielding `pick`'s non-nil results for its own members with
    /// their full paths (own parameters before own buffers before children, as PyTorch).
    /// With `unique` (the default), a module reachable by two paths is visited once.
    func namedEntries<T>(unique: Bool = true, _ pick: (ModuleMember) -> T?) -> [(String, T)] {
        var result: [(String, T)] = []
        var visited = Set<ObjectIdentifier>()
        func visit(_ module: Module, _ prefix: String) {
            guard visited.insert(ObjectIdentifier(module)).inserted || !unique else { return }
            let members = module.members
            for (name, member) in members {
                if case .parameter = member, let value = pick(member) { result.append((Self.join(prefix, name), value)) }
            }
            for (name, member) in members {
                if case .buffer = member, let value = pick(member) { result.append((Self.join(prefix, name), value)) }
            }
            for (name, member) in members {
                if case let .module(child) = member { visit(child, Self.join(prefix, name)) }
            }
        }
        visit(self, "")
        return result
    }

    static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
}
