import Foundation
import SynapseBackend

/// One recorded training step (or any piece of tensor code whose shapes do not change), replayed
/// without building a graph, running autodiff or touching the buffer pool.
///
/// `capture(on:_:)` runs the body once, for real, and records every primitive it runs on the device
/// with the buffers each reads and writes. The buffers the step allocates stay with the recording
/// (its own small pool, reused within the step as the device pool would be), so a replay writes
/// nowhere that other code owns. `replay(substituting:)` enqueues the same primitives again:
///
/// - new input data is given by substituting buffers (the next batch's images for the captured
///   ones), so replaying costs no copy;
/// - random primitives (dropout masks) take their counters from where the tensor random stream
///   stands, which then advances exactly as the eager step would have moved it, so a replayed step
///   draws what an eager one would;
/// - host-side effects the step had (a gradient set or marked written, a batch counter) are
///   registered with `onReplay(_:)` during the capture and run again at the end of each replay;
///   those registered with `atThisPoint(on:_:)` (a gradient ready for exchange) run again at the
///   same place among the replayed primitives.
///
/// Replays repeat the captured state changes, so they assume the state the capture started from:
/// gradients zeroed before the capture and before each replay, as a training step does.
///
/// A body that reads a tensor on the host or uploads data cannot be replayed: `capture` then
/// returns the body's result with a nil recording and a reason.
public final class CapturedStep: @unchecked Sendable {
    /// One recorded primitive call.
    struct Command {
        let primitive: Primitive
        let inputs: [BufferView]
        let outputs: [BufferView]
    }

    /// The device the step runs on.
    public let device: any Device
    private var commands: [Command] = []
    private var hostEffects: [() -> Void] = []
    /// Host effects that run in the middle of a replay, each before the command at its position.
    private var markers: [(position: Int, effect: () -> Void)] = []
    /// Why the body cannot be replayed, once found out.
    private var unreplayable: String?
    /// The tensor random stream's counter before and after the captured body.
    private var randomCounters: (start: UInt64, end: UInt64) = (0, 0)
    /// Tensors the body returned, kept alive (and their buffers unshared) for the recording's life.
    public private(set) var outputs: [Tensor] = []

    /// The commands of the step recorded by the device as one submission (`CommandRecordingDevice`),
    /// made at the first replay; nil before, or when the device cannot (`submissionRefusal`).
    private var submission: (any RecordedCommands)?
    /// Why the step is replayed primitive by primitive instead of as one submission.
    public private(set) var submissionRefusal: String?

    /// Buffers the step allocated, now free for its next allocation of the same size.
    private var free: [Int: [DeviceBuffer]] = [:]
    /// Every buffer the step allocated.
    private var owned: [DeviceBuffer] = []

    private init(device: any Device) { self.device = device }

    /// Runs `body` on `device`, recording it. Returns what `body` returned (kept alive by the
    /// recording as `outputs`) and the recording, or nil with the reason it cannot be replayed.
    public static func capture(on device: any Device, _ body: () -> [Tensor])
        -> (outputs: [Tensor], step: CapturedStep?, whyNot: String?) {
        let step = CapturedStep(device: device)
        step.randomCounters.start = TensorRandom.current.state.counter
        let results = CaptureRegistry.$current.withValue(step, operation: body)
        step.randomCounters.end = TensorRandom.current.state.counter
        step.outputs = results
        if step.unreplayable == nil, ExecutionLatch.hasFailure(on: device) { step.unreplayable = "a device failure during the step" }
        if let reason = step.unreplayable {
            step.discard()
            return (results, nil, reason)
        }
        return (results, step, nil)
    }

    /// Primitives the recording enqueues per replay.
    public var commandCount: Int { commands.count }

    /// Whether replays are one submission of device-recorded commands.
    public var replaysAsOneSubmission: Bool { submission != nil }

    /// The device's recording of the step, made once: the recorded primitives as captured (reading
    /// the captured buffers; a replay copies its substitutes into them first). Not for a step that
    /// draws random numbers (their counters are arguments fixed in a recording) or runs host effects
    /// between its primitives; nil then, or when the device cannot record, with the reason.
    private func recordedSubmission() throws -> (any RecordedCommands)? {
        if submission != nil || submissionRefusal != nil { return submission }
        guard let recorder = device as? any CommandRecordingDevice else {
            submissionRefusal = "\(device.info.spec) cannot record commands"
            return nil
        }
        guard randomCounters.start == randomCounters.end else {
            submissionRefusal = "the step draws random numbers (dropout), whose counters change every step"
            return nil
        }
        guard markers.isEmpty else {
            submissionRefusal = "the step runs host work between its commands (the gradient exchange)"
            return nil
        }
        switch try recorder.recordCommands({
            for command in commands { try device.execute(command.primitive, inputs: command.inputs, outputs: command.outputs) }
        }) {
        case let .success(recorded): submission = recorded
        case let .failure(refusal): submissionRefusal = refusal.description
        }
        return submission
    }

