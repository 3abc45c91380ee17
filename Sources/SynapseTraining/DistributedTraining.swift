import Foundation
import Synapse
import SynapseDistributed

/// One rank's part in data-parallel training: what keeps a `Trainer` in step with the other ranks
/// of its job (see `Trainer.distribute(over:)`).
///
/// After every backward pass, the rank's gradients (its packed `arena.gradients`, scaled by its
/// share of the global batch), its share of the loss and its stop request go through host memory
/// into one sum over all ranks, in fixed buckets on `GradientExchange`'s communication thread. The
/// result is the mean gradient and loss over the global batch, exactly as one process computes it,
/// uneven slices included; every rank then takes the same optimizer step. Rank 0's float buffers
/// (batch-norm running statistics) ride along, the other ranks adding zeros, so they stay
/// identical on every rank.
public final class DistributedTraining {
    /// The job.
    public let communicator: any Communicator
    /// This rank's part of each global batch.
    public let shard: GlobalBatchShard
    /// Asked after every step on every rank; the ranks stop together after the first step at which
    /// any rank answered true (Ctrl-C or SIGTERM under `mpirun` reaches every rank).
    public var stopRequest: () -> Bool = { false }
    /// Whether some rank asked to stop at the last exchange.
    public private(set) var isStopAgreed = false
    /// Whether this is rank 0, the one that reports, evaluates and saves.
    public var isRoot: Bool { communicator.isRoot }
    /// Whether to stop after this step: the agreed answer in a job of several ranks, else
    /// `stopRequest()`'s.
    public var shouldStop: Bool { communicator.size > 1 ? isStopAgreed : stopRequest() }
    /// The last step's exchange: time in allreduce and time the step waited for it.
    public private(set) var lastTiming: ExchangeTiming?
    /// The last step's copies of gradients and buffers between the device and the host.
    public private(set) var lastCopyTime: Duration = .zero
    /// Steps exchanged so far, and their summed timings and copies.
    public private(set) var exchangedSteps = 0
    public private(set) var totalTiming = ExchangeTiming(total: .zero, exposed: .zero)
    public private(set) var totalCopyTime: Duration = .zero

    private let arena: ParameterArena
    private let model: Module
    /// The model's float buffers, looked up anew each time (a checkpoint load may replace them).
    private var buffers: [Tensor] { Self.floatBuffers(of: model) }
    private let source: ShardedBatchSource
    private let device: any Device
    private let host: UnsafeMutableBufferPointer<Float>
    private let exchange: GradientExchange
    /// Where the loss share, the stop flag and the buffers sit in `host`, after the gradients.
    private var lossSlot: Int { arena.count }
    private var stopSlot: Int { arena.count + 1 }
    private var buffersStart: Int { arena.count + 2 }

    /// Floats per bucket: about 25 MB, as PyTorch DDP's default.
    public static let bucketElements = 25 * 1024 * 1024 / MemoryLayout<Float>.stride

    init(communicator: any Communicator, arena: ParameterArena, model: Module, source: ShardedBatchSource,
         device: any Device) throws {
        self.communicator = communicator
        self.shard = source.shard
        self.arena = arena
        self.model = model
        self.source = source
        self.device = device
        let count = arena.count + 2 + Self.floatBuffers(of: model).reduce(0) { $0 + $1.count }
        host = .allocate(capacity: count)
        host.initialize(repeating: 0)
        do {
            exchange = try GradientExchange(communicator: communicator, gradients: host,
                                            buckets: Self.buckets(count: count), reduction: .sum)
        } catch {
            host.deallocate()
            throw error
        }
    }

    deinit {
        exchange.close()
        host.deallocate()
    }

    /// The float32 buffers of `model` (batch-norm running statistics), which ride along each exchange.
    static func floatBuffers(of model: Module) -> [Tensor] {
        model.namedBuffers().map(\.buffer.value).filter { $0.dtype == .float32 && $0.isContiguous }
    }

    /// Ranges of at most `bucketElements` covering `0..<count`, the last part of the buffer first:
    /// the last layers, whose gradients backward finishes first.
    static func buckets(count: Int) -> [Range<Int>] {
        stride(from: count, to: 0, by: -bucketElements).map { end in Swift.max(end - bucketElements, 0) ..< end }
    }

