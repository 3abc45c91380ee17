import ArgumentParser
import Foundation
import SynapseTraining

/// `--log-dir` and `--quiet` of `synapse train`.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-dir"), help: ArgumentHelp(
        "Write metrics.csv, TensorBoard event files and report.html (at the end) to this directory.",
        valueName: "dir"))
    var logDirectory: String?

    @Flag(name: .long, help: "Print only the final summary.")
    var quiet = false

    /// The metric log these options ask for, fed by (and feeding) `reporter`; nil without `--log-dir`.
    /// Throws `DataError.io` naming the directory or file that cannot be written.
    func makeLog(reporter: Reporter) throws -> LoggedReporter? {
        guard let logDirectory else { return nil }
        return LoggedReporter(reporter: reporter, logger: try MetricLogger(directory: logDirectory))
    }
}

/// Sends each record to the reporter and to the metric log; keeps the log's first failure, which
/// stops the run (the command then reports it).
final class LoggedReporter {
    let reporter: Reporter
    let logger: MetricLogger
    private(set) var failure: (any Error)?

    init(reporter: Reporter, logger: MetricLogger) {
        self.reporter = reporter
        self.logger = logger
    }

    /// Progress readings at least every second, so short runs still log a curve per step.
    var progressInterval: Double { Swift.min(reporter.progressInterval, 1) }

    func handle(_ record: TrainingRecord) {
        reporter.handle(record)
        guard failure == nil else { return }
        do { try logger.record(record) } catch { failure = error; return }
        if case .summary = record, !reporter.quiet, !reporter.json {
            let directory = logger.directory
            StandardError.write("wrote \(directory)/report.html and metrics.csv; TensorBoard: tensorboard --logdir \(directory)\n")
        }
    }
}