    /// Enqueues the recorded primitives again, reading `substitutions`' tensors where the capture read
    /// their keys (same shape, strides, offset and dtype), then runs the registered host effects and
    /// advances the random stream as the eager step did.
    public func replay(substituting substitutions: [(captured: Tensor, replacement: Tensor)] = []) throws {
        var replaced: [ObjectIdentifier: DeviceBuffer] = [:]
        for (captured, replacement) in substitutions {
            guard captured.hasSameLayout(as: replacement), replacement.device === device,
                  let from = captured.storage.buffer, let to = replacement.storage.buffer else {
                throw DeviceError.unsupported("replay: \(replacement) cannot stand in for the captured \(captured)")
            }
            replaced[ObjectIdentifier(from)] = to
        }
        func swap(_ view: BufferView) -> BufferView {
            guard let buffer = replaced[ObjectIdentifier(view.buffer)] else { return view }
            return BufferView(buffer: buffer, shape: view.shape, strides: view.strides, offset: view.offset, dtype: view.dtype)
        }
        let stream = TensorRandom.current
        let start = stream.state.counter
        let shift = start &- randomCounters.start
        try ExecutionLatch.checkFailure(on: device)
        if let submission = try recordedSubmission() {
            // The recording reads the captured buffers: the substitutes' data goes there first.
            for (captured, replacement) in substitutions where captured.storage.buffer !== replacement.storage.buffer {
                guard let from = replacement.bufferView, let to = captured.bufferView else { continue }
                try device.execute(.copy, inputs: [from], outputs: [to])
            }
            try submission.submit()
            for effect in hostEffects { effect() }
            return
        }
        try withExtendedLifetime(substitutions) {
            var marker = markers.startIndex
            for (position, command) in commands.enumerated() {
                while marker < markers.endIndex && markers[marker].position == position {
                    markers[marker].effect()
                    marker += 1
                }
                var primitive = command.primitive
                if case let .random(distribution, seed, offset) = primitive {
                    primitive = .random(distribution, seed: seed, offset: offset &+ shift)
                }
                try device.execute(primitive, inputs: command.inputs.map(swap), outputs: command.outputs.map(swap))
            }
            for rest in markers[marker...] { rest.effect() }
        }
        stream.restore(seed: stream.state.seed, counter: start &+ (randomCounters.end &- randomCounters.start))
        for effect in hostEffects { effect() }
    }

    /// Registers `effect` to run on every replay of the step being captured on `device` now (a host
    /// counter a module keeps, a flag autodiff sets). Does nothing outside a capture.
    public static func onReplay(on device: any Device, _ effect: @escaping () -> Void) {
        CaptureRegistry.capturing(device)?.hostEffects.append(effect)
    }

    /// Registers `effect` to run on every replay of the step being captured on `device` now, at this
    /// point: after the primitives recorded so far are enqueued, before the next. Does nothing
    /// outside a capture.
    public static func atThisPoint(on device: any Device, _ effect: @escaping () -> Void) {
        guard let step = CaptureRegistry.capturing(device) else { return }
        step.markers.append((step.commands.count, effect))
    }

    /// Marks the step being captured on `device` as not replayable, with the reason (host reads and
    /// uploads inside the step).
    static func refuse(on device: any Device, _ reason: String) {
        guard let step = CaptureRegistry.capturing(device), step.unreplayable == nil else { return }
        step.unreplayable = reason
    }

    /// Records one primitive of the body.
    func record(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) {
        commands.append(Command(primitive: primitive, inputs: inputs, outputs: outputs))
    }

    /// A buffer for a tensor the body creates: one the step freed, else a new one it will own.
    func allocate(byteCount: Int) throws -> DeviceBuffer {
        let size = BufferPool.bucket(for: byteCount)
        if var list = free[size], let buffer = list.popLast() {
            free[size] = list
            return buffer
        }
        let buffer = try device.allocate(byteCount: byteCount)
        owned.append(buffer)
        CaptureRegistry.own(buffer, by: self)
        return buffer
    }

    /// Takes back a buffer the step owns when its tensor goes away.
    func takeBack(_ buffer: DeviceBuffer) {
        free[BufferPool.bucket(for: buffer.byteCount), default: []].append(buffer)
    }

    /// Gives every buffer back to the device: those free now, and the rest as their tensors go.
    private func discard() {
        CaptureRegistry.disown(owned)
        for list in free.values { for buffer in list { device.release(buffer) } }
        free = [:]
        owned = []
        commands = []
        hostEffects = []
        markers = []
    }

    deinit { discard() }
}

/// The step the calling task is capturing, and which recording owns each buffer one allocated.
/// Captures are per task: other threads using the same device meanwhile are neither recorded nor
/// served from the recording's buffers.
enum CaptureRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var owners: [ObjectIdentifier: Weak] = [:]

    private struct Weak { weak var step: CapturedStep? }

    /// The capture running in this task, if any.
    @TaskLocal static var current: CapturedStep?

    /// The capture running in this task when it is on `device`.
    static func capturing(_ device: any Device) -> CapturedStep? {
        guard let step = current, step.device === device else { return nil }
        return step
    }

    static func own(_ buffer: DeviceBuffer, by step: CapturedStep) {
        lock.lock(); owners[ObjectIdentifier(buffer)] = Weak(step: step); lock.unlock()
    }

    static func disown(_ buffers: [DeviceBuffer]) {
        lock.lock(); for buffer in buffers { owners[ObjectIdentifier(buffer)] = nil }; lock.unlock()
    }

    /// A buffer for a new tensor on `device`: from the step being captured there, else the device.
    static func allocate(on device: any Device, byteCount: Int) throws -> DeviceBuffer {
        if let step = capturing(device) { return try step.allocate(byteCount: byteCount) }
        return try device.allocate(byteCount: byteCount)
    }

    /// Returns a tensor's buffer: to the recording that owns it, else to the device's pool.
    static func release(_ buffer: DeviceBuffer, on device: any Device) {
        lock.lock()
        let owner = owners.isEmpty ? nil : owners[ObjectIdentifier(buffer)]?.step
        lock.unlock()
        if let owner { owner.takeBack(buffer) } else { device.release(buffer) }
    }
}
