import Synapse

/// A differentiable tensor function with fixed inputs: its `backward()` is checked against finite
/// differences on a device, and its forward result and gradients against the reference device.
public struct GradientCase: Sendable {
    /// One input's values (row-major) and shape.
    public struct Input: Sendable {
        public var values: [Float]
        public var shape: [Int]
        public init(values: [Float], shape: [Int]) { self.values = values; self.shape = shape }
    }

    public var name: String
    /// The op family the report groups it under (`elementwise`, `convolution`, …).
    public var family: String
    public var inputs: [Input]
    public var function: @Sendable ([Tensor]) -> Tensor

    public init(_ name: String, _ family: String, inputs: [Input], _ function: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name; self.family = family; self.inputs = inputs; self.function = function
    }

    /// The finite-difference check of this case.
    public var gradientCheck: GradientCheck { GradientCheck(inputs: inputs) }
}

extension ConformanceRunner {
    /// One gradient case: finite differences on `device`, and unless `device` is `reference`, the
    /// forward result and gradients against `reference`.
    public static func evaluate(_ gradientCase: GradientCase, on device: any Device,
                                reference: any Device = CPUDevice.shared) -> [ConformanceResult] {
        let g = gradientCase, check = g.gradientCheck
        var results: [ConformanceResult] = []
        do {
            let m = try check.measure(on: device, g.function)
            results.append(ConformanceResult(name: "gradient \(g.name)", row: "gradient.\(g.family)", check: .gradient, measure: m,
                                             tolerance: check.tolerance, problems: problems(m, "backward() vs finite differences", check.tolerance)))
        } catch {
            results.append(ConformanceResult(name: "gradient \(g.name)", row: "gradient.\(g.family)", check: .gradient,
                                             measure: ErrorMeasure(), tolerance: check.tolerance, problems: ["\(device.info.spec) failed: \(error)"]))
        }
        guard device !== reference else { return results }
        let tolerance = Tolerance.tensorOp
        let row = "tensor-op.\(g.family)"
        do {
            let forward = ErrorMeasure(try check.forward(on: device, g.function), try check.forward(on: reference, g.function), tolerance)
            var measure = forward
            var found = problems(forward, "forward vs \(reference.info.spec)", tolerance)
            let gradients = try check.analytic(on: device, g.function), expected = try check.analytic(on: reference, g.function)
            for (index, (a, e)) in zip(gradients, expected).enumerated() {
                let m = ErrorMeasure(a, e, tolerance)
                found += problems(m, "gradient of input \(index) vs \(reference.info.spec)", tolerance)
                measure = measure.merged(with: m)
            }
            results.append(ConformanceResult(name: "tensor-op \(g.name)", row: row, check: .tensorOp, measure: measure,
                                             tolerance: tolerance, problems: found))
        } catch {
            results.append(ConformanceResult(name: "tensor-op \(g.name)", row: row, check: .tensorOp, measure: ErrorMeasure(),
                                             tolerance: tolerance, problems: ["failed: \(error)"]))
        }
        return results
    }

    private static func problems(_ m: ErrorMeasure, _ what: String, _ tolerance: Tolerance) -> [String] {
        m.mismatches == 0 ? [] : ["\(what): \(m.mismatches) of \(m.elements) elements outside \(tolerance), first \(m.examples.joined(separator: ", "))"]
    }
}
