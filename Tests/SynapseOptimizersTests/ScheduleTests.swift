import Foundation
import SynapseTestSupport
import Testing

/// Values from PyTorch's closed forms (StepLR, MultiStepLR, CosineAnnealingLR, LinearLR + SequentialLR).
@Suite("Learning-rate schedules")
struct ScheduleTests {
    func rates(_ schedule: some LearningRateSchedule, base: Float, epochs: [Int]) -> [Double] {
        epochs.map { Double(schedule.learningRate(epoch: $0, base: base)) }
    }

    @Test func stepLR() {
        expectValues(rates(StepLR(stepSize: 3, gamma: 0.1), base: 1, epochs: [0, 2, 3, 5, 6, 9]).map { Float($0) },
                     [1, 1, 0.1, 0.1, 0.01, 0.001])
    }

    @Test func multiStepLR() {
        expectValues(rates(MultiStepLR(milestones: [5, 2], gamma: 0.5), base: 0.8, epochs: [0, 1, 2, 4, 5, 20]).map { Float($0) },
                     [0.8, 0.8, 0.4, 0.4, 0.2, 0.2])
    }

    @Test func cosineAnnealing() {
        let schedule = CosineAnnealingLR(tMax: 10, etaMin: 0.001)
        expectValues(rates(schedule, base: 0.1, epochs: [0, 2, 5, 10]).map { Float($0) },
                     [0.1, 0.0905463412215599, 0.0505, 0.001])
        // Past tMax the closed form rises again, as PyTorch's does.
        expectValues(rates(schedule, base: 0.1, epochs: [15, 20]).map { Float($0) }, [0.0505, 0.1])
    }

    @Test func warmupThenCosine() {
        let schedule = CosineAnnealingLR(tMax: 10).withWarmup(epochs: 3, startFactor: 0.1)
        expectValues(rates(schedule, base: 0.1, epochs: [0, 1, 2, 3, 8, 13]).map { Float($0) },
                     [0.01, 0.04, 0.07, 0.1, 0.05, 0])
        let stepped = StepLR(stepSize: 2, gamma: 0.5).withWarmup(epochs: 2, startFactor: 0.5)
        expectValues(rates(stepped, base: 1, epochs: [0, 1, 2, 3, 4]).map { Float($0) }, [0.5, 0.75, 1, 1, 0.5])
    }

    @Test func schedulerDrivesTheOptimizer() {
        let optimizer = SGD([Parameter(Tensor([0]))], learningRate: 0.2)
        let scheduler = LearningRateScheduler(optimizer, schedule: MultiStepLR(milestones: [1, 3], gamma: 0.1))
        #expect(optimizer.learningRate == 0.2)
        scheduler.step()
        #expect(abs(optimizer.learningRate - 0.02) < 1e-8)
        scheduler.set(epoch: 3)
        #expect(abs(optimizer.learningRate - 0.002) < 1e-9)
        #expect(scheduler.baseLearningRate == 0.2 && scheduler.epoch == 3)
    }
}
