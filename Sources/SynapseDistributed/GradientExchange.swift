import Foundation

/// Averages (or sums) a flat gradient buffer over every rank, bucket by bucket, on a
/// communication thread, so that the exchange overlaps the backward pass as in Horovod and DDP.
///
/// A bucket is one contiguous range of the buffer (a run of parameters' gradients in a flat
/// arena). Each training step, the caller `submit`s every bucket as soon as its gradients are
/// final, then calls `waitAll()` before the optimizer reads them. The thread allreduces bucket
/// `i` as soon as buckets `0…i` have all been submitted, so the collectives run in bucket order
/// on every rank whatever order the buckets are submitted in: number them in the order backward
/// finishes them (the last layers first). From `submit` until `waitAll()` returns, the caller
/// must not touch a bucket's memory, and must call no other collective on the communicator.
///
/// The buffer is not owned: it must stay allocated while the exchange exists. When the gradients
/// live in device memory, a `BucketTransfer` copies each bucket into the buffer before its
/// allreduce and back after it, on the communication thread.
public final class GradientExchange: @unchecked Sendable {
    /// The buckets, as ranges of element offsets into the buffer, in exchange order.
    public let buckets: [Range<Int>]
    /// How ranks' gradients are combined.
    public let reduction: Reduction
    private let state: ExchangeState

    /// An exchange of `buckets` of `gradients` over `communicator`.
    ///
    /// - Throws: `DistributedError.invalidBuckets` when a bucket is empty, outside the buffer,
    ///   or overlaps another.
    public init(communicator: any Communicator, gradients: UnsafeMutableBufferPointer<Float>,
                buckets: [Range<Int>], reduction: Reduction = .average, transfer: BucketTransfer? = nil) throws {
        try Self.validate(buckets, bufferCount: gradients.count)
        self.buckets = buckets
        self.reduction = reduction
        state = ExchangeState(communicator: communicator, base: gradients.baseAddress, buckets: buckets,
                              reduction: reduction, transfer: transfer)
        state.startThread()
    }

    deinit { state.close() }

    /// Marks bucket `index`'s gradients as final for this step; the thread sends it once all
    /// earlier buckets were submitted.
    ///
    /// - Throws: `unknownBucket`, `bucketSubmittedTwice` (in one step), `exchangeClosed`, or the
    ///   error of an earlier failed allreduce.
    public func submit(_ index: Int) throws {
        try state.submit(index)
    }

    /// Submits every bucket not submitted yet in this step (those whose gradients no hook reported).
    ///
    /// - Throws: `exchangeClosed`, or the error of an earlier failed allreduce.
    public func submitRemaining() throws {
        try state.submitRemaining()
    }

    /// Runs `collective` (another collective on the communicator, such as a synchronised batch
    /// norm's allreduce during backward) on the calling thread, in a place of the collective order
    /// that is the same on every rank: after the buckets submitted so far that the thread can send
    /// (those after the first bucket not yet submitted wait), before any other.
    ///
    /// - Throws: `exchangeClosed`, the error of an earlier failed allreduce, or `collective`'s.
    public func perform(_ collective: () throws -> Void) throws {
        try state.perform(collective)
    }

    /// Waits until every bucket of this step has been exchanged, and readies the next step.
    ///
    /// - Returns: the step's timing: the time spent exchanging and the part of it spent waiting here.
    /// - Throws: `bucketsNotSubmitted` (without waiting; submit them and call again) or the error
    ///   of a failed allreduce.
    public func waitAll() throws -> ExchangeTiming {
        try state.waitAll()
    }

    /// Stops the communication thread once the bucket it is exchanging is done; later calls throw
    /// `exchangeClosed`. Called on deinit.
    public func close() {
        state.close()
    }

    private static func validate(_ buckets: [Range<Int>], bufferCount: Int) throws {
        for (index, bucket) in buckets.enumerated() {
            guard !bucket.isEmpty else { throw DistributedError.invalidBuckets("bucket \(index) is empty") }
            guard bucket.lowerBound >= 0 && bucket.upperBound <= bufferCount else {
                throw DistributedError.invalidBuckets(
                    "bucket \(index) (\(bucket)) is outside the buffer of \(bufferCount) floats")
            }
        }
        let sorted = buckets.enumerated().sorted { $0.element.lowerBound < $1.element.lowerBound }
        for (before, after) in zip(sorted, sorted.dropFirst()) where before.element.overlaps(after.element) {
            throw DistributedError.invalidBuckets("buckets \(before.offset) and \(after.offset) overlap")
        }
    }
}

/// The state a `GradientExchange` shares with its communication thread, under one condition lock.
private final class ExchangeState: @unchecked Sendable {
    let communicator: any Communicator
    let base: UnsafeMutablePointer<Float>?
    let buckets: [Range<Int>]
    let reduction: Reduction
    let transfer: BucketTransfer?

