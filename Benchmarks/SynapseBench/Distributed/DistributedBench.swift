import Foundation
import Synapse
import SynapseDistributed
import SynapseTraining

/// `synapse-bench --distributed`, run as every rank of `mpirun -np N synapse-bench --distributed`:
/// whole training steps of LeNet-5 and AlexNetSmall (random images, SGD with momentum, captured
/// steps replayed as `synapse train` does), first with every rank training its own batch alone,
/// then as one data-parallel job over the ranks with the same batch per rank (a global batch N
/// times as large), gradients exchanged in buckets overlapped with backward.
///
/// Rank 0 prints, per model, the median step of each phase, the exchange per step (the
/// communication thread's copies and allreduces: the part hidden behind backward and the part the
/// step waited for), and the scaling efficiency, one process's step time over the job's: the job's
/// images/s over N times one process's. Every rank runs the "one process" phase at the same time,
/// so on one shared machine both phases compete for the same cores; with one GPU per rank, it is
/// one process's speed.
struct DistributedBench {
    let device: any Device
    let warmup: Int
    let iterations: Int
    let quick: Bool
    let filter: String?

    /// A model the bench trains, with its batch per rank.
    struct Model {
        let name: String
        let batchPerRank: Int
        let make: () -> Module
    }

    var models: [Model] {
        let all = [Model(name: "lenet5", batchPerRank: 64) { LeNet5() },
                   Model(name: "alexnet-small", batchPerRank: quick ? 8 : 32) { AlexNetSmall() }]
        guard let filter, !filter.isEmpty else { return all }
        let parts = filter.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return all.filter { model in parts.contains { model.name.contains($0) } }
    }

    func run() throws {
        let communicator = try Distributed.start()
        do {
            try measure(communicator)
            try communicator.finalize()
        } catch {
            guard communicator.size > 1 else { throw error }
            communicator.abort("synapse-bench --distributed: \(error)", exitCode: 1)
        }
    }

    private func measure(_ communicator: any Communicator) throws {
        let models = models
        guard !models.isEmpty else { throw BenchError.unknownFilter(filter ?? "") }
        let say = { (line: String) in if communicator.isRoot { Console.line(line) } }
        if communicator.size == 1 {
            say("note: not under mpirun: one rank, so no exchange (start N with `mpirun -np N synapse-bench --distributed`)")
        }
        say("distributed training steps, \(communicator.size) rank(s) on \(device.info.spec) (\(device.info.name)); "
            + "medians of \(iterations) steps after \(warmup) warm-up")
        var table = DistributedTable(ranks: communicator.size)
        say(table.header)
        for model in models {
            try communicator.barrier()
            let alone = try stepTimes(of: model, over: nil)
            try communicator.barrier()
            let together = try stepTimes(of: model, over: communicator)
            table.add(model: model.name, batch: model.batchPerRank, alone: alone.steps, together: together)
            say(table.lines.last!)
        }
        say(DistributedTable.legend)
    }

    /// Per-step wall times (and, in a job, each step's exchange) of `iterations` steps after `warmup`.
    private func stepTimes(of model: Model, over communicator: (any Communicator)?) throws -> StepSamples {
        let ranks = communicator?.size ?? 1
        let images = try randomImages(count: model.batchPerRank * ranks * 4)
        let loader = DataLoader(images, batchSize: model.batchPerRank * ranks, shuffle: true, seed: 1, dropLast: true,
                                device: device)
        var data = TrainingData(train: loader, test: nil, name: "random")
        if let communicator { data = try data.sharded(GlobalBatchShard(communicator)) }
        let network = withDevice(device) { withRandomSeed(1) { model.make() } }
        network.packParameters()
        var configuration = TrainingConfiguration()
        configuration.model = model.name
        configuration.batchSize = model.batchPerRank * ranks
        configuration.learningRate = 0.01
        configuration.epochs = 1_000
        let trainer = try Trainer(model: network, optimizer: SGD(network.parameters(), learningRate: 0.01, momentum: 0.9),
                                  data: data, device: device, configuration: configuration)
        let job = try communicator.map { try trainer.distribute(over: $0) }
        var samples = StepSamples()
        let clock = ContinuousClock()
        for index in 0 ..< warmup + iterations {
            let start = clock.now
            _ = try trainer.train(steps: 1)  // reads the loss: the step has finished on the device
            guard index >= warmup else { continue }
            samples.steps.append((clock.now - start).seconds)
            if let job, let timing = job.lastTiming {
                samples.exchange.append(timing.total.seconds)
                samples.hidden.append(timing.hidden.seconds)
                samples.exposed.append(timing.exposed.seconds)
                samples.copies.append(job.lastCopyTime.seconds)
            }
        }
        return samples
    }

    private func randomImages(count: Int) throws -> LabeledImages {
        var random = UInt64(7)
        func next() -> UInt64 { random = random &* 6364136223846793005 &+ 1442695040888963407; return random >> 33 }
        return try LabeledImages(pixels: (0 ..< count * 784).map { _ in UInt8(next() % 256) },
                                 labels: (0 ..< count).map { _ in Int32(next() % 10) }, height: 28, width: 28, classCount: 10)
    }
}

/// One phase's per-step measurements, in seconds.
struct StepSamples {
    var steps: [Double] = []
    var exchange: [Double] = []
    var hidden: [Double] = []
    var exposed: [Double] = []
    var copies: [Double] = []
}
