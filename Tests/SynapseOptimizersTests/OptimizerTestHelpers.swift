import SynapseTestSupport
import Testing

/// Expects elementwise agreement within `tolerance` (absolute + relative).
func expectValues(_ actual: [Float], _ expected: [Double], tolerance: Double = 1e-6,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(Double(a) - e) <= tolerance * (1 + abs(e))) {
        Issue.record("element \(i): \(a) vs expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

/// One parameter `[1, -2]` and the gradients of two steps, `[0.5, 1]` then `[0.2, -0.4]`.
struct TwoSteps {
    static let start: [Float] = [1, -2]
    static let gradients: [[Float]] = [[0.5, 1], [0.2, -0.4]]

    /// Values after each of two steps of the optimizer `make` builds.
    static func run(on device: any Device, _ make: ([Parameter]) -> any Optimizer) -> [[Float]] {
        let parameter = Parameter(Tensor(start, on: device))
        let optimizer = make([parameter])
        return gradients.map { g in
            parameter.value.gradient = Tensor(g, on: device)
            optimizer.step()
            optimizer.zeroGradients()
            return hostValues(parameter.value)
        }
    }
}
