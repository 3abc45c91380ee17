import SynapseCore

/// A layer or a model: a function of one tensor that owns parameters, buffers and child modules.
///
/// Subclass it, declare parameters (`Parameter`, `Parameter?`), buffers (`Buffer`) and children
/// (`Module`, `Module?`, `[Module]`) as stored properties, and override `forward(_:)`. Members are
/// found by reflection, in declaration order (superclass first) — which plays the role of PyTorch's
/// registration order — and are named by path (`conv1.weight`, `features.3.bias`), so checkpoints
/// move between Synapse and PyTorch. Arrays of modules are named like PyTorch's `ModuleList`
/// (`blocks.0`, `blocks.1`, …). Declare members with `let`: the member list is computed once per
/// instance and cached (replace a parameter's tensor through `Parameter.value` instead).
open class Module {
    /// Whether the module (and its children, as `train()`/`eval()` set them) is in training mode:
    /// dropout drops and batch normalisation uses batch statistics.
    public private(set) var isTraining = true

    private var cachedMembers: [(name: String, member: ModuleMember)]?

    /// A module in training mode.
    public init() {}

    /// The computation. Subclasses override it; call the module with `module(input)`.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)): forward(_:) is not implemented")
    }

    /// Applies `forward(_:)` (seen by `summary()`'s observer while it runs one).
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        guard let observer = ModuleCallObserver.current else { return forward(input) }
        return observer.observe(self, input) { forward(input) }
    }

    /// This module's own members (parameters, buffers, direct children) in registration order.
    /// The default reflects over stored properties; override for containers such as `Sequential`.
    open func registeredMembers() -> [(name: String, member: ModuleMember)] {
        ModuleMember.reflect(self)
    }

    /// Called by `stateDict()` before it collects tensors, for modules that keep part of their state
    /// on the host between checkpoints (e.g. BatchNorm's batch counter) to write it into their buffers.
    open func prepareStateExport() {}

    /// Called after `loadStateDict(_:)` has written new values, for modules that mirror state on the
    /// host (e.g. BatchNorm's batch counter).
    open func didLoadState() throws {}

    /// The cached result of `registeredMembers()`.
    public final var members: [(name: String, member: ModuleMember)] {
        if let cachedMembers { return cachedMembers }
        let found = registeredMembers()
        cachedMembers = found
        return found
    }

    /// Sets training mode on this module and every descendant.
    public final func train(_ mode: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = mode }
    }

    /// Sets evaluation mode on this module and every descendant (`train(false)`).
    public final func eval() { train(false) }
}
