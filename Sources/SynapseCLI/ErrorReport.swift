import Synapse

/// What `synapse` prints after its one error line.
///
/// Most messages are one line; the rest of a longer one follows only with `SYNAPSE_VERBOSE` set.
/// A kernel that does not compile is the exception: the cause is in the compiler's log, so the
/// first lines of the log follow the error line, with a note of how to see the rest.
enum ErrorReport {
    /// Lines of a compiler log shown without `SYNAPSE_VERBOSE`.
    static let buildLogLines = 10

    /// How many lines after the first `error`'s message shows without `SYNAPSE_VERBOSE`.
    static func shownDetailLines(of error: any Error) -> Int {
        if case .kernelBuild = error as? DeviceError { return buildLogLines }
        return 0
    }

    /// The text after the error line: every line of `lines` when `verbose`, else the first
    /// `shown`, and a note of how many more there are and how to see them.
    static func detail(_ lines: ArraySlice<String>, shown: Int, verbose: Bool) -> String {
        if lines.isEmpty || (!verbose && shown == 0) { return "" }
        if verbose || lines.count <= shown { return lines.joined(separator: "\n") + "\n" }
        let hidden = lines.count - shown
        return lines.prefix(shown).joined(separator: "\n")
            + "\n(\(hidden) more line\(hidden == 1 ? "" : "s") of the log: set SYNAPSE_VERBOSE=1 to see all of it)\n"
    }
}
