import Foundation

/// Writes to the error stream, where progress and messages go (stdout carries only results:
/// JSON lines with `--json`, tables otherwise).
enum StandardError {
    /// Whether stderr is a terminal (then progress redraws one line with `\r`).
    static let isTerminal = isatty(2) == 1

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Writes results to stdout, flushed at once so a reader sees each JSON line as it happens.
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
