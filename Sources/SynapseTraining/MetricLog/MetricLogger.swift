import Foundation
import SynapseIO

/// Writes a run's metrics to a directory as it trains (`synapse train --log-dir DIR`):
///
/// - `metrics.csv`: one row per progress reading and per epoch (appended to on a resumed run);
/// - `events.out.tfevents.<time>.<host>.synapse`: the same scalars for TensorBoard, under the tags
///   `step/…` (x axis: the global step) and `epoch/…` (x axis: the epoch);
/// - `config.json`: the run's start record (model, data, optimizer, seed…);
/// - `summary.json` and `report.html` (see `TrainingReport`) when the run ends.
///
/// Feed it every `TrainingRecord` with `record(_:)`.
public final class MetricLogger {
    /// The directory written to.
    public let directory: String
    private let csv: AppendOnlyFile
    private let events: AppendOnlyFile
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    /// The event file's name.
    public var eventFile: String { events.path }
    /// The metrics table's path.
    public var csvFile: String { csv.path }

    /// Creates `directory` if needed and opens its logs; an existing `metrics.csv` is appended to.
    ///
    /// - Throws: `DataError.io` naming the directory or file that cannot be made or written, or
    ///   `DataError.malformed` when an existing `metrics.csv` has another header.
    public init(directory: String) throws {
        self.directory = directory
        try AppendOnlyFile.makeDirectory(directory)
        csv = try AppendOnlyFile(directory + "/metrics.csv")
        if csv.size == 0 {
            try csv.append(Array(MetricsCSV.header.utf8))
        } else {
            let existing = try HostFile.readAll(csv.path)
            let firstLine = existing.prefix { $0 != UInt8(ascii: "\n") }
            guard String(decoding: firstLine, as: UTF8.self) + "\n" == MetricsCSV.header else {
                throw DataError.malformed(file: csv.path, reason: "it is not a Synapse metrics table (header differs); "
                                          + "choose another --log-dir")
            }
        }
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        events = try AppendOnlyFile(directory + "/events.out.tfevents.\(Int(now)).\(host).\(getpid()).synapse")
        try events.append(TFRecord.frame(TensorBoardEvent.fileVersion(wallTime: now)))
    }

    /// Logs what `record` measured.
    public func record(_ record: TrainingRecord) throws {
        switch record {
        case let .start(start):
            try HostFile.writeAtomically(Array(try encoder.encode(start)) + [10], to: directory + "/config.json")
        case let .progress(p):
            let row = MetricRow(kind: .step, epoch: p.epoch, step: p.step, globalStep: p.globalStep,
                                trainLoss: Self.decimal(p.loss), trainAccuracy: p.accuracy, learningRate: Self.decimal(p.learningRate),
                                imagesPerSecond: p.imagesPerSecond, seconds: p.elapsedSeconds)
            try write(row, step: p.globalStep, tags: [
                ("step/train_loss", row.trainLoss), ("step/train_accuracy", row.trainAccuracy),
                ("step/learning_rate", row.learningRate), ("step/images_per_second", row.imagesPerSecond),
            ])
        case let .epoch(e):
            let row = MetricRow(kind: .epoch, epoch: e.epoch, step: e.globalStep, globalStep: e.globalStep,
                                trainLoss: Self.decimal(e.trainLoss), trainAccuracy: e.trainAccuracy,
                                testLoss: e.testLoss.map(Self.decimal), testAccuracy: e.testAccuracy,
                                learningRate: Self.decimal(e.learningRate), imagesPerSecond: e.imagesPerSecond, seconds: e.seconds)
            try write(row, step: e.epoch, tags: [
                ("epoch/train_loss", row.trainLoss), ("epoch/train_accuracy", row.trainAccuracy),
                ("epoch/test_loss", row.testLoss), ("epoch/test_accuracy", row.testAccuracy),
                ("epoch/learning_rate", row.learningRate), ("epoch/images_per_second", row.imagesPerSecond),
            ])
        case let .summary(summary):
            try HostFile.writeAtomically(Array(try encoder.encode(summary)) + [10], to: directory + "/summary.json")
            _ = try TrainingReport.write(directory: directory)
        case .evaluating, .checkpoint:
            break
        }
    }

    /// The double with the float's shortest decimal form, so `0.1` is logged as `0.1`, not `0.10000000149011612`.
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    private func write(_ row: MetricRow, step: Int, tags: [(String, Double?)]) throws {
        try csv.append(Array(MetricsCSV.line(row).utf8))
        let scalars = tags.compactMap { tag, value in value.map { (tag: tag, value: Float($0)) } }
        let event = TensorBoardEvent.scalars(scalars, step: step, wallTime: Date().timeIntervalSince1970)
        try events.append(TFRecord.frame(event))
    }
}
