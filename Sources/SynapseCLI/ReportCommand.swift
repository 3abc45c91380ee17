import ArgumentParser
import Foundation
import SynapseTraining

/// `synapse report DIR`: writes `DIR/report.html` from the logs `synapse train --log-dir DIR` wrote.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html (loss and accuracy plots, configuration) from a --log-dir directory.")

    @Argument(help: ArgumentHelp("The directory given to synapse train --log-dir.", valueName: "dir"))
    var directory: String

    func run() throws {
        let path = try TrainingReport.write(directory: directory)
        StandardOutput.write("wrote \(path)\n")
    }
}
