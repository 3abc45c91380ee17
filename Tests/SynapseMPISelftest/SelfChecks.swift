import Foundation
import SynapseDistributed

/// Records checks and prints one line per check, prefixed with the rank.
struct SelfChecks {
    let communicator: any Communicator
    private(set) var failures = 0
    private var count = 0

    init(_ communicator: any Communicator) { self.communicator = communicator }

    var rank: Int { communicator.rank }
    var size: Int { communicator.size }

    mutating func expect(_ condition: Bool, _ name: String, _ detail: @autoclosure () -> String = "") {
        count += 1
        if condition {
            say("ok \(name)")
        } else {
            failures += 1
            say("FAIL \(name): \(detail())")
        }
    }

    /// Runs `body`, failing `name` with the error it throws.
    mutating func run(_ name: String, _ body: (inout SelfChecks) throws -> Void) {
        do { try body(&self) } catch {
            count += 1
            failures += 1
            say("FAIL \(name): threw \(error)")
        }
    }

    func say(_ line: String) {
        print("rank \(rank): \(line)")
        fflush(nil)
    }

    /// Prints the summary and ends the process non-zero when a check failed.
    func finish() {
        say("done (\(count) checks, \(failures) failed, \(size) rank(s))")
        if failures > 0 {
            try? communicator.finalize()
            exit(1)
        }
    }
}

/// The first index where `actual` and `expected` differ, described, or nil when they are equal.
func firstDifference(_ actual: [Float], _ expected: [Float]) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count), expected \(expected.count)" }
    guard let i = actual.indices.first(where: { actual[$0] != expected[$0] }) else { return nil }
    return "[\(i)] = \(actual[i]), expected \(expected[i])"
}
