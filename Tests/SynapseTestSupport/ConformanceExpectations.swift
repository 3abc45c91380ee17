import Testing

/// Runs conformance `cases` on the test device `spec` against the CPU and records one test issue
/// per failed case, naming the case, the device and `context` (an override in force, say).
public func expectConformance(_ cases: [ConformanceCase], on spec: String, _ context: String = "",
                              sourceLocation: SourceLocation = #_sourceLocation) {
    let report = ConformanceRunner.run(on: TestDevices.device(spec), cases: cases)
    #expect(report.cases == cases.count && !cases.isEmpty, "no cases ran on \(spec)", sourceLocation: sourceLocation)
    recordFailures(report, context, sourceLocation: sourceLocation)
}

/// Runs one gradient case on the test device `spec`: finite differences there, and on devices
/// other than the CPU, forward results and gradients against the CPU's.
public func expectGradients(_ gradientCase: GradientCase, on spec: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let report = ConformanceRunner.run(on: TestDevices.device(spec), cases: [], gradients: [gradientCase])
    #expect(report.cases >= 1, "no check ran for \(gradientCase.name) on \(spec)", sourceLocation: sourceLocation)
    recordFailures(report, "", sourceLocation: sourceLocation)
}

private func recordFailures(_ report: ConformanceReport, _ context: String, sourceLocation: SourceLocation) {
    let suffix = context.isEmpty ? "" : " (\(context))"
    for failure in report.failures {
        Issue.record("\(failure.name) on \(report.device)\(suffix): \(failure.problems.joined(separator: "; "))",
                     sourceLocation: sourceLocation)
    }
}

extension GradientCase: CustomTestStringConvertible {
    public var testDescription: String { name }
}
