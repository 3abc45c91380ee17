import SynapseBackend

/// What `whenGradientReady` runs for each leaf whose gradient a backward pass has finished.
final class GradientReadyHook: @unchecked Sendable {
    let body: (Tensor) -> Void
    init(_ body: @escaping (Tensor) -> Void) { self.body = body }

    /// The hook of the calling task, if any.
    @TaskLocal static var current: GradientReadyHook?
}

/// Runs `body` (a forward and backward pass) calling `ready` with each leaf tensor (a parameter's
/// value) as soon as `backward()` has finished its gradient: after the last primitive that writes
/// it, before backward goes on to the layers before it. A data-parallel trainer hands the
/// gradient on to be exchanged there while backward continues.
///
/// In reverse topological order a leaf comes after every tensor that consumes it, so its gradient
/// is final when backward reaches it; `ready` is called once per leaf and pass, and not for leaves
/// backward never reaches. A step captured inside `body` (`CapturedStep.capture`) calls the hook of
/// the task replaying it at the same place among its primitives.
public func whenGradientReady<R>(_ ready: @escaping (Tensor) -> Void, _ body: () throws -> R) rethrows -> R {
    try GradientReadyHook.$current.withValue(GradientReadyHook(ready), operation: body)
}

extension Tensor {
    /// Tells the calling task's hook that this leaf's gradient is final, now and at this point of
    /// each replay of the step being captured.
    func announceGradientReady() {
        guard let hook = GradientReadyHook.current else { return }
        hook.body(self)
        CapturedStep.atThisPoint(on: device) { [self] in GradientReadyHook.current?.body(self) }
    }
}
