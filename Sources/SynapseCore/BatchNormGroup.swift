import SynapseBackend

/// The processes whose batches a synchronised batch norm normalises as one (the ranks of a
/// data-parallel job; PyTorch's `SyncBatchNorm` process group).
public protocol BatchNormGroup: AnyObject, Sendable {
    /// This process's number, `0..<size`.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Replaces `values` with their element-wise sum over the group. Every process calls it at the
    /// same point of its step with the same count.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
}

/// A `BatchNormGroup` as an operation records it: equal when it is the same group.
public struct BatchNormGroupReference: Sendable, Hashable {
    public let group: any BatchNormGroup

    public init(_ group: any BatchNormGroup) { self.group = group }

    public static func == (a: Self, b: Self) -> Bool { a.group === b.group }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(group)) }
}

/// The group of the calling task's training step, if its batch norm is synchronised.
enum BatchNormGroupScope {
    @TaskLocal static var current: (any BatchNormGroup)?
}

/// Runs `body` (a training step's forward and backward pass) with batch normalisation synchronised
/// over `group`: in training, `Tensor.batchNorm` normalises with the statistics of the global batch
/// (every process's slice together) and updates the running statistics from them, identically on
/// every process, and its backward pass (wherever it runs) sums the per-channel gradient sums over
/// the group: every process must run it. Within
/// `withBatchSlice`, a process's gradients are taken in units of its own slice's loss (as its
/// `slice.count / slice.globalCount` share is applied later). Nil runs `body` unsynchronised.
public func withBatchNormGroup<R>(_ group: (any BatchNormGroup)?, _ body: () throws -> R) rethrows -> R {
    try BatchNormGroupScope.$current.withValue(group, operation: body)
}
