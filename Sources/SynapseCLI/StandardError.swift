import Foundation

/// Writes to the error stream, where progress and messages go (stdout carries only results:
/// JSON lines with `--json`, tables otherwise).
enum StandardError {
    /// Whether stderr is a terminal (then progress redraws one line with `\r`).
    static let isTerminal = isatty(2) == 1

    static func write(_ text: String) {
        fflush(nil)  // what libraries left in C stdio buffers comes first, as it happened first
        FileHandle.standardError.write(Data(text.utf8))
    }
}
