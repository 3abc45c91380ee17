import ArgumentParser
import Foundation
import Synapse
import SynapseVersion

/// `synapse-bench`: times Synapse's operations and training steps on one device and prints an
/// aligned table, optionally writing JSON and comparing with a saved run.
@main
struct SynapseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synapse-bench",
        abstract: "Benchmark Synapse's GEMM, convolution, pooling, softmax, elementwise and training on one device.",
        discussion: """
            Suites: \(Suites.all.map(\.name).joined(separator: ", ")). Each case gets a first run (reported on \
            its own: it pays for kernel builds and pool misses), warm-up runs, then timed runs, the device \
            synchronised before every clock stop. Build with `swift build -c release`: debug numbers are meaningless.
            """,
        version: "synapse-bench \(SynapseVersion.description)")

    @Option(help: "Device: cpu, opencl, opencl:N or opencl:P:D (default: SYNAPSE_DEVICE, else the best device).")
    var device: String?

    @Option(help: "Suites or cases to run: comma-separated substrings of `suite.case` ids (see --list).")
    var filter: String?

    // `.unconditional`: a negative value (`--warmup -1`) reaches validate() instead of reading as a missing value.
    @Option(parsing: .unconditional, help: "Timed runs per case (default 10; 3 with --quick).")
    var iterations: Int?

    @Option(parsing: .unconditional, help: "Untimed runs after the first run (default 2; 1 with --quick).")
    var warmup: Int?

    @Option(parsing: .unconditional, help: "Stop timing a case after this many seconds of timed runs, never before 3 (default 5; 1 with --quick).")
    var maxSeconds: Double?

    @Flag(help: "Small sizes and few runs, for CI.")
    var quick = false

    @Flag(help: "Also run cases skipped by default on this device (GEMM above 2048 on a CPU, AlexNet b128 off a GPU).")
    var allSizes = false

    @Option(help: ArgumentHelp("Write the results as JSON to this path; `-` writes them to stdout (the table goes to stderr).",
                               valueName: "path"), completion: .file(extensions: ["json"]))
    var json: String?

    @Option(help: ArgumentHelp("Print each case beside the same case of a JSON report written earlier by --json.",
                               valueName: "path"), completion: .file(extensions: ["json"]))
    var compare: String?

    @Flag(help: "List the suites and cases for the device and exit.")
    var list = false

    @Flag(help: "Time data-parallel training steps as one rank of `mpirun -np N synapse-bench --distributed` (--filter: lenet5, alexnet-small).")
    var distributed = false

    mutating func validate() throws {
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let warmup, warmup < 0 { throw ValidationError("--warmup must not be negative") }
        if let maxSeconds, maxSeconds <= 0 { throw ValidationError("--max-seconds must be positive") }
    }

    func run() throws {
        let jsonOutput = json == "-" ? Console.moveTableToStandardError() : nil
        let options = BenchOptions(iterations: iterations ?? (quick ? 3 : 10), warmup: warmup ?? (quick ? 1 : 2),
                                   maxSeconds: maxSeconds ?? (quick ? 1 : 5), quick: quick, filter: filter)
        let target: any Device
        do {
            target = try device.map(Devices.resolve) ?? Devices.defaultDevice()
        } catch {
            throw ValidationError("\(error)")
        }
        if distributed {
            try DistributedBench(device: target, warmup: options.warmup, iterations: options.iterations, quick: quick,
                                 filter: filter).run()
            return
        }
        let context = SuiteContext(device: target, quick: quick)
        let selection = CaseSelection(filter: filter, allSizes: allSizes)
        let cases = Suites.all.flatMap { $0.cases(context) }.filter(selection.selects)
        if cases.isEmpty, let filter { throw BenchError.unknownFilter(filter) }

        if list {
            Console.line(Listing.text(cases: cases, selection: selection, device: target))
            return
        }
        let baseline = try compare.map(Comparison.load)
        let report = try BenchRun(device: target, requested: device, options: options, selection: selection)
            .run(cases)
        if let jsonOutput {
            jsonOutput.write(try Self.encode(report) + Data("\n".utf8))
        } else if let json {
            try write(report, to: json)
        }
        if let baseline, let compare {
            Console.line(Comparison.table(current: report, baseline: baseline, baselinePath: compare))
        }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }

    private static func encode(_ report: BenchReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(report)
    }

    private func write(_ report: BenchReport, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.encode(report).write(to: url, options: .atomic)
        Console.line("wrote \(path)")
    }
}

/// The run settings after defaults are applied.
struct BenchOptions {
    let iterations: Int
    let warmup: Int
    let maxSeconds: Double
    let quick: Bool
    let filter: String?
}

/// Unbuffered output, so rows appear as cases finish even when stdout is a pipe.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// For `--json -`: points file descriptor 1 at stderr, so the table and anything a library
    /// prints go there, and returns a handle on the original stdout, which then carries only the JSON.
    static func moveTableToStandardError() -> FileHandle {
        let original = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        return FileHandle(fileDescriptor: original, closeOnDealloc: true)
    }
}
