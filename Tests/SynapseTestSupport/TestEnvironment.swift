import Foundation
import Synapse
import Testing

/// Shared helpers for the SynapseData tests: scratch directories, the CI switch, and
/// checks that an error is the expected `DataError` and names the file.
public enum TestEnvironment {
    /// In CI (`CI` set) a missing real dataset or missing Python package is a failure.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// A fresh empty directory under the system temporary directory; pair with `remove`.
    public static func scratchDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "synapse-data-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Deletes a scratch directory and everything in it.
    public static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `bytes` to `path` (non-atomically; fixtures only).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The names in `directory`, sorted.
    public static func listing(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// Runs an executable from `PATH` with arguments and no standard input; returns exit status and
    /// combined output.
    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// Runs `body`, expects it to throw a `DataError` that `matches`, and whose description
/// contains every string in `mentions` (typically the file name and the key).
public func expectDataError(
    mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void, matches: (DataError) -> Bool
) {
    do {
        try body()
        Issue.record("expected a DataError mentioning \(mentions), but nothing was thrown",
                     sourceLocation: sourceLocation)
    } catch let error as DataError {
        #expect(matches(error), "unexpected error case: \(error)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(error.description.contains(text), "\"\(error)\" does not mention \(text)",
                    sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a DataError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

/// The bytes of a safetensors file with a header written by hand and the given data bytes.
public func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    let json = Array(header.utf8)
    let length = UInt64(json.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) } + json + data
}
