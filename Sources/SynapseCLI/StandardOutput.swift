import Foundation

/// Writes results to stdout, flushed at once so a reader sees each JSON line as it happens.
///
/// Under `--json` stdout must carry nothing but JSON lines, yet libraries print there on their own:
/// CLBlast writes the compiler log of a kernel that fails to build (a bad tuning file) with
/// `printf`. `reserveForResults()` therefore gives Synapse's results a private duplicate of stdout
/// and points descriptor 1 at stderr, before any device exists, so whatever a library prints lands
/// on stderr.
enum StandardOutput {
    /// Where results go: stdout, or its private duplicate after `reserveForResults()`. Set once,
    /// before the command runs, on the main thread.
    nonisolated(unsafe) private static var results = FileHandle.standardOutput

    static func write(_ text: String) {
        results.write(Data(text.utf8))
    }

    /// Keeps stdout for `write` alone: results go to a duplicate of descriptor 1, and descriptor 1
    /// becomes a copy of stderr. Left as it was if a descriptor cannot be duplicated.
    static func reserveForResults() {
        fflush(nil)  // whatever C stdio holds for stdout goes out before the switch
        let duplicate = fcntl(1, F_DUPFD_CLOEXEC, 3)
        guard duplicate >= 0 else { return }
        guard dup2(2, 1) >= 0 else { close(duplicate); return }
        results = FileHandle(fileDescriptor: duplicate, closeOnDealloc: false)
    }
}

/// A command with a `--json` flag, which reserves stdout for its JSON lines.
protocol JSONOutputCommand {
    var writesJSON: Bool { get }
}

extension TrainCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
extension EvalCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
extension DevicesCommand: JSONOutputCommand { var writesJSON: Bool { output.json } }
