import Synapse

/// What one run of a case does, for turning a time into a rate.
enum Work: Sendable {
    /// Floating-point operations (multiply-add = 2); the rate is GFLOP/s.
    case flops(Double)
    /// Bytes read plus bytes written once each; the rate is GB/s.
    case bytes(Double)
    /// Training images processed; the rate is images/s.
    case images(Int)

    /// How much work one run does, in the rate's base unit.
    var amount: Double {
        switch self {
        case let .flops(value), let .bytes(value): value
        case let .images(count): Double(count)
        }
    }

    /// Unit of `amount` (`FLOP`, `byte`, `image`).
    var workUnit: String {
        switch self {
        case .flops: "FLOP"
        case .bytes: "byte"
        case .images: "image"
        }
    }

    /// Unit of the derived rate (`GFLOP/s`, `GB/s`, `images/s`).
    var rateUnit: String {
        switch self {
        case .flops: "GFLOP/s"
        case .bytes: "GB/s"
        case .images: "images/s"
        }
    }

    /// The rate reached when one run takes `seconds`.
    func rate(seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        switch self {
        case let .flops(value), let .bytes(value): return value / seconds / 1e9
        case let .images(count): return Double(count) / seconds
        }
    }
}

/// One benchmark: a named, sized workload in a suite.
///
/// `prepare` allocates inputs on the device and returns the body that the harness times; keeping
/// allocation out of the body means the timed runs measure the operation, not the setup.
struct BenchCase {
    /// Suite it belongs to (`gemm`, `conv`, …).
    let suite: String
    /// Name within the suite (`square.1024`, `alexnet.conv1.forward`).
    let name: String
    /// Human-readable sizes (`1024×1024×1024`, `[128, 3, 224, 224] k11 s4`).
    let shape: String
    /// Work done by one run of the body.
    let work: Work
    /// Why this case is not run by default on this device (too large for a CPU, GPU only), or nil.
    /// Such a case still runs when `--all-sizes` is given or `--filter` names it exactly.
    var skipReason: String? = nil
    /// Extra facts for the report (reference figures, nominal bandwidth).
    var notes: [String] = []
    /// Builds the inputs and returns the body to time.
    let prepare: (any Device) throws -> Workload

    /// `suite.name`, as `--filter` and `--compare` see it.
    var id: String { "\(suite).\(name)" }
}

/// The timed part of a case: `run` enqueues one iteration's work and may split it into phases.
struct Workload {
    /// Extra figures of the prepared case (parameter count, FLOP per step) for the report.
    var facts: [String: Double] = [:]
    /// One iteration. It need not synchronise: the harness waits for the device before stopping the
    /// clock. Calling `phases.end("forward")` waits for the device and closes that phase.
    let run: (PhaseTimer) throws -> Void
}

/// Splits one timed iteration into named phases (forward / backward / optimizer), each closed by a
/// device synchronisation so its time is really spent in that phase.
///
/// Phases cost a synchronisation each; cases only use them where that is cheap relative to the step
/// (or free, as on the CPU whose work is synchronous).
final class PhaseTimer {
    private let device: any Device
    private var last: ContinuousClock.Instant
    private(set) var durations: [(name: String, seconds: Double)] = []

    init(device: any Device) {
        self.device = device
        last = ContinuousClock.now
    }

    /// Restarts the timer for a new iteration.
    func reset() {
        durations.removeAll(keepingCapacity: true)
        last = ContinuousClock.now
    }

    /// Waits for the device and records the time since the previous phase ended as `name`.
    func end(_ name: String) throws {
        try Tensor.synchronize(device)
        let now = ContinuousClock.now
        durations.append((name, (now - last).seconds))
        last = now
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
