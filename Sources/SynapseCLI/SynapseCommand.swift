import ArgumentParser
import Foundation
import SynapseVersion

/// `synapse`: list devices, train and evaluate models.
///
/// Every failure the user can cause (an unknown device, model or option, missing or damaged data,
/// a checkpoint that does not fit the model) ends with ONE line on stderr, `synapse: error: …`, and
/// a non-zero exit status — never a usage dump or a crash trace.
@main
struct SynapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synapse",
        abstract: "Train and evaluate neural networks on the CPU or any OpenCL device.",
        version: "synapse \(SynapseVersion.description)",
        subcommands: [DevicesCommand.self, TrainCommand.self, EvalCommand.self, CheckCommand.self,
                      ExportCommand.self, PredictCommand.self, SummaryCommand.self, ReportCommand.self, TuneCommand.self])

    static func main() {
        let arguments = CommandLineArguments.attachingNegativeNumbers(Array(CommandLine.arguments.dropFirst()))
        let commands = configuration.subcommands.map { $0._commandName } + ["help"]
        if let unknown = CommandLineArguments.unknownCommand(in: arguments, commands: commands) {
            fail(unknown, code: ExitCode.validationFailure.rawValue)
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            fail(message(for: error), code: code.rawValue)
        }
        if (command as? any JSONOutputCommand)?.writesJSON == true { StandardOutput.reserveForResults() }
        do {
            var runnable = command
            try runnable.run()
        } catch let code as ExitCode {
            ProcessExit.exit(code.rawValue)
        } catch {
            // `--help` arrives here as an error from the built-in help command.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let fromParser = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
            fail(fromParser ? message(for: error) : String(describing: error), code: code.rawValue,
                 shownDetailLines: fromParser ? 0 : ErrorReport.shownDetailLines(of: error))
        }
    }

    /// Prints `synapse: error: <first line of message>` to stderr and exits with `code`.
    /// Further lines (a kernel build log) follow: the first `shownDetailLines`, all when `SYNAPSE_VERBOSE` is set.
    static func fail(_ message: String, code: Int32, shownDetailLines: Int = 0) -> Never {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = String(first.dropFirst(7)) }
        var text = "synapse: error: \(lines.first ?? "failed")\n"
        text += ErrorReport.detail(lines.dropFirst(), shown: shownDetailLines,
                                   verbose: ProcessInfo.processInfo.environment["SYNAPSE_VERBOSE"] != nil)
        StandardError.write(text)
        ProcessExit.exit(code == 0 ? 1 : code)
    }
}
