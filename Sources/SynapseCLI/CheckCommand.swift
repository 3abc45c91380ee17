import ArgumentParser
import Foundation
import Synapse
import SynapseConformance

/// `synapse check`: runs the conformance suite (every primitive over awkward shapes and views)
/// and the gradient checks on a device against the CPU, and says whether to trust it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a device computes every primitive and gradient like the CPU.",
        discussion: "Prints a row per primitive (cases, largest absolute and relative error, tolerance, "
            + "pass or fail), then a one-line verdict. Exits with status 1 when any case fails.")

    @OptionGroup var deviceOptions: DeviceOptions

    @Flag(name: .long, help: "Print the report as one JSON document instead of the table.")
    var json = false

    func run() throws {
        let device = try deviceOptions.resolve()
        let reference = CPUDevice.shared
        let progress = CheckProgress(device: device.info.spec)
        let report = ConformanceRunner.run(on: device, reference: reference, cases: ConformanceSuite.cases,
                                           gradients: GradientSuite.cases, progress: progress.show)
        progress.finish()
        if json {
            StandardOutput.write(try report.json() + "\n")
        } else {
            var text = "\(device.info.spec) (\(device.info.name)) against \(reference.info.spec) (\(reference.info.name))\n\n"
            text += report.table
            text += "(\(ConformanceReport.toleranceRule))\n"
            if device === reference {
                text += "(\(device.info.spec) is the reference itself: its primitive rows check host-computed values "
                    + "and the words around each output; the gradient rows check backward() against finite differences)\n"
            }
            let failures = report.failureLines()
            if !failures.isEmpty { text += "\nfailed cases:\n" + failures.map { "  \($0)\n" }.joined() }
            text += "\n\(report.verdict)\n"
            StandardOutput.write(text)
        }
        if !report.passed { throw ExitCode(1) }
    }
}

/// The progress of `synapse check` on stderr: one redrawn line on a terminal, else a line at
/// every tenth of the cases.
final class CheckProgress {
    private let device: String
    private let terminal = StandardError.isTerminal
    private var lastTenth = -1

    init(device: String) { self.device = device }

    func show(_ progress: ConformanceProgress) {
        let line = "checking \(device): \(progress.completed)/\(progress.total) \(progress.current)"
        if terminal {
            StandardError.write("\r\u{1B}[K" + line)
        } else if progress.completed * 10 / max(progress.total, 1) > lastTenth {
            lastTenth = progress.completed * 10 / max(progress.total, 1)
            StandardError.write(line + "\n")
        }
    }

    func finish() {
        if terminal { StandardError.write("\r\u{1B}[K") }
    }
}
