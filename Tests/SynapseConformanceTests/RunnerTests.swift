import Foundation
import SynapseTestSupport
import Testing

/// The runner passes an honest device, and fails a wrong one on exactly the primitive it gets
/// wrong, naming it in the table, the verdict and the JSON.
@Suite struct RunnerTests {
    @Test func theCPUPassesAndEveryPrimitiveHasARow() throws {
        let report = ConformanceRunner.run(on: CPUDevice.shared, cases: ConformanceSuite.cases)
        #expect(report.passed, "\(report.failureLines())")
        #expect(report.rows.map(\.name) == Primitive.allFamilyNames)
        #expect(report.cases == ConformanceSuite.cases.count)
        #expect(report.verdict.hasPrefix("PASS: cpu"))
        for name in Primitive.allFamilyNames { #expect(report.table.contains("\n\(name) "), "no row for \(name)") }
    }

    @Test(arguments: ["unary.exp", "binary.sigmoidBackward", "conv2dBackwardWeight", "adamStep", "random.normal"])
    func aPerturbedPrimitiveFailsAndIsNamed(family: String) throws {
        let device = PerturbedDevice(family: family)
        let report = ConformanceRunner.run(on: device, cases: ConformanceSuite.cases)
        #expect(!report.passed)
        #expect(report.failedRows == [family])
        let expected = ConformanceSuite.cases.filter { $0.family == family }.count
        #expect(report.failures.count == expected, "every \(family) case must fail, and no other")
        #expect(report.failures.allSatisfy { $0.row == family && $0.problems.contains { $0.contains("outside") } })
        let row = try #require(report.rows.first { $0.name == family })
        #expect(row.maxAbsError >= 0.9e-2 && row.maxAbsError <= 1.1e-2, "measured \(row.maxAbsError), perturbed by 1e-2")
        #expect(report.verdict.hasPrefix("FAIL: perturbed") && report.verdict.contains(family))
        #expect(report.table.split(separator: "\n").contains { $0.hasPrefix("\(family) ") && $0.hasSuffix("FAIL") })
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        #expect(json?["passed"] as? Bool == false)
        let failed = (json?["rows"] as? [[String: Any]])?.filter { $0["passed"] as? Bool == false }.compactMap { $0["name"] as? String }
        #expect(failed == [family])
    }

    @Test func writingOutsideTheOutputFails() {
        let report = ConformanceRunner.run(on: PerturbedDevice(family: "copy", fault: .writesPastTheEnd), cases: ConformanceSuite.cases)
        #expect(report.failedRows == ["copy"])
        #expect(report.failures.allSatisfy { $0.problems.contains { $0.contains("wrote 1 words outside output 0") } })
    }

    @Test func aDeviceErrorFailsItsCasesAndTheRunGoesOn() {
        let report = ConformanceRunner.run(on: PerturbedDevice(family: "softmax", fault: .fails), cases: ConformanceSuite.cases)
        #expect(report.failedRows == ["softmax"])
        #expect(report.cases == ConformanceSuite.cases.count)
        #expect(report.failures.first?.problems.first?.contains("broken on purpose") == true)
    }

    @Test func gradientChecksOfAPerturbedDeviceFail() {
        // exp's backward pass reuses exp's (perturbed) output, so backward() no longer matches the
        // finite differences, and the forward result no longer matches the CPU's.
        let exp = GradientSuite.cases.filter { $0.name == "exp" }
        #expect(exp.count == 1)
        let report = ConformanceRunner.run(on: PerturbedDevice(family: "unary.exp", fault: .offBy(0.5)), cases: [], gradients: exp)
        #expect(report.failedRows == ["gradient.elementwise", "tensor-op.elementwise"])
        let honest = ConformanceRunner.run(on: CPUDevice.shared, cases: [], gradients: exp)
        #expect(honest.passed && honest.rows.map(\.name) == ["gradient.elementwise"])
    }

    @Test func noCasesIsNotAPass() {
        let report = ConformanceRunner.run(on: CPUDevice.shared, cases: [])
        #expect(!report.passed)
        #expect(report.verdict.hasPrefix("FAIL"))
    }
}
