import ArgumentParser
import Foundation
import Synapse
import SynapseTraining

/// `synapse tune`: times the convolution algorithms a model's training step needs on one OpenCL
/// device and keeps the fastest correct one per layer shape, for every later run on that device.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune the convolution and GEMM kernels of a model's training step for an OpenCL device.",
        discussion: """
            Runs one training step to find its convolution passes and matrix products, then times \
            each candidate kernel on the device, checks its result against the CLBlast-based one \
            (im2col + CLBlast, or CLBlast's SGEMM), and saves the fastest correct one beside the \
            kernel cache. Later runs on the same device and driver use it; `synapse devices` says \
            how many shapes are tuned.
            """)

    @Option(name: .long, help: ArgumentHelp("Model: \(ModelZoo.names.joined(separator: ", ")).", valueName: "name"),
            completion: .list(ModelZoo.names))
    var model = "lenet5"
    @Option(name: .customLong("batch-size"), help: "Batch size of the step to tune (shapes include it).")
    var batchSize = 256
    @Option(name: .long, help: "Seconds to spend in all (each shape gets its share; the default and im2col are always timed).")
    var budget: Double = 60
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard batchSize >= 1 else {
            throw TrainingError.invalidOption(option: "--batch-size", reason: "\(batchSize) is not a positive number of examples")
        }
        guard budget > 0, budget.isFinite else {
            throw TrainingError.invalidOption(option: "--budget", reason: "\(budget) is not a positive number of seconds")
        }
        let entry = try ModelZoo.entry(model)
        let resolved = try deviceOptions.resolve()
        guard let device = resolved as? OpenCLDevice else {
            throw TrainingError.invalidOption(option: "--device", reason: "\(resolved.info.spec) is not an OpenCL device; only OpenCL convolutions are tuned")
        }
        let problems = try device.kernelTuning.collectingProblems {
            try withDevice(device) {
                try withRandomSeed(0) {
                    let network = try ModelZoo.make(name: entry.name, classes: entry.name == "alexnet" ? 1000 : 10)
                    let x = Tensor.uniform([batchSize] + entry.inputShape, on: device)
                    let labels = Tensor(int32: (0..<batchSize).map { Int32($0 % 10) }, on: device)
                    network(x).crossEntropy(labels: labels).backward()
                    try device.synchronize()
                }
            }
        }
        let progress = Reporter(json: output.json)
        if !output.json {
            StandardError.write("tuning \(problems.count) convolution passes and products of \(entry.name) (batch \(batchSize)) on \(device.info.spec) (\(device.info.name)), budget \(Format.duration(budget))\n")
        }
        var reports: [KernelTuningReport] = []
        let start = Date()
        for (index, problem) in problems.enumerated() {
            let remaining = budget - Date().timeIntervalSince(start)
            let share = max(0, remaining / Double(problems.count - index))
            let report = try device.tune(problem, budget: share)
            reports.append(report)
            if !output.json {
                StandardError.write("[\(index + 1)/\(problems.count)] \(problem.key): \(report.winner), \(Self.ms(report.milliseconds))\n")
            }
        }
        let file = device.kernelTuning.fileURL?.path
        if output.json {
            progress.emit(TuneRecord(model: entry.name, batchSize: batchSize, device: device.info.spec, file: file, reports: reports))
        } else {
            StandardOutput.write(Self.table(reports) + "results saved to \(file ?? "memory only")\n")
        }
    }

    static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f ms" : "%.1f ms", value) }

    /// One row per problem: winner and its time, and how the untuned default and CLBlast compare.
    static func table(_ reports: [KernelTuningReport]) -> String {
        func ratio(_ other: Double?, _ best: Double) -> String {
            guard let other else { return "—" }
            return ms(other) + String(format: " (%.2f×)", other / best)
        }
        let rows = reports.map { report in
            [report.problem.key, report.winner.description, ms(report.milliseconds),
             ratio(report.defaultMilliseconds, report.milliseconds), ratio(report.libraryMilliseconds, report.milliseconds)]
        }
        let header = ["pass or product, and shape", "winner", "time", "untuned default", "with CLBlast"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        var text = line(header)
        for row in rows { text += line(row) }
        let total = reports.reduce(0) { $0 + $1.milliseconds }
        let untuned = reports.reduce(0.0) { $0 + ($1.defaultMilliseconds ?? $1.milliseconds) }
        let library = reports.reduce(0.0) { $0 + ($1.libraryMilliseconds ?? $1.milliseconds) }
        text += "step total: \(ms(total)) tuned, \(ms(untuned)) untuned, \(ms(library)) with CLBlast "
            + "(im2col + CLBlast convolutions, CLBlast GEMMs)\n"
        return text
    }
}

/// `synapse tune --json`: every pass with its winner and times.
struct TuneRecord: Encodable {
    struct Pass: Encodable {
        var problem: String, winner: String, milliseconds: Double
        var defaultMilliseconds: Double?, libraryMilliseconds: Double?
        var candidatesTried: Int, candidatesRejected: Int
    }
    var event = "tune"
    var model: String, batchSize: Int, device: String
    var file: String?
    var passes: [Pass]

    init(model: String, batchSize: Int, device: String, file: String?, reports: [KernelTuningReport]) {
        self.model = model
        self.batchSize = batchSize
        self.device = device
        self.file = file
        passes = reports.map {
            Pass(problem: $0.problem.key, winner: $0.winner.description, milliseconds: $0.milliseconds,
                 defaultMilliseconds: $0.defaultMilliseconds, libraryMilliseconds: $0.libraryMilliseconds,
                 candidatesTried: $0.trials.count, candidatesRejected: $0.trials.filter { $0.rejection != nil }.count)
        }
    }
}
extension TuneCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
