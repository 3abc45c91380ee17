import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// `--log-dir`'s files: the CRC of the TFRecord framing, the event file as TensorBoard's own reader
/// reads it, `metrics.csv`, and the errors for a directory or table that cannot be used.
@Suite(.serialized) struct MetricLogTests {
    /// A two-epoch run on random images with a test set, logged to `directory`; returns its epoch records.
    static func loggedRun(into directory: String) throws -> [EpochSummary] {
        let trainer = try TrainerGuardTests.trainer(train: try TrainerGuardTests.images(64),
                                                    test: try TrainerGuardTests.images(32))
        let logger = try MetricLogger(directory: directory)
        var epochs: [EpochSummary] = []
        var failure: (any Error)?
        trainer.progressInterval = 0
        trainer.onRecord = { record in
            if case let .epoch(epoch) = record { epochs.append(epoch) }
            do { try logger.record(record) } catch { failure = failure ?? error }
        }
        _ = try trainer.run()
        if let failure { throw failure }
        return epochs
    }

    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        // The check value of CRC-32C (RFC 3720, B.4), and TFRecord's masking of it.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let crc: UInt32 = 0xE306_9283
        #expect(CRC32C.masked(Array("123456789".utf8)) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    /// The event file read by `tensorboard.backend.event_processing.event_accumulator`, TensorBoard's
    /// own reader (which checks every record's CRC). A missing tensorboard package fails the test:
    /// `scripts/setup.sh` installs it.
    @Test func tensorBoardReadsTheEventFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let epochs = try Self.loggedRun(into: directory)
        let script = """
        import json, sys
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
        accumulator.Reload()
        print(json.dumps({tag: [[e.step, e.value] for e in accumulator.Scalars(tag)]
                          for tag in accumulator.Tags()["scalars"]}))
        """
        let (status, output) = try TestEnvironment.run(["python3", "-c", script, directory])
        try #require(status == 0, "TensorBoard's reader failed (scripts/setup.sh installs tensorboard):\n\(output)")
        let json = try #require(output.split(separator: "\n").last.map(String.init))
        let scalars = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [[Double]]])
        for tag in ["epoch/train_loss", "epoch/train_accuracy", "epoch/test_loss", "epoch/test_accuracy",
                    "epoch/learning_rate", "epoch/images_per_second", "step/train_loss", "step/train_accuracy",
                    "step/learning_rate", "step/images_per_second"] {
            #expect(scalars[tag]?.isEmpty == false, "no scalars for \(tag); tags: \(scalars.keys.sorted())")
        }
        let testAccuracy = scalars["epoch/test_accuracy"] ?? []
        #expect(testAccuracy.map { Int($0[0]) } == [1, 2])
        for (logged, epoch) in zip(testAccuracy, epochs) {
            #expect(abs(logged[1] - (epoch.testAccuracy ?? -1)) < 1e-6)
        }
        let trainLoss = scalars["epoch/train_loss"] ?? []
        for (logged, epoch) in zip(trainLoss, epochs) { #expect(Float(logged[1]) == epoch.trainLoss) }
        // Step scalars are on the global step axis, increasing.
        let steps = (scalars["step/train_loss"] ?? []).map { Int($0[0]) }
        #expect(steps == steps.sorted() && (steps.last ?? 0) <= 16)
    }

    @Test func metricsCSVHoldsEveryEpochAndStepReading() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let epochs = try Self.loggedRun(into: directory)
        let text = try String(contentsOfFile: directory + "/metrics.csv", encoding: .utf8)
        let rows = try MetricsCSV.parse(text, file: "metrics.csv")
        let epochRows = rows.filter { $0.kind == .epoch }
        #expect(epochRows.map(\.epoch) == [1, 2])
        for (row, epoch) in zip(epochRows, epochs) {
            #expect(row.trainLoss.map(Float.init) == epoch.trainLoss)
            #expect(row.trainAccuracy == epoch.trainAccuracy && row.testAccuracy == epoch.testAccuracy)
            #expect(row.learningRate.map(Float.init) == epoch.learningRate)
            #expect(row.globalStep == epoch.globalStep)
        }
        #expect(rows.contains { $0.kind == .step && $0.trainAccuracy != nil && $0.testLoss == nil })
        let listing = try TestEnvironment.listing(directory)
        #expect(listing.contains("config.json") && listing.contains("summary.json") && listing.contains("report.html"))
        #expect(listing.filter { $0.hasPrefix("events.out.tfevents.") }.count == 1)

        // A second run into the same directory (a resumed run) appends below the one header.
        _ = try Self.loggedRun(into: directory)
        let again = try String(contentsOfFile: directory + "/metrics.csv", encoding: .utf8)
        #expect(again.components(separatedBy: "kind,epoch").count == 2)
        #expect(try MetricsCSV.parse(again, file: "metrics.csv").filter { $0.kind == .epoch }.count == 4)
    }

    @Test func aDirectoryThatCannotHoldTheLogIsNamed() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let file = directory + "/plain-file"
        try TestEnvironment.write([1, 2, 3], to: file)
        expectFailure(mentions: [file, "not a directory"]) { _ = try MetricLogger(directory: file) }
        expectFailure(mentions: [file]) { _ = try MetricLogger(directory: file + "/below") }

        let foreign = directory + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try TestEnvironment.write(Array("a,b,c\n1,2,3\n".utf8), to: foreign + "/metrics.csv")
        expectFailure(mentions: [foreign + "/metrics.csv", "header"]) { _ = try MetricLogger(directory: foreign) }
        #expect(try String(contentsOfFile: foreign + "/metrics.csv", encoding: .utf8) == "a,b,c\n1,2,3\n", "the file was changed")
    }

    @Test func aDamagedTableIsNamedWithItsLine() {
        let header = MetricsCSV.columns.joined(separator: ",")
        expectFailure(mentions: ["m.csv", "line 3", "train_loss"]) {
            _ = try MetricsCSV.parse(header + "\nstep,1,1,1,2.3,,,,0.1,10,1\nstep,1,2,2,abc,,,,0.1,10,1\n", file: "m.csv")
        }
        expectFailure(mentions: ["m.csv", "line 2", "cells"]) { _ = try MetricsCSV.parse(header + "\nstep,1\n", file: "m.csv") }
        expectFailure(mentions: ["m.csv", "line 1"]) { _ = try MetricsCSV.parse("", file: "m.csv") }
    }
}
