import Foundation
import SynapseTestSupport
import Testing

/// `synapse check` on the CPU and on every OpenCL device (PoCL in CI): it passes, lists every
/// primitive, and `--json` is one valid JSON document. (A device that gets a primitive wrong is
/// failed and named by the runner; see SynapseConformanceTests.)
@Suite struct CLICheckTests {
    @Test(arguments: TestDevices.specs)
    func checkPassesAndListsEveryPrimitive(device: String) throws {
        let result = try CLI.run(["check", "--device", device])
        #expect(result.status == 0, "stderr: \(result.stderr)\nstdout: \(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for family in Primitive.allFamilyNames {
            #expect(lines.contains { $0.hasPrefix("\(family) ") && $0.hasSuffix("pass") }, "no passing row for \(family)")
        }
        for family in Set(GradientSuite.cases.map(\.family)) {
            #expect(lines.contains { $0.hasPrefix("gradient.\(family) ") && $0.hasSuffix("pass") }, "no gradient row for \(family)")
        }
        #expect(lines.last?.hasPrefix("PASS: \(device) ") == true, "verdict: \(lines.last ?? "none")")
        #expect(result.stderrLines.contains { $0.hasPrefix("checking \(device): ") }, "no progress on stderr")
    }

    @Test(arguments: TestDevices.specs)
    func jsonIsOneDocument(device: String) throws {
        let result = try CLI.run(["check", "--device", device, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["device"] as? String == device)
        #expect(object["passed"] as? Bool == true)
        let rows = try #require(object["rows"] as? [[String: Any]])
        let names = rows.compactMap { $0["name"] as? String }
        #expect(Array(names.prefix(Primitive.allFamilyNames.count)) == Primitive.allFamilyNames)
        for row in rows {
            for key in ["cases", "maxAbsError", "maxRelError", "tolerance", "passed", "check"] {
                #expect(row[key] != nil, "row \(row["name"] ?? "?") lacks \(key)")
            }
        }
        #expect((object["failures"] as? [Any])?.isEmpty == true)
    }

    @Test func unknownDeviceIsOneErrorLine() throws {
        expectOneLineError(try CLI.run(["check", "--device", "tpu:3"]), mentions: ["tpu:3", "cpu"])
    }
}
