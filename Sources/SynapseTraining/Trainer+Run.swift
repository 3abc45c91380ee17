import Foundation
import Synapse

extension Trainer {
    /// Trains until `configuration.epochs` epochs are done or `shouldStop` answers true (checked
    /// after every step), evaluating after each epoch, reporting through `onRecord`, and saving
    /// to `checkpointPath` after each epoch and when stopped.
    ///
    /// A diverging run stops within `maxStepsInFlight` steps with `TrainingError.diverged` and
    /// saves nothing, so the file at `checkpointPath` keeps the last good state.
    ///
    /// - Throws: a device failure, `TrainingError.diverged`, or a checkpoint write error.
    public func run(shouldStop: () -> Bool = { false }) throws -> RunSummary {
        try keepingCheckpoint(at: checkpointPath) { try runEpochs(shouldStop: shouldStop) }
    }

    private func runEpochs(shouldStop: () -> Bool) throws -> RunSummary {
        let runStart = ContinuousClock.now
        device.resetPeakMemory()
        onRecord(.start(RunStart(
            model: configuration.model, parameters: model.parameterCount, device: device.info.spec,
            deviceName: device.info.name, dataset: data.name, trainExamples: data.train.examplesPerEpoch,
            testExamples: data.test?.examplesPerEpoch ?? 0, stepsPerEpoch: stepsPerEpoch,
            epochs: configuration.epochs, batchSize: configuration.resolvedBatchSize,
            optimizer: configuration.optimizer.rawValue, learningRate: configuration.resolvedLearningRate,
            seed: configuration.seed, startEpoch: position.epoch, startBatch: position.batch)))

        var interrupted = false
        var best: Double?, final: (loss: Float, accuracy: Double)?
        var epochsCompleted = position.epoch
        try inScope {
            while position.epoch < configuration.epochs {
                interrupted = try trainEpoch(shouldStop: shouldStop)
                if interrupted { break }
                let summary = try finishEpoch()
                if let accuracy = summary.testAccuracy, let loss = summary.testLoss {
                    best = Swift.max(best ?? 0, accuracy)
                    final = (loss, accuracy)
                }
                onRecord(.epoch(summary))
                finishEpochPosition()
                epochsCompleted = position.epoch
                if let checkpointPath { try save(to: checkpointPath) }
            }
        }
        if interrupted, let checkpointPath { try save(to: checkpointPath) }
        try Tensor.synchronize(device)
        let summary = RunSummary(
            model: configuration.model, device: device.info.spec, epochsCompleted: epochsCompleted,
            bestAccuracy: best, finalAccuracy: final?.accuracy, finalTestLoss: final?.loss,
            totalSeconds: Self.seconds(since: runStart), peakDeviceMemoryBytes: device.memory.peak,
            interrupted: interrupted)
        onRecord(.summary(summary))
        return summary
    }

    /// Trains the rest of the current epoch; returns true when `shouldStop` cut it short.
    private func trainEpoch(shouldStop: () -> Bool) throws -> Bool {
        scheduler.set(epoch: position.epoch)
        model.train()
        let steps = stepsPerEpoch, firstBatch = position.batch
        let start = ContinuousClock.now
        var lastReport = start
        for batch in data.train.batches(epoch: position.epoch, startingAt: position.batch) {
            guard position.batch < steps else { break }
            _ = try step(batch)
            // An asynchronous device would otherwise let the host enqueue a whole epoch ahead: keep it
            // within a few steps so progress, Ctrl-C and upload staging memory stay bounded. The device
            // is then idle, so reading the loss sum costs no wait and catches divergence within a few steps.
            if position.batch % Trainer.maxStepsInFlight == 0 {
                try Tensor.synchronize(device)
                _ = try meanLoss()
            }
            if shouldStop() { return true }
            if let interval = progressInterval, Self.seconds(since: lastReport) >= interval, position.batch < steps {
                let loss = try meanLoss()  // waits for the device, so the rate below is real
                lastReport = ContinuousClock.now
                let done = position.batch - firstBatch
                let perSecond = Double(done) / Swift.max(Self.seconds(since: start), 1e-9)
                onRecord(.progress(StepProgress(
                    epoch: position.epoch + 1, epochs: configuration.epochs, step: position.batch, steps: steps,
                    loss: loss, imagesPerSecond: perSecond * Double(configuration.resolvedBatchSize),
                    etaSeconds: Double(steps - position.batch) / Swift.max(perSecond, 1e-9))))
            }
        }
        epochStart = (start, firstBatch)
        return false
    }

    /// Reads the epoch's training loss, evaluates on the test set, and builds the epoch's record.
    private func finishEpoch() throws -> EpochSummary {
        let trainLoss = try meanLoss()
        try Tensor.synchronize(device)
        let (start, firstBatch) = epochStart ?? (ContinuousClock.now, position.batch)
        let seconds = Self.seconds(since: start)
        let images = Double((position.batch - firstBatch) * configuration.resolvedBatchSize)
        var testLoss: Float?, testAccuracy: Double?
        if let test = data.test {
            let result = try Evaluation.run(model, on: test)
            (testLoss, testAccuracy) = (result.loss, result.accuracy)
        }
        return EpochSummary(epoch: position.epoch + 1, epochs: configuration.epochs, trainLoss: trainLoss,
                            testLoss: testLoss, testAccuracy: testAccuracy, seconds: seconds,
                            imagesPerSecond: images / Swift.max(seconds, 1e-9), learningRate: optimizer.learningRate)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
