import Foundation
import SynapseTestSupport
import Testing

/// `synapse train` in a real terminal: tmux panes 40, 80 and 200 columns wide. Everything the
/// program writes is recorded (`pipe-pane`) and the final screen captured: no line the program
/// draws is wider than the pane, no stale partial line remains on screen, and an evaluation phase
/// with its own bar was drawn. With `SYNAPSE_RECORD_DOCS=1` the screens are saved as
/// `docs/screens/progress-<width>.txt`.
@Suite(.serialized) struct CLITerminalTests {
    static var tmuxAvailable: Bool { (try? TestEnvironment.run(["tmux", "-V"]).status) == 0 }  // -V starts no server

    @Test(.enabled(if: FashionMNISTFiles.shouldRun && (tmuxAvailable || CLI.isCI), "Fashion-MNIST or tmux missing"),
          arguments: [40, 80, 200])
    func progressFitsThePane(width: Int) throws {
        let binary = try #require(CLI.binary, "the synapse executable was not found")
        let data = try FashionMNISTFiles.directory()
        let scratch = NSTemporaryDirectory() + "synapse-tmux-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let session = TmuxSession(socket: scratch + "/tmux.sock", width: width, height: 40)
        defer { session.kill() }

        let recording = scratch + "/output.raw", done = scratch + "/done", go = scratch + "/go"
        // The pane runs a script rather than a typed command, so the recording holds only what the
        // program writes; the script waits for `go` until the recording has started.
        let script = scratch + "/run.sh"
        try """
        while [ ! -f \(go) ]; do sleep 0.05; done
        \(binary) train --device cpu --data-dir \(data) --limit-train 6400 --limit-test 2000 --batch-size 64 --epochs 2 --seed 1
        echo $? > \(done)
        exec sleep 600
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try session.start(script: script, recording: recording)
        FileManager.default.createFile(atPath: go, contents: nil)
        var midRun: String?
        let deadline = Date().addingTimeInterval(600)
        while !FileManager.default.fileExists(atPath: done) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            if midRun == nil, let screen = try? session.capture(), screen.contains("[=") { midRun = screen }
        }
        try #require(FileManager.default.fileExists(atPath: done), "synapse train did not finish in the pane")
        Thread.sleep(forTimeInterval: 0.3)  // the last output reaches the pane and the recording
        let screen = try session.capture()
        #expect(try String(contentsOfFile: done, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "\(screen)")

        // What the program drew: split at every carriage return and newline, escape sequences removed.
        let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: recording)), as: UTF8.self)
        let drawn = raw.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
            .components(separatedBy: CharacterSet(charactersIn: "\r\n"))
        #expect(drawn.contains { $0.contains("evaluating") && $0.contains("[") }, "no evaluation phase was drawn")
        #expect(drawn.contains { $0.hasPrefix("epoch 1/2") && $0.contains("%") && $0.contains("loss") })
        for line in drawn where line.count > width - 1 {
            Issue.record("a line of \(line.count) columns in a \(width)-column pane: \(line)")
        }

        // The final screen holds only the start, epoch and summary lines (wrapped to fit).
        let lines = screen.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        for line in lines {
            #expect(!line.contains("[=") && !line.contains("evaluating") && !line.contains("..."),
                    "stale progress on screen: \(line)")
            #expect(line.count <= width)
        }
        #expect(lines.contains { $0.hasPrefix("training lenet5") })
        #expect(lines.filter { $0.hasPrefix("epoch ") }.count == 2, "\(screen)")
        #expect(lines.contains { $0.hasPrefix("done: best test acc") })
        #expect(screen.contains("train acc"))

        if ProcessInfo.processInfo.environment["SYNAPSE_RECORD_DOCS"] != nil {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let file = root.appendingPathComponent("docs/screens/progress-\(width).txt")
            let text = "# synapse train in a \(width)-column tmux pane (CPU, Fashion-MNIST subset)\n"
                + "# during the first epoch:\n" + Self.trimmed(midRun ?? "") + "\n# at the end:\n" + Self.trimmed(screen) + "\n"
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    /// The screen without trailing blank lines.
    static func trimmed(_ screen: String) -> String { screen.trimmingCharacters(in: .newlines) }
}

/// A detached tmux session on its own server (socket), so nothing of the user's tmux is touched.
struct TmuxSession {
    let socket: String
    let width: Int
    let height: Int

    /// Starts `bash script` in a `width`×`height` pane, recording all it writes to `recording`.
    func start(script: String, recording: String) throws {
        // The client that starts the server runs under Python with every other descriptor closed:
        // the server inherits the client's descriptors, and Foundation's Process waits for the one
        // it watches (and for the output pipe) to close, which a server holding it never does.
        let spawn = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, "
            + "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)"
        let (status, output) = try TestEnvironment.run([
            "python3", "-c", spawn, "tmux", "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "synapse",
            "-x", "\(width)", "-y", "\(height)", "env", "TERM=xterm-256color", "bash", "--norc", "--noprofile", script,
        ])
        guard status == 0 else { throw CLIError("tmux new-session failed: \(output)") }
        try tmux(["set-option", "-t", "synapse", "window-size", "manual"])
        try tmux(["resize-window", "-t", "synapse", "-x", "\(width)", "-y", "\(height)"])
        try tmux(["pipe-pane", "-t", "synapse", "-o", "cat >> '\(recording)'"])
    }

    /// The pane's visible text.
    func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", "synapse"]) }

    func kill() { _ = try? tmux(["kill-server"]) }

    /// Runs a tmux client of the running server.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outputPath = socket + ".out"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "-S", socket] + arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw CLIError("tmux \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }
}
