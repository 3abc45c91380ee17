import Foundation
import SynapseTraining

/// Shows training records. On a terminal: a live line on stderr redrawn in place (`\r` and
/// clear-to-end-of-line) that always fits the window — bar, percentage, steps, loss, running
/// accuracy, elapsed and remaining time for the epoch and the run, images per second — then an
/// "evaluating" line while the test set runs, and epoch and final summaries on stdout wrapped to
/// the window. Not on a terminal: a plain progress line every few seconds on stderr and one line per
/// epoch on stdout. With `--json`, every record but `evaluating` as one JSON object per line on
/// stdout; with `--quiet`, only the final summary.
final class Reporter: @unchecked Sendable {
    let json: Bool
    let quiet: Bool
    private let terminal = StandardError.isTerminal
    private let stdoutTerminal = isatty(1) == 1
    private let lock = NSLock()
    private var lineOpen = false
    private var lastPlainProgress: ContinuousClock.Instant?
    private var firstStepNotice: DispatchWorkItem?
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    init(json: Bool, quiet: Bool = false) {
        self.json = json
        self.quiet = quiet
    }

    /// Seconds between progress records the trainer should produce.
    var progressInterval: Double { terminal ? 0.25 : Self.plainProgressSeconds }
    /// Seconds between progress lines when stderr is not a terminal.
    static let plainProgressSeconds = 5.0
    /// How long the first step may take before the display says what it is waiting for.
    static let firstStepNoticeSeconds = 1.0

