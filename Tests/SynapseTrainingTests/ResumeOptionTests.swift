import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Resuming with options other than the checkpoint's: mid-epoch, anything that decides the rest of
/// the epoch must match (the error names the option, the saved and the new value); at an epoch
/// boundary only the model and optimizer must; `--epochs` (the total) may always grow.
@Suite struct ResumeOptionTests {
    /// One option changed from `ResumeValidationTests.trainer()`'s, and what the error must say.
    enum Change: String, CaseIterable, Sendable {
        case batchSize, seed, learningRate, momentum, weightDecay, schedule, warmup, steps

        func apply(to c: inout TrainingConfiguration) {
            switch self {
            case .batchSize: c.batchSize = 16
            case .seed: c.seed = 99
            case .learningRate: c.learningRate = 0.01
            case .momentum: c.momentum = 0.5
            case .weightDecay: c.weightDecay = 0.001
            case .schedule: c.schedule = .cosine
            case .warmup: c.warmupEpochs = 1
            case .steps: c.stepsPerEpoch = 2
            }
        }

        /// The option and the saved and new values the message must name.
        var mentions: [String] {
            switch self {
            case .batchSize: ["--batch-size", "32", "16"]
            case .seed: ["--seed", "1234", "99"]
            case .learningRate: ["--lr", "0.05", "0.01"]
            case .momentum: ["--momentum", "0.9", "0.5"]
            case .weightDecay: ["--weight-decay", "0.0", "0.001"]
            case .schedule: ["--schedule", "step", "cosine"]
            case .warmup: ["--warmup-epochs", "0", "1"]
            case .steps: ["--steps", "3", "2"]
            }
        }
    }

    @Test(arguments: Change.allCases)
    func midEpochResumeRejectsAChangedOption(change: Change) throws {
        let (directory, path) = try ResumeValidationTests.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        expectFailure(mentions: [path] + change.mentions) {
            try ResumeValidationTests.trainer { change.apply(to: &$0) }.resume(from: path)
        }
    }

    @Test func midEpochResumeRejectsAnotherTrainingSet() throws {
        let (directory, path) = try ResumeValidationTests.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        let fewer = TrainerResumeTests.images.subset(0..<64)
        expectFailure(mentions: [path, "96", "64", "--limit-train"]) {
            try ResumeValidationTests.trainer(images: fewer).resume(from: path)
        }
    }

    @Test func midEpochResumeMayRaiseTheEpochs() throws {
        let (directory, path) = try ResumeValidationTests.saved(steps: 1)
        defer { TestEnvironment.remove(directory) }
        let trainer = try ResumeValidationTests.trainer { $0.epochs = 5 }
        try trainer.resume(from: path)
        #expect(trainer.position.batch == 1)
        #expect(try trainer.train(steps: 3).allSatisfy { $0.isFinite })
    }

    @Test(arguments: Change.allCases)
    func anEpochBoundaryAcceptsChangedOptions(change: Change) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/epoch.safetensors"
        let first = try ResumeValidationTests.trainer { $0.epochs = 1 }
        first.checkpointPath = path
        _ = try first.run()

        let second = try ResumeValidationTests.trainer { change.apply(to: &$0) }
        try second.resume(from: path)
        #expect(second.position.epoch == 1 && second.position.batch == 0)
        #expect(try second.train(steps: 2).allSatisfy { $0.isFinite })
    }

    @Test func aFinishedRunIsNotResumedSilently() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/done.safetensors"
        let first = try ResumeValidationTests.trainer { $0.epochs = 2 }
        first.checkpointPath = path
        _ = try first.run()
        expectFailure(mentions: [path, "--epochs", "2"]) {
            try ResumeValidationTests.trainer { $0.epochs = 2 }.resume(from: path)
        }
        expectFailure(mentions: [path, "--epochs", "2"]) {
            try ResumeValidationTests.trainer { $0.epochs = 1 }.resume(from: path)
        }
    }
}
