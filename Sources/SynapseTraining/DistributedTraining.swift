import Foundation
import Synapse
import SynapseDistributed

/// One rank's part in data-parallel training: what keeps a `Trainer` in step with the other ranks
/// of its job (see `Trainer.distribute(over:)`).
///
/// The rank's gradients (its packed `arena.gradients`, scaled by its share of the global batch) go
/// through host memory into one sum over all ranks, in fixed buckets on `GradientExchange`'s
/// communication thread. The exchange overlaps the backward pass: a bucket is handed to the thread
/// as soon as backward has finished every parameter in it (`whenGradientReady`, in eager and
/// replayed steps alike), and the thread reads it from the device, allreduces it and writes it
/// back while backward goes on. A last bucket carries the rank's share of the loss, its stop
/// request and rank 0's float buffers (batch-norm running statistics; the other ranks add zeros,
/// so they stay identical on every rank). The optimizer runs once every bucket is back. The result
/// is the mean gradient and loss over the global batch, exactly as one process computes them,
/// uneven slices included; every rank then takes the same optimizer step.
///
/// With `syncBatchNorm`, batch norm normalises over the global batch (`withBatchNormGroup` over the
/// job's ranks): every rank then computes the same running statistics, and they do not ride along.
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
    /// The last step's exchange: time the communication thread spent on it (copies and allreduces)
    /// and the part the step waited for after backward (`exposed`; the rest was `hidden` behind it).
    public private(set) var lastTiming: ExchangeTiming?
    /// The last step's copies on the step's own thread: the buffers to and from the device, and the
    /// loss back (its read, which waits for the device to finish the step, is not counted).
    public private(set) var lastCopyTime: Duration = .zero
    /// Steps exchanged so far, and their summed timings and copies.
    public private(set) var exchangedSteps = 0
    public private(set) var totalTiming = ExchangeTiming(total: .zero, exposed: .zero)
    public private(set) var totalCopyTime: Duration = .zero
    /// Gradient buckets the last step handed to the communication thread during backward, as
    /// backward finished them (the rest went after it: parameters backward did not reach).
    public private(set) var lastBucketsHandedOverInBackward = 0
    /// Whether batch norm normalises over the global batch rather than each rank's slice.
    public let syncBatchNorm: Bool
    /// The exchange's buckets, in the order they are sent: the gradients' from the end of the arena
    /// (the last layers, finished first by backward), then the loss, stop flag and buffers.
    public var buckets: [Range<Int>] { exchange.buckets }

    private let arena: ParameterArena
    private let model: Module
    /// The model's float buffers, looked up anew each time (a checkpoint load may replace them).
    private var buffers: [Tensor] { syncBatchNorm ? [] : Self.floatBuffers(of: model) }
    private let source: ShardedBatchSource
    private let device: any Device
    private let host: UnsafeMutableBufferPointer<Float>
    private let exchange: GradientExchange
    /// Where the loss share, the stop flag and the buffers sit in `host`, after the gradients.
    private var lossSlot: Int { arena.count }
    private var stopSlot: Int { arena.count + 1 }
    private var buffersStart: Int { arena.count + 2 }
    /// The buckets each packed parameter's gradient lies in, in arena order.
    private let bucketsOfParameter: [[Int]]
    /// This step: parameters not yet finished by backward, per bucket; the packed parameters by
    /// their value tensor; the rank's gradient weight; a hand-over that failed.
    private var unfinished: [Int] = []
    private var parameterIndex: [ObjectIdentifier: Int] = [:]
    private let weight = WeightBox()
    private var handOverFailure: (any Error)?
    /// The ranks as a batch-norm group, with `syncBatchNorm`.
    private var batchNormGroup: ExchangeBatchNormGroup?

    /// Floats per bucket: about 25 MB, as PyTorch DDP's default.
    public static let bucketElements = 25 * 1024 * 1024 / MemoryLayout<Float>.stride

    init(communicator: any Communicator, arena: ParameterArena, model: Module, source: ShardedBatchSource,
         device: any Device, bucketElements: Int = DistributedTraining.bucketElements,
         syncBatchNorm: Bool = false) throws {
        self.communicator = communicator
        self.syncBatchNorm = syncBatchNorm
        self.shard = source.shard
        self.arena = arena
        self.model = model
        self.source = source
        self.device = device
        let count = arena.count + 2 + (syncBatchNorm ? 0 : Self.floatBuffers(of: model).reduce(0) { $0 + $1.count })
        let buckets = Self.buckets(count: arena.count, elements: Swift.max(bucketElements, 1)) + [arena.count ..< count]
        bucketsOfParameter = zip(arena.offsets, arena.shapes).map { offset, shape in
            let range = offset ..< offset + shape.reduce(1, *)
            return buckets.indices.filter { buckets[$0].overlaps(range) }
        }
        host = .allocate(capacity: count)
        host.initialize(repeating: 0)
        let transfer = GradientTransfer(host: host, gradients: arena.gradients, device: device,
                                        gradientBuckets: buckets.count - 1, weight: weight)
        do {
            exchange = try GradientExchange(communicator: communicator, gradients: host, buckets: buckets,
                                            reduction: .sum, transfer: transfer.bucketTransfer)
        } catch {
            host.deallocate()
            throw error
        }
        if syncBatchNorm { batchNormGroup = ExchangeBatchNormGroup(communicator: communicator, exchange: exchange) }
    }

    deinit {
        exchange.close()
        host.deallocate()
    }

    /// The float32 buffers of `model` (batch-norm running statistics), which ride along each exchange.
    static func floatBuffers(of model: Module) -> [Tensor] {
        model.namedBuffers().map(\.buffer.value).filter { $0.dtype == .float32 && $0.isContiguous }
    }

    /// Ranges of at most `elements` covering `0..<count`, the last part of the buffer first: the
    /// last layers, whose gradients backward finishes first.
    static func buckets(count: Int, elements: Int) -> [Range<Int>] {
        stride(from: count, to: 0, by: -elements).map { end in Swift.max(end - elements, 0) ..< end }
    }

    /// Replaces every rank's parameters and float buffers with rank 0's (before the first step).
    func broadcastInitialState() throws {
        for tensor in [arena.values] + Self.floatBuffers(of: model) {
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

    /// Runs `pass`, the forward and backward pass on global batch `batch`, handing each bucket of
    /// gradients to the communication thread as soon as backward has finished it.
    func overlappingBackward<R>(batch: Int, _ pass: () throws -> R) throws -> R {
        weight.value = shard.gradientWeight(inBatchOf: source.globalCount(ofBatch: batch))
        unfinished = Array(repeating: 0, count: exchange.buckets.count)
        for buckets in bucketsOfParameter { for bucket in buckets { unfinished[bucket] += 1 } }
        parameterIndex = Dictionary(uniqueKeysWithValues: model.parameters().enumerated().map { (ObjectIdentifier($1.value), $0) })
        handOverFailure = nil
        lastBucketsHandedOverInBackward = 0
        return try withBatchNormGroup(batchNormGroup) {
            try whenGradientReady({ [unowned self] tensor in gradientReady(tensor) }, pass)
        }
    }

    /// Backward has finished `tensor`'s gradient: submits the buckets it completes.
    private func gradientReady(_ tensor: Tensor) {
        guard handOverFailure == nil, let index = parameterIndex.removeValue(forKey: ObjectIdentifier(tensor)) else { return }
        for bucket in bucketsOfParameter[index] {
            unfinished[bucket] -= 1
            guard unfinished[bucket] == 0 else { continue }
            do { try exchange.submit(bucket) } catch { handOverFailure = error; return }
            lastBucketsHandedOverInBackward += 1
        }
    }

    /// Sums every rank's weighted gradients (those backward has not handed over yet, then the
    /// rest), loss, stop request and rank 0's buffers; returns the global batch's mean loss (on
    /// the device). `batch` is the number of the step's global batch.
    func exchange(loss: Tensor, batch: Int) throws -> Tensor {
        if let handOverFailure { throw handOverFailure }
        let weight = shard.gradientWeight(inBatchOf: source.globalCount(ofBatch: batch))
        self.weight.value = weight
        host[lossSlot] = try loss.item() * weight  // waits for the device to finish the step
        let clock = ContinuousClock(), copyStart = clock.now
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
        try exchange.submitRemaining()
        lastTiming = try exchange.waitAll()
        let writeStart = clock.now
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

    /// The mean exchange per step, one line: `2 ranks, 62082 floats in 1 bucket(s) + 1 per step
    /// over 40 steps: exchange 0.261 ms, of which 0.203 ms hidden behind backward and 0.058 ms
    /// exposed; buffer copies 0.010 ms`. The exchange time is the communication thread's
    /// (device↔host copies, which wait for the device to finish each bucket, and allreduces, which
    /// wait for the slowest rank to arrive).
    public var timingSummary: String {
        let steps = Double(Swift.max(exchangedSteps, 1))
        func ms(_ duration: Duration) -> String { String(format: "%.3f ms", duration.seconds * 1000 / steps) }
        return "\(communicator.size) ranks, \(host.count) floats in \(exchange.buckets.count - 1) bucket(s) + 1 per step "
            + "over \(exchangedSteps) steps: exchange \(ms(totalTiming.total)), of which \(ms(totalTiming.hidden)) hidden "
            + "behind backward and \(ms(totalTiming.exposed)) exposed; buffer copies \(ms(totalCopyTime))"
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

/// The rank's gradient weight for the step, written by the step's thread before it submits a
/// bucket and read by the communication thread after (the exchange's lock orders the two).
private final class WeightBox: @unchecked Sendable {
    var value: Float = 1
}

/// The communication thread's copies of gradient buckets: device → `host` (scaled by the rank's
/// weight) before the allreduce, and back after. The last bucket (loss, flag, buffers) is the
/// step's own thread's to fill and read.
private struct GradientTransfer: @unchecked Sendable {
    let host: UnsafeMutableBufferPointer<Float>
    let gradients: Tensor
    let device: any Device
    let gradientBuckets: Int
    let weight: WeightBox

    var bucketTransfer: BucketTransfer {
        BucketTransfer(toHost: { [self] index, range in try toHost(index, range) },
                       fromHost: { [self] index, range in try fromHost(index, range) })
    }

    private func toHost(_ index: Int, _ range: Range<Int>) throws {
        guard index < gradientBuckets, let buffer = gradients.storage.buffer else { return }
        let part = UnsafeMutableBufferPointer(rebasing: host[range])
        try device.read(buffer, byteOffset: (gradients.offset + range.lowerBound) * MemoryLayout<Float>.stride,
                        into: UnsafeMutableRawBufferPointer(part))
        let weight = weight.value
        for i in part.indices { part[i] *= weight }
    }

    private func fromHost(_ index: Int, _ range: Range<Int>) throws {
        guard index < gradientBuckets, let buffer = gradients.storage.buffer else { return }
        try device.write(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: host[range])), to: buffer,
                         byteOffset: (gradients.offset + range.lowerBound) * MemoryLayout<Float>.stride)
    }
}