    func emit<Record: Encodable>(_ record: Record) {
        guard let data = try? encoder.encode(record) else { return }
        StandardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    func handle(_ record: TrainingRecord) {
        lock.lock()
        defer { lock.unlock() }
        if case .progress = record { cancelFirstStepNotice() }
        if quiet {
            if case .summary = record { json ? emit(record) : StandardOutput.write(Self.text(record, wide: true)) }
            return
        }
        switch record {
        case let .progress(progress):
            showProgress(progress)
            if json { emit(record) }
        case let .evaluating(evaluation):
            showEvaluation(evaluation)
        case let .start(start):
            closeLineLocked()
            json ? emit(record) : writeText(record)
            armFirstStepNotice(device: start.device)
        case .epoch, .checkpoint, .summary:
            cancelFirstStepNotice()
            closeLineLocked()
            if json { emit(record) } else if case .checkpoint = record {
                StandardError.write(fitting(Self.text(record, wide: !terminal), descriptor: 2, terminal: terminal))
            } else {
                writeText(record)
            }
        }
    }

    /// Ends a live progress line so the next output starts on a clean line.
    func closeLine() {
        lock.lock()
        defer { lock.unlock() }
        cancelFirstStepNotice()
        closeLineLocked()
    }

    // MARK: Text records

    private func writeText(_ record: TrainingRecord) {
        StandardOutput.write(fitting(Self.text(record, wide: !stdoutTerminal), descriptor: 1, terminal: stdoutTerminal))
    }

    /// `text` wrapped to the terminal on `descriptor` when it is one.
    private func fitting(_ text: String, descriptor: Int32, terminal: Bool) -> String {
        guard terminal else { return text }
        let width = TerminalWidth.columns(of: descriptor) - 1
        return text.split(separator: "\n").map { Format.wrap(String($0), width: width) }.joined(separator: "\n") + "\n"
    }

    /// The text of a record; `wide` is the stable plain format (not a terminal), else the terminal's,
    /// which adds the epoch's training accuracy.
    static func text(_ record: TrainingRecord, wide: Bool) -> String {
        switch record {
        case let .start(s):
            var text = "training \(s.model) (\(s.parameters) parameters) on \(s.device) (\(s.deviceName))\n"
            text += "  data: \(s.dataset), \(s.trainExamples) train / \(s.testExamples) test images; "
            text += "\(s.stepsPerEpoch) steps/epoch of \(s.batchSize); \(s.optimizer) lr \(s.learningRate); seed \(s.seed)\n"
            if s.startEpoch > 0 || s.startBatch > 0 {
                text += "  resuming at epoch \(s.startEpoch + 1), step \(s.startBatch)\n"
            }
            return text
        case let .epoch(e):
            var text = "epoch \(e.epoch)/\(e.epochs)  train loss \(Format.fixed(Double(e.trainLoss), 4))"
            if !wide, let accuracy = e.trainAccuracy { text += "  train acc \(Format.fixed(accuracy * 100, 2))%" }
            if let loss = e.testLoss, let accuracy = e.testAccuracy {
                text += "  test loss \(Format.fixed(Double(loss), 4))  test acc \(Format.fixed(accuracy * 100, 2))%"
            }
            return text + "  \(Format.fixed(e.seconds, 1)) s  \(Format.rate(e.imagesPerSecond)) img/s  lr \(e.learningRate)\n"
        case let .checkpoint(c):
            let position = c.step == 0 ? "after epoch \(c.epochsCompleted)" : "epoch \(c.epochsCompleted + 1), step \(c.step)"
            return "saved checkpoint \(c.path) (\(position))\n"
        case let .summary(s):
            var text = s.interrupted ? "stopped early" : "done"
            if let best = s.bestAccuracy, let final = s.finalAccuracy {
                text += ": best test acc \(Format.fixed(best * 100, 2))%, final \(Format.fixed(final * 100, 2))%"
            }
            text += "; \(s.epochsCompleted) epoch(s) in \(Format.duration(s.totalSeconds)) on \(s.device)"
            return text + "; peak device memory \(Format.bytes(s.peakDeviceMemoryBytes))\n"
        case .progress, .evaluating:
            return ""
        }
    }

    // MARK: Live lines

    private func showProgress(_ p: StepProgress) {
        if json && !terminal { return }
        guard terminal else {
            if let last = lastPlainProgress, ContinuousClock.now - last < .seconds(Self.plainProgressSeconds) { return }
            lastPlainProgress = .now
            StandardError.write("epoch \(p.epoch)/\(p.epochs)  step \(p.step)/\(p.steps)  loss \(Format.fixed(Double(p.loss), 4))"
                + "  \(Format.rate(p.imagesPerSecond)) img/s  ETA \(Format.duration(p.etaSeconds))\n")
            return
        }
        let fraction = Double(p.step) / Double(Swift.max(p.steps, 1))
        var line = ProgressLine()
        line.add("epoch \(p.epoch)/\(p.epochs)", priority: 10)
        line.addBar(fraction, priority: 4)
        line.add(Self.percent(fraction), priority: 9)
        line.add("\(p.step)/\(p.steps)", priority: 3)
        line.add("loss \(Format.fixed(Double(p.loss), 4))", priority: 8)
        if let accuracy = p.accuracy { line.add("acc \(Format.fixed(accuracy * 100, 2))%", priority: 7) }
        line.add("\(Format.duration(p.elapsedSeconds))<\(Format.duration(p.etaSeconds))", priority: 6)
        line.add("\(Format.rate(p.imagesPerSecond)) img/s", priority: 2)
        let runLeft = p.runEtaSeconds.map(Format.duration) ?? "?"
        line.add("run \(Format.duration(p.runElapsedSeconds))<\(runLeft)", priority: 5)
        draw(line)
    }

    private func showEvaluation(_ e: EvaluationProgress) {
        guard terminal, !json else { return }
        let fraction = Double(e.batch) / Double(Swift.max(e.batches, 1))
        var line = ProgressLine()
        line.add("epoch \(e.epoch)/\(e.epochs) evaluating", priority: 10)
        line.addBar(fraction, priority: 5)
        line.add(Self.percent(fraction), priority: 9)
        line.add("\(e.batch)/\(e.batches) batches", priority: 4)
        line.add(Format.duration(e.elapsedSeconds), priority: 3)
        draw(line)
    }

    private func draw(_ line: ProgressLine) {
        StandardError.write("\r\u{1B}[K" + line.render(width: TerminalWidth.columns(of: 2) - 1))
        lineOpen = true
    }

    private static func percent(_ fraction: Double) -> String {
        let value = Int((fraction * 100).rounded(.down))
        return String(repeating: " ", count: value < 10 ? 2 : value < 100 ? 1 : 0) + "\(value)%"
    }

    private func closeLineLocked() {
        if lineOpen { StandardError.write("\r\u{1B}[K"); lineOpen = false }
    }

    // MARK: First-step notice

    /// Says what the first step waits for when it is slow to come back (kernel builds on OpenCL).
    private func armFirstStepNotice(device: String) {
        guard terminal, !quiet else { return }
        let text = device.hasPrefix("opencl") ? "building OpenCL programs (first run on this device)…" : "first step…"
        let notice = DispatchWorkItem { [weak self] in
            guard let self else { return }
            self.lock.lock()
            defer { self.lock.unlock() }
            guard self.firstStepNotice != nil, !self.lineOpen else { return }
            var line = ProgressLine()
            line.add(text, priority: 1)
            self.draw(line)
        }
        firstStepNotice = notice
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.firstStepNoticeSeconds, execute: notice)
    }

    private func cancelFirstStepNotice() {
        firstStepNotice?.cancel()
        firstStepNotice = nil
    }
}
