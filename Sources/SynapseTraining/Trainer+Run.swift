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
        var clock = RunClock()
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
                interrupted = try trainEpoch(shouldStop: shouldStop, clock: &clock)
                if interrupted { break }
                let summary = try finishEpoch(clock: &clock)
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
            totalSeconds: Self.seconds(since: clock.runStart), peakDeviceMemoryBytes: device.memory.peak,
            interrupted: interrupted)
        onRecord(.summary(summary))
        return summary
    }

    /// Trains the rest of the current epoch; returns true when `shouldStop` cut it short.
    private func trainEpoch(shouldStop: () -> Bool, clock: inout RunClock) throws -> Bool {
        applySchedule()
        model.train()
        let steps = stepsPerEpoch, firstBatch = position.batch
        let start = ContinuousClock.now
        var lastReport = start
        for batch in data.train.batches(epoch: position.epoch, startingAt: position.batch) {
            guard position.batch < steps else { break }
            _ = try step(batch)
            if clock.rateStart == nil {
                // The first step builds kernels (and tunes, and fills pools): time the rate from its end.
                try Tensor.synchronize(device)
                clock.rateStart = (ContinuousClock.now, position.globalStep)
            }
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
                if let record = try progressRecord(loss: loss, epochStart: start, clock: clock) {
                    onRecord(.progress(record))
                }
            }
        }
        epochStart = (start, firstBatch)
        return false
    }

    /// A progress reading, or nil while no step after the first has finished (no rate yet).
    private func progressRecord(loss: Float, epochStart: ContinuousClock.Instant, clock: RunClock) throws -> StepProgress? {
        guard let (rateStart, rateStep) = clock.rateStart, position.globalStep > rateStep else { return nil }
        let steps = stepsPerEpoch
        let stepsPerSecond = Double(position.globalStep - rateStep) / Swift.max(Self.seconds(since: rateStart), 1e-9)
        let epochLeft = Double(steps - position.batch) / stepsPerSecond
        let laterEpochs = configuration.epochs - position.epoch - 1
        var runLeft = epochLeft + Double(laterEpochs * steps) / stepsPerSecond
        if let test = data.test {
            // Until one is timed, an evaluation batch is taken to cost a third of a step (forward only).
            let evaluation = clock.lastEvaluationSeconds ?? Double(test.batchesPerEpoch) / stepsPerSecond / 3
            runLeft += Double(laterEpochs + 1) * evaluation
        }
        return StepProgress(
            epoch: position.epoch + 1, epochs: configuration.epochs, step: position.batch, steps: steps,
            loss: loss, imagesPerSecond: stepsPerSecond * Double(configuration.resolvedBatchSize),
            etaSeconds: epochLeft, accuracy: try runningAccuracy.fraction(epoch: position.epoch),
            globalStep: position.globalStep, learningRate: optimizer.learningRate,
            elapsedSeconds: Self.seconds(since: epochStart), runElapsedSeconds: Self.seconds(since: clock.runStart),
            runEtaSeconds: runLeft)
    }

    /// Reads the epoch's training loss, evaluates on the test set, and builds the epoch's record.
    private func finishEpoch(clock: inout RunClock) throws -> EpochSummary {
        let trainLoss = try meanLoss()
        let trainAccuracy = try runningAccuracy.fraction(epoch: position.epoch)
        try Tensor.synchronize(device)
        let (start, firstBatch) = epochStart ?? (ContinuousClock.now, position.batch)
        let seconds = Self.seconds(since: start)
        let images = Double((position.batch - firstBatch) * configuration.resolvedBatchSize)
        var testLoss: Float?, testAccuracy: Double?, evaluationSeconds: Double?
        if let test = data.test {
            let evaluationStart = ContinuousClock.now
            let (epoch, epochs, report) = (position.epoch + 1, configuration.epochs, onRecord)
            let result = try Evaluation.run(model, on: test, progressInterval: progressInterval ?? .infinity) { done, total in
                report(.evaluating(EvaluationProgress(epoch: epoch, epochs: epochs, batch: done, batches: total,
                                                        elapsedSeconds: Self.seconds(since: evaluationStart))))
            }
            (testLoss, testAccuracy) = (result.loss, result.accuracy)
            evaluationSeconds = Self.seconds(since: evaluationStart)
            clock.lastEvaluationSeconds = evaluationSeconds
        }
        return EpochSummary(epoch: position.epoch + 1, epochs: configuration.epochs, trainLoss: trainLoss,
                            trainAccuracy: trainAccuracy, testLoss: testLoss, testAccuracy: testAccuracy,
                            seconds: seconds, imagesPerSecond: images / Swift.max(seconds, 1e-9),
                            learningRate: optimizer.learningRate, globalStep: position.globalStep,
                            evaluationSeconds: evaluationSeconds)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// The clocks of one `run`: when it began, when the step rate started being timed (after the
/// first step, which builds kernels) and at which global step, and how long an evaluation takes.
struct RunClock {
    let runStart = ContinuousClock.now
    var rateStart: (ContinuousClock.Instant, Int)?
    var lastEvaluationSeconds: Double?
}