    private let condition = NSCondition()
    private var submitted: [Bool]
    /// The next bucket the thread sends, and how many it has finished this step.
    private var nextToSend = 0, completed = 0
    private var busy = Duration.zero
    private var failure: (any Error)?
    private var isClosed = false
    /// Whether the caller runs a collective of its own (`perform`); the thread sends nothing meanwhile.
    private var isPerforming = false
    private let threadEnded = DispatchSemaphore(value: 0)

    init(communicator: any Communicator, base: UnsafeMutablePointer<Float>?, buckets: [Range<Int>],
         reduction: Reduction, transfer: BucketTransfer?) {
        self.communicator = communicator
        self.base = base
        self.buckets = buckets
        self.reduction = reduction
        self.transfer = transfer
        submitted = Array(repeating: false, count: buckets.count)
    }

    func startThread() {
        let thread = Thread { [self] in
            run()
            threadEnded.signal()
        }
        thread.name = "synapse.gradient-exchange"
        thread.start()
    }

    func submit(_ index: Int) throws {
        condition.lock(); defer { condition.unlock() }
        try checkUsable()
        guard buckets.indices.contains(index) else { throw DistributedError.unknownBucket(index, count: buckets.count) }
        guard !submitted[index] else { throw DistributedError.bucketSubmittedTwice(index) }
        submitted[index] = true
        condition.broadcast()
    }

    func submitRemaining() throws {
        condition.lock(); defer { condition.unlock() }
        try checkUsable()
        submitted = Array(repeating: true, count: buckets.count)
        condition.broadcast()
    }

    func perform(_ collective: () throws -> Void) throws {
        condition.lock()
        // Wait for the thread to send every bucket it can and to be idle.
        while failure == nil && !isClosed
                && (completed < nextToSend || (nextToSend < buckets.count && submitted[nextToSend])) {
            condition.wait()
        }
        do { try checkUsable() } catch { condition.unlock(); throw error }
        isPerforming = true
        condition.unlock()
        defer {
            condition.lock()
            isPerforming = false
            condition.broadcast()
            condition.unlock()
        }
        try collective()
    }

    func waitAll() throws -> ExchangeTiming {
        let clock = ContinuousClock()
        condition.lock(); defer { condition.unlock() }
        try checkUsable()
        let missing = submitted.indices.filter { !submitted[$0] }
        guard missing.isEmpty else { throw DistributedError.bucketsNotSubmitted(missing) }
        let start = clock.now
        while completed < buckets.count && failure == nil && !isClosed { condition.wait() }
        let exposed = clock.now - start
        try checkUsable()
        let timing = ExchangeTiming(total: busy, exposed: exposed)
        submitted = Array(repeating: false, count: buckets.count)
        nextToSend = 0
        completed = 0
        busy = .zero
        return timing
    }

    func close() {
        condition.lock()
        let wasClosed = isClosed
        isClosed = true
        condition.broadcast()
        condition.unlock()
        if !wasClosed { threadEnded.wait() }
    }

    private func checkUsable() throws {
        if let failure { throw failure }
        if isClosed { throw DistributedError.exchangeClosed }
    }

    /// The communication thread: sends each bucket once it and all before it were submitted.
    private func run() {
        let clock = ContinuousClock()
        condition.lock()
        while true {
            while !isClosed && (isPerforming || !(nextToSend < buckets.count && submitted[nextToSend])) { condition.wait() }
            if isClosed { break }
            let index = nextToSend, bucket = buckets[index]
            nextToSend += 1
            condition.unlock()
            let start = clock.now
            var error: (any Error)?
            do {
                try transfer?.toHost(index, bucket)
                try communicator.allreduce(UnsafeMutableBufferPointer(start: base! + bucket.lowerBound,
                                                                      count: bucket.count), reduction)
                try transfer?.fromHost(index, bucket)
            } catch let thrown { error = thrown }
            let elapsed = clock.now - start
            condition.lock()
            busy += elapsed
            completed += 1
            failure = failure ?? error
            condition.broadcast()
            if failure != nil { break }
        }
        condition.unlock()
    }
}

/// What the communication thread does around each bucket's allreduce when the gradients are not
/// in the exchange's buffer: fill the bucket's range of it before (from device memory, scaled), and
/// copy the result back after. Both get the bucket's index and range; an error fails the exchange.
public struct BucketTransfer: Sendable {
    /// Fills the bucket's range of the buffer.
    public var toHost: @Sendable (Int, Range<Int>) throws -> Void
    /// Takes the exchanged values from the bucket's range of the buffer.
    public var fromHost: @Sendable (Int, Range<Int>) throws -> Void

    public init(toHost: @escaping @Sendable (Int, Range<Int>) throws -> Void,
                fromHost: @escaping @Sendable (Int, Range<Int>) throws -> Void) {
        self.toHost = toHost
        self.fromHost = fromHost
    }
}
