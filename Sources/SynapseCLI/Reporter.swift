import Foundation
import SynapseTraining

/// Shows training records: a live progress line on stderr (redrawn with `\r` on a terminal,
/// periodic lines otherwise), epoch and final summaries as text on stdout — or, with `--json`,
/// every record as one JSON object per line on stdout.
final class Reporter {
    let json: Bool
    private let terminal = StandardError.isTerminal
    private var lineOpen = false
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    init(json: Bool) { self.json = json }

    /// Seconds between progress records the trainer should produce.
    var progressInterval: Double { terminal ? 0.25 : 5 }

    func emit<Record: Encodable>(_ record: Record) {
        guard let data = try? encoder.encode(record) else { return }
        StandardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    func handle(_ record: TrainingRecord) {
        if case let .progress(progress) = record {
            showProgress(progress)
            if json { emit(record) }
            return
        }
        closeLine()
        if json { emit(record); return }
        switch record {
        case let .start(s):
            var text = "training \(s.model) (\(s.parameters) parameters) on \(s.device) (\(s.deviceName))\n"
            text += "  data: \(s.dataset), \(s.trainExamples) train / \(s.testExamples) test images; "
            text += "\(s.stepsPerEpoch) steps/epoch of \(s.batchSize); \(s.optimizer) lr \(s.learningRate); seed \(s.seed)\n"
            if s.startEpoch > 0 || s.startBatch > 0 {
                text += "  resuming at epoch \(s.startEpoch + 1), step \(s.startBatch)\n"
            }
            StandardOutput.write(text)
        case let .epoch(e):
            var text = "epoch \(e.epoch)/\(e.epochs)  train loss \(Format.fixed(Double(e.trainLoss), 4))"
            if let loss = e.testLoss, let accuracy = e.testAccuracy {
                text += "  test loss \(Format.fixed(Double(loss), 4))  test acc \(Format.fixed(accuracy * 100, 2))%"
            }
            text += "  \(Format.fixed(e.seconds, 1)) s  \(Format.rate(e.imagesPerSecond)) img/s  lr \(e.learningRate)\n"
            StandardOutput.write(text)
        case let .checkpoint(c):
            let position = c.step == 0 ? "after epoch \(c.epochsCompleted)" : "epoch \(c.epochsCompleted + 1), step \(c.step)"
            StandardError.write("saved checkpoint \(c.path) (\(position))\n")
        case let .summary(s):
            var text = s.interrupted ? "stopped early" : "done"
            if let best = s.bestAccuracy, let final = s.finalAccuracy {
                text += ": best test acc \(Format.fixed(best * 100, 2))%, final \(Format.fixed(final * 100, 2))%"
            }
            text += "; \(s.epochsCompleted) epoch(s) in \(Format.duration(s.totalSeconds)) on \(s.device)"
            text += "; peak device memory \(Format.bytes(s.peakDeviceMemoryBytes))\n"
            StandardOutput.write(text)
        case .progress:
            break
        }
    }

    private func showProgress(_ p: StepProgress) {
        if json && !terminal { return }
        let line = "epoch \(p.epoch)/\(p.epochs)  step \(p.step)/\(p.steps)  loss \(Format.fixed(Double(p.loss), 4))"
            + "  \(Format.rate(p.imagesPerSecond)) img/s  ETA \(Format.duration(p.etaSeconds))"
        if terminal {
            StandardError.write("\r\u{1B}[K" + line)
            lineOpen = true
        } else {
            StandardError.write(line + "\n")
        }
    }

    /// Ends a live progress line so the next output starts on a clean line.
    func closeLine() {
        if lineOpen { StandardError.write("\r\u{1B}[K"); lineOpen = false }
    }
}
