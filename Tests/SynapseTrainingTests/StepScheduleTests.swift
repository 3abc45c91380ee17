import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// `--schedule-by step` and `--warmup-steps`: the schedule advances every optimizer step, warm-up
/// first; and `--clip-grad-norm` reaches the trainer.
@Suite struct StepScheduleTests {
    @Test func warmupThenCosineByStep() {
        var c = TrainingConfiguration()
        c.epochs = 2
        c.scheduleUnit = .step
        c.warmupSteps = 4
        c.schedule = .cosine
        let schedule = c.learningRateSchedule(stepsPerEpoch: 10)
        // Linear warm-up over 4 steps from a tenth of the rate, then cosine over the 16 steps left.
        expectClose((0..<4).map { schedule.learningRate(epoch: $0, base: 1) }, [0.1, 0.325, 0.55, 0.775])
        expectClose([schedule.learningRate(epoch: 4, base: 1), schedule.learningRate(epoch: 12, base: 1)],
                    [1, Float((1 + cos(Double.pi * 8 / 16)) / 2)])
    }

    @Test func theTrainerSetsTheRateEveryStep() throws {
        let trainer = try ResumeValidationTests.trainer("mlp") { c in
            c.scheduleUnit = .step
            c.warmupSteps = 3
            c.schedule = .none
            c.clipGradientNorm = 0.5
        }
        var rates: [Float] = []
        for _ in 0..<4 {
            _ = try trainer.train(steps: 1)
            rates.append(trainer.optimizer.learningRate)
        }
        // The rate of each step taken: 0.1, 0.4, 0.7 and then the base, times the base 0.05.
        expectClose(rates, [0.005, 0.02, 0.035, 0.05])
    }

    @Test func warmupStepsNeedStepSchedules() {
        var c = TrainingConfiguration()
        c.warmupSteps = 10
        #expect(throws: TrainingError.self) { try c.validate() }
        c.scheduleUnit = .step
        #expect(throws: Never.self) { try c.validate() }
        c.clipGradientNorm = -1
        #expect(throws: TrainingError.self) { try c.validate() }
    }
}
