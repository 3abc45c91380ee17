import ArgumentParser
import Foundation

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
        subcommands: [DevicesCommand.self, TrainCommand.self, EvalCommand.self])

    static func main() {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            fail(message(for: error), code: code.rawValue)
        }
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
            fail(fromParser ? message(for: error) : String(describing: error), code: code.rawValue)
        }
    }

    /// Prints `synapse: error: <first line of message>` to stderr and exits with `code`.
    /// Further lines (a kernel build log) follow only when `SYNAPSE_VERBOSE` is set.
    static func fail(_ message: String, code: Int32) -> Never {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = String(first.dropFirst(7)) }
        var text = "synapse: error: \(lines.first ?? "failed")\n"
        if lines.count > 1, ProcessInfo.processInfo.environment["SYNAPSE_VERBOSE"] != nil {
            text += lines.dropFirst().joined(separator: "\n") + "\n"
        }
        StandardError.write(text)
        ProcessExit.exit(code == 0 ? 1 : code)
    }
}
