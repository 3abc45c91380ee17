import Foundation

/// Checks a differentiable function's gradients against central finite differences.
///
/// The scalar probed is `L = Σ r_i f(x)_i` with fixed random weights `r`, so every output element
/// matters. The function runs on the device in float32; the difference quotients and `L` are
/// accumulated in Double on the host.
public struct GradientCheck {
    /// Input values (row-major) and shapes.
    public var inputs: [(values: [Float], shape: [Int])]
    /// Finite-difference step.
    public var step: Float = 1e-2
    public var atol: Float = 1e-2
    public var rtol: Float = 1e-2

    public init(inputs: [(values: [Float], shape: [Int])], step: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 1e-2) {
        self.inputs = inputs; self.step = step; self.atol = atol; self.rtol = rtol
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

    /// Worst tolerance ratio between analytic and numeric gradients over all inputs (≤ 1 passes).
    public func worstRatio(on device: any Device, _ function: ([Tensor]) -> Tensor) throws -> Float {
        let a = try analytic(on: device, function), n = try numeric(on: device, function)
        return zip(a, n).map { toleranceRatio($0.0, $0.1, atol: atol, rtol: rtol) }.max() ?? 0
    }

    private func projection(count: Int) -> [Float] {
        var random = HostRandom(seed: 99)
        return random.array(count, 0.5, 1.5)
    }
}
