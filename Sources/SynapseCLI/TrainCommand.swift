import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}
extension TrainingConfiguration.ScheduleKind: ExpressibleByArgument {}
extension TrainingConfiguration.ScheduleUnit: ExpressibleByArgument {}

/// `synapse train`: trains a model (LeNet-5 on Fashion-MNIST by default) and reports progress.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model on Fashion-MNIST, MNIST, an image folder or synthetic data.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Epochs to train.") var epochs = 5
    @Option(name: .customLong("lr"), help: "Learning rate (default 0.1 for sgd, 0.001 for adam/adamw).")
    var learningRate: Float?
    @Option(help: "SGD momentum.") var momentum: Float = 0.9
    @Option(help: "Optimizer: sgd, adam or adamw.") var optimizer: TrainingConfiguration.OptimizerKind = .sgd
    @Option(name: .customLong("weight-decay"), help: "Weight decay (default 0; 0.01 for adamw).")
    var weightDecay: Float?
    @Option(help: "Learning-rate schedule per epoch: none, step or cosine.")
    var schedule: TrainingConfiguration.ScheduleKind = .cosine
    @Option(name: .customLong("warmup-epochs"), help: "Epochs of linear warm-up.") var warmupEpochs = 0
    @Option(name: .customLong("schedule-by"), help: "Advance the schedule and warm-up every epoch or every step.")
    var scheduleBy: TrainingConfiguration.ScheduleUnit = .epoch
    @Option(name: .customLong("warmup-steps"), help: "Steps of linear warm-up (with --schedule-by step).")
    var warmupSteps = 0
    @Option(name: .customLong("clip-grad-norm"), help: "Scale the gradients down to this global L2 norm when above it.")
    var clipGradNorm: Float?
    @Option(help: "Seed for initialisation, shuffling, dropout and synthetic data.") var seed: UInt64 = 0
    @Option(name: .customLong("limit-train"), help: "Train on the first N training images only.")
    var limitTrain: Int?
    @Option(help: "Steps per epoch at most (alexnet: the epoch length, default 20).") var steps: Int?
    @Option(help: ArgumentHelp("Save a checkpoint here after every epoch and on Ctrl-C or SIGTERM.", valueName: "path"),
            completion: .file(extensions: ["safetensors"]))
    var save: String?
    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint.", valueName: "path"),
            completion: .file(extensions: ["safetensors"]))
    var resume: String?
    @Flag(name: .long, help: "On OpenCL, tune each convolution shape that has no tuning result when first met (see `synapse tune`).")
    var tune = false
    @Flag(name: .customLong("no-capture"),
          help: "Run every step eagerly instead of replaying the first step's recording.")
    var noCapture = false
    @Flag(help: "Say more: why steps run eagerly, for one.") var verbose = false
    @OptionGroup var logOptions: LogOptions
    @Flag(help: "Train data-parallel as one rank of an `mpirun -np N` job (without mpirun: one process, with a note).")
    var distributed = false
    @Flag(name: .customLong("sync-batchnorm"),
          help: "With --distributed: batch norm normalises over the global batch (statistics summed over the ranks) instead of each rank's slice.")
    var syncBatchNorm = false

    /// The run these options describe.
    var trainingConfiguration: TrainingConfiguration {
        var c = TrainingConfiguration()
        modelOptions.apply(to: &c)
        c.epochs = epochs
        c.learningRate = learningRate
        c.momentum = momentum
        c.optimizer = optimizer
        c.weightDecay = weightDecay
        c.schedule = schedule
        c.warmupEpochs = warmupEpochs
        c.scheduleUnit = scheduleBy
        c.warmupSteps = warmupSteps
        c.clipGradientNorm = clipGradNorm
        c.seed = seed
        c.limitTrain = limitTrain
        c.stepsPerEpoch = steps
        return c
    }

    func run() throws {
        let stop = StopSignal()  // first, so an early Ctrl-C or SIGTERM is a stop request too
        guard !syncBatchNorm || distributed else {
            throw TrainingError.invalidOption(option: "--sync-batchnorm", reason: "applies to --distributed runs only")
        }
        let job = distributed ? try DistributedRun.start() : nil
        try DistributedRun.failing(job) { try train(stop: stop, job: job) }
    }

    /// The run, as one rank of `job` when given (rank 0 alone reports and saves).
    private func train(stop: StopSignal, job: DistributedRun?) throws {
        var configuration = trainingConfiguration
        try dataOptions.apply(to: &configuration)
        try configuration.validate()
        if let save, job?.isRoot != false {
            try Trainer.checkSavePath(save)  // now rather than after the first epoch
            SafeTensorsFile.removeStaleTemporaries(of: save)  // left by a save that was killed
        }
        let device = try job?.device(deviceOptions) ?? deviceOptions.resolve()
        if tune, let openCL = device as? OpenCLDevice { openCL.kernelTuning.tunesOnFirstUse = true }
        let trainer = try job.map { try Trainer.rank(of: $0.communicator, configuration: configuration, device: device) }
            ?? Trainer(configuration: configuration, device: device)
        if let resume { try trainer.resume(from: resume) }
        let isRoot = job?.isRoot != false
        if isRoot { ImageDataReport.skipped(trainer.data) }
        let reporter = Reporter(json: output.json, quiet: logOptions.quiet)
        let log = isRoot ? try logOptions.makeLog(reporter: reporter) : nil
        let exchange = try job.map { try trainer.distribute(over: $0.communicator, syncBatchNorm: syncBatchNorm) }
        exchange?.stopRequest = { stop.isRequested || log?.failure != nil }
        trainer.onRecord = isRoot ? log?.handle ?? reporter.handle : { _ in }
        trainer.progressInterval = isRoot ? log?.progressInterval ?? reporter.progressInterval : nil
        trainer.checkpointPath = isRoot ? save : nil
        trainer.aroundSave = stop.whileSaving
        trainer.capturesSteps = !noCapture
        let verbose = verbose
        trainer.onNote = { note in if verbose { StandardError.write("note: \(note)\n") } }
        let summary: RunSummary
        do {
            summary = try trainer.run(shouldStop: { exchange?.shouldStop ?? (stop.isRequested || log?.failure != nil) })
            if let failure = log?.failure { throw failure }
        } catch {
            reporter.closeLine()
            throw log?.failure ?? error
        }
        if isRoot { ImageDataReport.decoding(trainer.data) }
        if verbose, let exchange, exchange.isRoot { StandardError.write("note: gradient exchange: \(exchange.timingSummary)\n") }
        try exchange?.finish()
        if summary.interrupted { throw ExitCode(stop.exitCode) }
    }
}
