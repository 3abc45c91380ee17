import Foundation
import Synapse
import SynapseDistributed
import SynapseTraining

/// Trains `AlexNetSmall`, dropout on, for `steps` steps of a global batch of 16 as a rank of the job, on
/// the device `spec` names: without batch norm, or with it and `syncBatchNorm` (`syncbn` mode,
/// `unsynced` for the same without synchronisation, which must not match). Rank 0 then trains the
/// same net alone on the whole batches and compares every parameter and buffer. Prints
/// `rank R: ok|FAIL every gradient bucket handed over during backward …` (small buckets, so that the
/// exchange overlaps backward), with batch norm `rank R: ok|FAIL running statistics identical to
/// rank 0's …`, then `rank R: ok|FAIL <mode> training matches one process …` and `rank R: done`.
func checkTrainingMatchesOneProcess(_ communicator: any Communicator, device spec: String, mode: String, steps: Int) {
    let say = { (line: String) in print("rank \(communicator.rank): \(line)"); fflush(nil) }
    let batchNorm = mode != "dropout"
    do {
        let device = try Devices.resolve(spec)
        let distributed = try selftestTrainer(device: device, communicator: communicator, batchNorm: batchNorm)
        // Small buckets, so that several go out while backward runs (and during replays).
        let job = try distributed.distribute(over: communicator, bucketElements: 50_000, syncBatchNorm: mode == "syncbn")
        _ = try distributed.train(steps: steps)
        let gradientBuckets = job.buckets.count - 1, early = job.lastBucketsHandedOverInBackward
        if communicator.size > 1 {
            say("\(gradientBuckets > 1 && early == gradientBuckets ? "ok" : "FAIL") every gradient bucket handed over "
                + "during backward (\(early) of \(gradientBuckets), \(distributed.replayedSteps) replayed steps)")
        }
        if batchNorm {
            let statistics = distributed.model.namedBuffers().map(\.buffer.value).filter { $0.dtype == .float32 }
            let mine = try statistics.flatMap { try $0.toArray() }
            var rootsCopy = mine
            try communicator.broadcast(&rootsCopy, from: 0)
            say("\(mine == rootsCopy ? "ok" : "FAIL") running statistics identical to rank 0's (\(mine.count) values)")
        }
        if communicator.isRoot {
            let alone = try selftestTrainer(device: device, communicator: nil, batchNorm: batchNorm)
            _ = try alone.train(steps: steps)
            let mine = try distributed.model.stateDict().filter { $0.tensor.dtype == .float32 }.map { try $0.tensor.toArray() }
            let theirs = try alone.model.stateDict().filter { $0.tensor.dtype == .float32 }.map { try $0.tensor.toArray() }
            var largest: Float = 0, worst = ""
            let names = try distributed.model.stateDict().filter { $0.tensor.dtype == .float32 }.map(\.name)
            for (name, (a, b)) in zip(names, zip(mine, theirs)) {
                for (x, y) in zip(a, b) where abs(x - y) > largest { largest = abs(x - y); worst = "\(name): \(x) against \(y)" }
            }
            let verdict = largest <= 1e-5 && mine.count == theirs.count ? "ok" : "FAIL"
            say("\(verdict) \(mode) training matches one process (max difference \(largest), \(worst))")
        }
        try communicator.barrier()
        try job.finish()
        say("done")
        exit(0)
    } catch {
        communicator.abort("\(mode) training: \(error)", exitCode: 4)
    }
}

/// AlexNetSmall (dropout on, batch norm as asked) on 320 random images, as one rank (sharded) or alone.
private func selftestTrainer(device: any Device, communicator: (any Communicator)?, batchNorm: Bool) throws -> Trainer {
    var random = UInt64(12345)
    func next() -> UInt64 { random = random &* 6364136223846793005 &+ 1442695040888963407; return random >> 33 }
    let pixels = (0..<(320 * 784)).map { _ in UInt8(next() % 256) }
    let labels = (0..<320).map { _ in Int32(next() % 10) }
    let images = try LabeledImages(pixels: pixels, labels: labels, height: 28, width: 28, classCount: 10)
    let loader = DataLoader(images, batchSize: 16, shuffle: true, seed: 8, dropLast: true, device: device)
    var data = TrainingData(train: loader, test: nil, name: "random")
    if let communicator { data = try data.sharded(GlobalBatchShard(communicator)) }
    let model = withDevice(device) { withRandomSeed(3) { AlexNetSmall(classes: 10, batchNorm: batchNorm, dropout: 0.5) } }
    model.packParameters()
    var configuration = TrainingConfiguration()
    configuration.model = "alexnet-small"
    configuration.batchSize = 16
    configuration.seed = 21
    configuration.learningRate = 0.05
    configuration.epochs = 1
    return try Trainer(model: model, optimizer: SGD(model.parameters(), learningRate: 0.05, momentum: 0.9),
                       data: data, device: device, configuration: configuration)
}