    /// Replaces every rank's parameters and float buffers with rank 0's (before the first step).
    func broadcastInitialState() throws {
        for tensor in [arena.values] + buffers {
            var values = try tensor.toArray()
            try communicator.broadcast(&values, from: 0)
            tensor.assign(Tensor(values, shape: tensor.shape, on: device))
        }
    }

    /// This rank's rows of global batch `batch` (dropout draws them as one process would).
    func slice(ofBatch batch: Int) -> BatchSlice {
        let count = source.globalCount(ofBatch: batch), mine = shard.range(inBatchOf: count)
        return BatchSlice(start: mine.lowerBound, count: mine.count, globalCount: count)
    }

    /// Sums every rank's weighted gradients, loss, stop request and rank 0's buffers; returns the
    /// global batch's mean loss (on the device). `batch` is the number of the step's global batch.
    func exchange(loss: Tensor, batch: Int) throws -> Tensor {
        let clock = ContinuousClock(), copyStart = clock.now
        let weight = shard.gradientWeight(inBatchOf: source.globalCount(ofBatch: batch))
        try read(arena.gradients, into: 0)
        for i in 0..<arena.count { host[i] *= weight }
        host[lossSlot] = try loss.item() * weight
        host[stopSlot] = stopRequest() ? 1 : 0
        var offset = buffersStart
        for buffer in buffers {
            if communicator.isRoot {
                try read(buffer, into: offset)
            } else {
                UnsafeMutableBufferPointer(rebasing: host[offset ..< offset + buffer.count]).update(repeating: 0)
            }
            offset += buffer.count
        }
        var copies = clock.now - copyStart
        for bucket in exchange.buckets.indices { try exchange.submit(bucket) }
        lastTiming = try exchange.waitAll()
        let writeStart = clock.now
        try write(arena.gradients, from: 0)
        offset = buffersStart
        for buffer in buffers {
            try write(buffer, from: offset)
            offset += buffer.count
        }
        isStopAgreed = host[stopSlot] > 0
        let global = Tensor([host[lossSlot]], shape: loss.shape, on: device)
        copies += clock.now - writeStart
        lastCopyTime = copies
        exchangedSteps += 1
        totalTiming.total += lastTiming?.total ?? .zero
        totalTiming.exposed += lastTiming?.exposed ?? .zero
        totalCopyTime += copies
        return global
    }

    /// The mean exchange per step, one line: `2 ranks, 62082 floats per step over 40 steps:
    /// allreduce 0.061 ms, of which the step waited 0.058 ms; host copies 0.210 ms`. The allreduce
    /// time includes waiting for the slowest rank to arrive.
    public var timingSummary: String {
        let steps = Double(Swift.max(exchangedSteps, 1))
        func ms(_ duration: Duration) -> String { String(format: "%.3f ms", duration.seconds * 1000 / steps) }
        return "\(communicator.size) ranks, \(host.count) floats per step over \(exchangedSteps) steps: allreduce "
            + "\(ms(totalTiming.total)), of which the step waited \(ms(totalTiming.exposed)); host copies \(ms(totalCopyTime))"
    }

    /// Copies `tensor` (contiguous, float32) into `host` at `offset`, straight from its device
    /// buffer (waiting for the work that writes it).
    private func read(_ tensor: Tensor, into offset: Int) throws {
        guard let buffer = tensor.storage.buffer else { return }
        let bytes = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: host[offset ..< offset + tensor.count]))
        try device.read(buffer, byteOffset: tensor.offset * MemoryLayout<Float>.stride, into: bytes)
    }

    /// Copies `tensor.count` floats of `host` from `offset` into `tensor`'s device buffer.
    private func write(_ tensor: Tensor, from offset: Int) throws {
        guard let buffer = tensor.storage.buffer else { return }
        let bytes = UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: host[offset ..< offset + tensor.count]))
        try device.write(bytes, to: buffer, byteOffset: tensor.offset * MemoryLayout<Float>.stride)
    }

    /// Stops the communication thread and leaves the job (every rank, before a normal exit).
    public func finish() throws {
        exchange.close()
        try communicator.finalize()
    }
}
