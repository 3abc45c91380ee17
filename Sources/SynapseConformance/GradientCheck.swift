import Synapse

/// Checks a differentiable function's gradients against central finite differences.
///
/// The scalar probed is `L = Σ r_i f(x)_i` with fixed random weights `r`, so every output element
/// matters. The function runs on the device in float32; the difference quotients and `L` are
/// accumulated in Double on the host.
public struct GradientCheck: Sendable {
    /// Input values (row-major) and shapes.
    public var inputs: [GradientCase.Input]
    /// Finite-difference step.
    public var step: Float
    /// How close `backward()` must come to the difference quotients.
    public var tolerance: Tolerance

    public init(inputs: [GradientCase.Input], step: Float = 1e-2, tolerance: Tolerance = .finiteDifference) {
        self.inputs = inputs; self.step = step; self.tolerance = tolerance
    }

    /// The function's result without gradients.
    public func forward(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> [Float] {
        try withoutGradient { try function(inputs.map { Tensor($0.values, shape: $0.shape, on: device) }).toArray() }
    }

    /// The analytic gradients from `backward()`, one array per input.
    public func analytic(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> [[Float]] {
        let tensors = inputs.map { Tensor($0.values, shape: $0.shape, on: device, requiresGradient: true) }
        let output = function(tensors)
        let weights = Tensor(projection(count: output.count), shape: output.shape, on: device)
        (output * weights).sum().backward()
        return try tensors.map { try ($0.gradient ?? Tensor.zeros($0.shape, on: device)).toArray() }
    }

    /// Central differences of `L` for every element of every input.
    public func numeric(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> [[Float]] {
        func loss(_ values: [[Float]]) throws -> Double {
            let output = try withoutGradient {
                try function(zip(values, inputs).map { Tensor($0.0, shape: $0.1.shape, on: device) }).toArray()
            }
            return zip(output, projection(count: output.count)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var base = inputs.map(\.values)
        var result: [[Float]] = []
        for i in base.indices {
            var gradient = [Float](repeating: 0, count: base[i].count)
            for j in base[i].indices {
                let original = base[i][j]
                base[i][j] = original + step
                let plus = try loss(base)
                base[i][j] = original - step
                let minus = try loss(base)
                base[i][j] = original
                gradient[j] = Float((plus - minus) / (2 * Double(step)))
            }
            result.append(gradient)
        }
        return result
    }

    /// `backward()` against the difference quotients over all inputs.
    public func measure(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> ErrorMeasure {
        let a = try analytic(on: device, function), n = try numeric(on: device, function)
        return zip(a, n).reduce(ErrorMeasure()) { $0.merged(with: ErrorMeasure($1.0, $1.1, tolerance)) }
    }

    /// Worst `|analytic - numeric| / (abs + rel * |numeric|)` over all inputs (at most 1 passes).
    public func worstRatio(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> Float {
        let a = try analytic(on: device, function), n = try numeric(on: device, function)
        var worst: Float = 0
        for (x, y) in zip(a.joined(), n.joined()) {
            if x.isNaN != y.isNaN { return .infinity }
            if x.isNaN { continue }
            worst = max(worst, Swift.abs(x - y) / (tolerance.abs + tolerance.rel * Swift.abs(y)))
        }
        return worst
    }

    private func projection(count: Int) -> [Float] {
        var random = SeededRandom(99)
        return random.floats(count, 0.5...1.5)
    }
}
