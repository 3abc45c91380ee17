import SynapseCore

/// Sees every module call made while `Module.summary` runs a model: which module, how deep in
/// the call tree, its input and output shapes, in the order the calls began.
final class ModuleCallObserver: @unchecked Sendable {
    /// The observer of the running task, if any (read by `Module.callAsFunction`).
    @TaskLocal static var current: ModuleCallObserver?

    /// One call: the module, its depth (1 for modules the root calls), shapes, and the calls it made.
    struct Call {
        let module: Module
        let depth: Int
        let inputShape: [Int]
        var outputShape: [Int] = []
        var children: [Int] = []
    }

    /// Every call, in the order they began (the root's first).
    private(set) var calls: [Call] = []
    private var open: [Int] = []

    func observe(_ module: Module, _ input: Tensor, _ forward: () -> Tensor) -> Tensor {
        let index = calls.count
        if let parent = open.last { calls[parent].children.append(index) }
        calls.append(Call(module: module, depth: open.count, inputShape: input.shape))
        open.append(index)
        let output = forward()
        open.removeLast()
        calls[index].outputShape = output.shape
        return output
    }
}
