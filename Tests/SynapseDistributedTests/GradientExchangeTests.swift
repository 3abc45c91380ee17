import Dispatch
import Testing
import SynapseDistributed

/// The exchange's ordering, overlap, refusals and error propagation, against a recording
/// stand-in communicator (the real MPI runs are in MPIRunTests).
@Suite struct GradientExchangeTests {
    /// A flat buffer of `count` floats 0, 1, 2, … that outlives the test body.
    final class Buffer: @unchecked Sendable {
        let pointer: UnsafeMutableBufferPointer<Float>
        init(_ count: Int) {
            pointer = .allocate(capacity: count)
            for i in 0..<count { pointer[i] = Float(i) }
        }
        deinit { pointer.deallocate() }
        var base: UnsafeMutablePointer<Float> { pointer.baseAddress! }
    }

    let buckets = [6..<10, 2..<6, 0..<2]

    @Test func bucketsAreSentInBucketOrderWhateverTheSubmissionOrder() throws {
        let buffer = Buffer(10), communicator = RecordingCommunicator()
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets,
                                            reduction: .sum)
        for index in [2, 1, 0] { try exchange.submit(index) }
        _ = try exchange.waitAll()
        #expect(communicator.sentRanges(from: buffer.base) == buckets)
        #expect(Array(buffer.pointer) == (0..<10).map { Float($0 * 2) })
    }

    @Test func aCollectiveOfTheCallerRunsAfterTheBucketsThatCanBeSentAndBeforeTheRest() throws {
        let buffer = Buffer(12), communicator = RecordingCommunicator()
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets,
                                            reduction: .sum)
        // Buckets 0 and 2 are ready; 2 must wait for 1, so the caller's collective goes after 0 alone.
        try exchange.submit(0)
        try exchange.submit(2)
        let extra = UnsafeMutableBufferPointer(rebasing: buffer.pointer[10..<12])
        try exchange.perform { try communicator.allreduce(extra, .sum) }
        try exchange.submit(1)
        _ = try exchange.waitAll()
        #expect(communicator.sentRanges(from: buffer.base) == [6..<10, 10..<12, 2..<6, 0..<2])
        // Before any bucket of the next step, it runs at once.
        try exchange.perform { try communicator.allreduce(extra, .sum) }
        #expect(communicator.sentRanges(from: buffer.base).last == 10..<12)
    }

    @Test func aBucketIsExchangedBeforeTheNextIsSubmitted() throws {
        let started = DispatchSemaphore(value: 0)
        let buffer = Buffer(10)
        let communicator = RecordingCommunicator { _ in started.signal() }
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets)
        for index in buckets.indices {
            try exchange.submit(index)
            // The communication thread takes the bucket while this thread waits (a hang guard only).
            #expect(started.wait(timeout: .now() + 60) == .success, "bucket \(index) was not sent on submit")
        }
        let timing = try exchange.waitAll()
        #expect(timing.total >= .zero && timing.exposed >= .zero)
    }

    @Test func stepsRepeatAndAverageLeavesTheValues() throws {
        let buffer = Buffer(10), communicator = RecordingCommunicator()
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets)
        for _ in 0..<3 {
            for index in buckets.indices { try exchange.submit(index) }
            _ = try exchange.waitAll()
        }
        #expect(communicator.sentRanges(from: buffer.base) == buckets + buckets + buckets)
        #expect(Array(buffer.pointer) == (0..<10).map(Float.init))
    }

    @Test func unusableBucketListsAreRefused() {
        let buffer = Buffer(10), communicator = RecordingCommunicator()
        for (list, reason) in [([0..<0], "bucket 0 is empty"),
                               ([0..<4, 8..<11], "bucket 1 (8..<11) is outside the buffer of 10 floats"),
                               ([6..<10, 0..<3, 2..<6], "buckets 1 and 2 overlap")] {
            #expect(throws: DistributedError.invalidBuckets(reason)) {
                try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: list)
            }
        }
    }

    @Test func wrongSubmissionsAreRefusedAndTheStepStillCompletes() throws {
        let buffer = Buffer(10), communicator = RecordingCommunicator()
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets)
        #expect(throws: DistributedError.unknownBucket(3, count: 3)) { try exchange.submit(3) }
        #expect(throws: DistributedError.unknownBucket(-1, count: 3)) { try exchange.submit(-1) }
        try exchange.submit(1)
        #expect(throws: DistributedError.bucketSubmittedTwice(1)) { try exchange.submit(1) }
        #expect(throws: DistributedError.bucketsNotSubmitted([0, 2])) { try exchange.waitAll() }
        try exchange.submit(0)
        try exchange.submit(2)
        _ = try exchange.waitAll()
        #expect(communicator.sentRanges(from: buffer.base) == buckets)
        exchange.close()
        #expect(throws: DistributedError.exchangeClosed) { try exchange.submit(0) }
        #expect(throws: DistributedError.exchangeClosed) { try exchange.waitAll() }
    }

    @Test func aFailedAllreduceIsThrownByWaitAllAndLaterCalls() throws {
        let buffer = Buffer(10), communicator = RecordingCommunicator(failOnCall: 1)
        let exchange = try GradientExchange(communicator: communicator, gradients: buffer.pointer, buckets: buckets)
        // The failure may reach a submit already when the thread fails before the loop ends.
        for index in buckets.indices {
            do { try exchange.submit(index) } catch is RecordingCommunicator.Failure { break }
        }
        #expect(throws: RecordingCommunicator.Failure()) { try exchange.waitAll() }
        #expect(throws: RecordingCommunicator.Failure()) { try exchange.submit(0) }
        // The thread stopped at the failure: bucket 2 was never sent.
        #expect(communicator.sentRanges(from: buffer.base) == Array(buckets.prefix(2)))
    }

    @Test func hiddenTimeIsTotalLessExposedAndNeverNegative() {
        #expect(ExchangeTiming(total: .milliseconds(5), exposed: .milliseconds(2)).hidden == .milliseconds(3))
        #expect(ExchangeTiming(total: .milliseconds(1), exposed: .milliseconds(2)).hidden == .zero)
        #expect(Duration.milliseconds(1500).seconds == 1.5)
    }
}
