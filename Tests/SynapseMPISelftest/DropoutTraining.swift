import Foundation
import Synapse
import SynapseDistributed
import SynapseTraining

/// Trains `AlexNetSmall` without batch norm, dropout on, for 20 steps of a global batch of 16 as a
/// rank of the job, on the device `spec` names; rank 0 then trains the same net alone on the whole batches and compares every
/// parameter. Prints `rank R: ok|FAIL every gradient bucket handed over during backward …` (small
/// buckets, so that the exchange overlaps backward), `rank R: ok|FAIL dropout training matches one
/// process …` and `rank R: done`.
func checkDropoutTraining(_ communicator: any Communicator, device spec: String) {
    let say = { (line: String) in print("rank \(communicator.rank): \(line)"); fflush(nil) }
    do {
        let device = try Devices.resolve(spec)
        let distributed = try dropoutTrainer(device: device, communicator: communicator)
        // Small buckets, so that several go out while backward runs (and during replays).
        let job = try distributed.distribute(over: communicator, bucketElements: 50_000)
        _ = try distributed.train(steps: 20)
        let gradientBuckets = job.buckets.count - 1, early = job.lastBucketsHandedOverInBackward
        if communicator.size > 1 { say("\(gradientBuckets > 1 && early == gradientBuckets ? "ok" : "FAIL") every gradient bucket handed over "
            + "during backward (\(early) of \(gradientBuckets), \(distributed.replayedSteps) replayed steps)") }
        if communicator.isRoot {
            let alone = try dropoutTrainer(device: device, communicator: nil)
            _ = try alone.train(steps: 20)
            let mine = try distributed.model.stateDict().map { try $0.tensor.toArray() }
            let theirs = try alone.model.stateDict().map { try $0.tensor.toArray() }
            var largest: Float = 0
            for (a, b) in zip(mine, theirs) { for (x, y) in zip(a, b) { largest = max(largest, abs(x - y)) } }
            let verdict = largest <= 1e-5 && mine.count == theirs.count ? "ok" : "FAIL"
            say("\(verdict) dropout training matches one process (max difference \(largest))")
        }
        try communicator.barrier()
        try job.finish()
        say("done")
        exit(0)
    } catch {
        communicator.abort("dropout training: \(error)", exitCode: 4)
    }
}

/// AlexNetSmall without batch norm on 320 random images, as one rank (sharded) or alone.
private func dropoutTrainer(device: any Device, communicator: (any Communicator)?) throws -> Trainer {
    var random = UInt64(12345)
    func next() -> UInt64 { random = random &* 6364136223846793005 &+ 1442695040888963407; return random >> 33 }
    let pixels = (0..<(320 * 784)).map { _ in UInt8(next() % 256) }
    let labels = (0..<320).map { _ in Int32(next() % 10) }
    let images = try LabeledImages(pixels: pixels, labels: labels, height: 28, width: 28, classCount: 10)
    let loader = DataLoader(images, batchSize: 16, shuffle: true, seed: 8, dropLast: true, device: device)
    var data = TrainingData(train: loader, test: nil, name: "random")
    if let communicator { data = try data.sharded(GlobalBatchShard(communicator)) }
    let model = withDevice(device) { withRandomSeed(3) { AlexNetSmall(classes: 10, batchNorm: false, dropout: 0.5) } }
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
