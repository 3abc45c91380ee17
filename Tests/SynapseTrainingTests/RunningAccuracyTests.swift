import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// The training accuracy counted on the device agrees with the host's arg-max count, ties included,
/// and the trainer reports it with every epoch; evaluation reports its progress.
@Suite struct RunningAccuracyTests {
    @Test(arguments: TestDevices.specs)
    func theDeviceCountMatchesTheHostsArgmax(spec: String) throws {
        let device = TestDevices.device(spec)
        let classes = 5
        // Rows with ties (the first maximum is the prediction, as Evaluation counts), equal rows, and random rows.
        var rows: [[Float]] = [[1, 3, 3, 0, 2], [0, 0, 0, 0, 0], [2, 2, 1, 0, 0], [-1, -5, -1, -2, -9]]
        var random = SeededRandom(11)
        for _ in 0..<60 { rows.append((0..<classes).map { _ in random.float(-3...3) }) }
        let labels: [Int32] = rows.indices.map { Int32(($0 * 7 + 2) % classes) }
        let expected = zip(rows, labels).filter { row, label in row.firstIndex(of: row.max()!) == Int(label) }.count
        let counter = RunningAccuracy()
        // Two steps of 32 rows each, then a step of another epoch starts a new count.
        for half in [0..<32, 32..<64] {
            counter.add(logits: Tensor(Array(rows[half].joined()), shape: [32, classes], on: device),
                        labels: Tensor(int32: Array(labels[half]), on: device), epoch: 0)
        }
        let firstTwo = zip(rows.prefix(64), labels).filter { $0.firstIndex(of: $0.max()!) == Int($1) }.count
        #expect(counter.examples == 64)
        #expect(try counter.fraction(epoch: 0) == Double(firstTwo) / 64)
        #expect(try counter.fraction(epoch: 1) == nil)
        counter.add(logits: Tensor(Array(rows.joined()), shape: [rows.count, classes], on: device),
                    labels: Tensor(int32: labels, on: device), epoch: 1)
        #expect(try counter.fraction(epoch: 1) == Double(expected) / Double(rows.count))
        #expect(counter.examples == rows.count)
    }

    @Test func epochsReportTrainingAccuracyAndEvaluationReportsProgress() throws {
        let trainer = try TrainerGuardTests.trainer(train: try TrainerGuardTests.images(64),
                                                    test: try TrainerGuardTests.images(48))
        var records: [TrainingRecord] = []
        trainer.progressInterval = 0
        trainer.onRecord = { records.append($0) }
        _ = try trainer.run()
        let epochs = records.compactMap { if case let .epoch(e) = $0 { e } else { nil } }
        #expect(epochs.count == 2)
        for epoch in epochs {
            let accuracy = try #require(epoch.trainAccuracy)
            #expect(accuracy >= 0 && accuracy <= 1)
            // 8 steps of 8 images: the count is a whole number of examples.
            #expect((accuracy * 64).rounded() == accuracy * 64)
            #expect(epoch.evaluationSeconds != nil && epoch.globalStep == epoch.epoch * 8)
        }
        let evaluations = records.compactMap { if case let .evaluating(e) = $0 { e } else { nil } }
        for epoch in 1...2 {
            let readings = evaluations.filter { $0.epoch == epoch }
            #expect(readings.first?.batch == 0 && readings.last?.batch == readings.last?.batches && readings.last?.batches == 3)
        }
        let progress = records.compactMap { if case let .progress(p) = $0 { p } else { nil } }
        #expect(!progress.isEmpty)
        for p in progress {
            #expect(p.accuracy != nil && p.globalStep == (p.epoch - 1) * 8 + p.step && p.learningRate > 0)
            #expect(p.runElapsedSeconds >= p.elapsedSeconds)
        }
    }
}
