import CVectorMath
import Foundation
import SynapseBackend

/// Unary and binary maps, layout copy, fill and counter-based random numbers.
///
/// Every map has a contiguous fast path (one run per chunk) and a strided N-d path through
/// `StridedWalk`; either way the per-element work is a tight loop specialised per operation, with
/// broadcast inputs (stride 0) read once per run.
extension CPUDevice {
    /// Runs `.unary`: `y = op(x)` elementwise.
    package func unary(_ op: UnaryOp, x: BufferView, y: BufferView) throws {
        let xp = try floats(x), yp = try floats(y)
        let cost = op.isTranscendental ? 24 : 1
        if x.isContiguous {
            ParallelFor.run(y.count, costPerItem: cost) { range in
                applyUnary(op, xp + range.lowerBound, 1, yp + range.lowerBound, range.count)
            }
        } else {
            let walk = StridedWalk(shape: y.shape, a: x.strides)
            let inc = walk.innerStrideA
            ParallelFor.run(y.count, costPerItem: cost + 2) { range in
                walk.forEachRun(in: range) { position, offset, _, count in
                    applyUnary(op, xp + offset, inc, yp + position, count)
                }
            }
        }
    }

    /// Runs `.binary`: `y = op(a, b)` elementwise, broadcasting by stride 0.
    package func binary(_ op: BinaryOp, a: BufferView, b: BufferView, y: BufferView) throws {
        let ap = try floats(a), bp = try floats(b), yp = try floats(y)
        let cost: Int
        if case .powBackward = op { cost = 24 } else { cost = 1 }
        if a.isContiguous && b.isContiguous {
            ParallelFor.run(y.count, costPerItem: cost) { range in
                let start = range.lowerBound
                applyBinary(op, ap + start, 1, bp + start, 1, yp + start, range.count)
            }
        } else {
            let walk = StridedWalk(shape: y.shape, a: a.strides, b: b.strides)
            let (incA, incB) = (walk.innerStrideA, walk.innerStrideB)
            ParallelFor.run(y.count, costPerItem: cost + 2) { range in
                walk.forEachRun(in: range) { position, offsetA, offsetB, count in
                    applyBinary(op, ap + offsetA, incA, bp + offsetB, incB, yp + position, count)
                }
            }
        }
    }

    /// Runs `.copy`: strided view to contiguous output, bits unchanged.
    package func copy(x: BufferView, y: BufferView) throws {
        // Both dtypes are 4 bytes wide: move bits as UInt32.
        let xp = try address(x).assumingMemoryBound(to: UInt32.self)
        let yp = try address(y).assumingMemoryBound(to: UInt32.self)
        if x.isContiguous {
            ParallelFor.run(y.count, costPerItem: 1) { range in
                (yp + range.lowerBound).update(from: xp + range.lowerBound, count: range.count)
            }
            return
        }
        let walk = StridedWalk(shape: y.shape, a: x.strides)
        let inc = walk.innerStrideA
        ParallelFor.run(y.count, costPerItem: 4) { range in
            walk.forEachRun(in: range) { position, offset, _, count in
                let source = xp + offset, target = yp + position
                if inc == 1 {
                    target.update(from: source, count: count)
                } else {
                    for k in 0..<count { target[k] = source[k * inc] }
                }
            }
        }
    }

    /// Runs `.fill`: every element of the output set to `value` (truncated for int32).
    package func fill(_ value: Float, y: BufferView) throws {
        switch y.dtype {
        case .float32:
            let yp = try floats(y)
            ParallelFor.run(y.count, costPerItem: 1) { range in
                (yp + range.lowerBound).update(repeating: value, count: range.count)
            }
        case .int32:
            let integer = Int32(value.rounded(.towardZero))
            let yp = try int32s(y)
            ParallelFor.run(y.count, costPerItem: 1) { range in
                (yp + range.lowerBound).update(repeating: integer, count: range.count)
            }
        }
    }

    /// Runs `.random`: element `i` is `CounterRandom.sample(distribution, seed, offset + i)`.
    package func random(_ distribution: RandomDistribution, seed: UInt64, offset: UInt64, y: BufferView) throws {
        let yp = try floats(y)
        ParallelFor.run(y.count, costPerItem: 40) { range in
            for i in range {
                yp[i] = CounterRandom.sample(distribution, seed: seed, index: offset &+ UInt64(i))
            }
        }
    }
}

extension UnaryOp {
    /// Whether the op calls into libm (and so costs tens of cycles per element).
    var isTranscendental: Bool {
        switch self {
        case .exp, .log, .tanh, .sigmoid, .powScalar: return true
        case .negate, .sqrt, .abs, .relu, .square, .reciprocal, .addScalar, .mulScalar, .reverseSubScalar: return false
        }
    }
}

/// `y[k] = f(x[k * inc])` for `k < count`, with the unit-stride and broadcast cases split out so
/// they vectorise.
@inline(__always)
private func map(_ x: UnsafePointer<Float>, _ inc: Int, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                 _ f: (Float) -> Float) {
    if inc == 1 {
        for k in 0..<count { y[k] = f(x[k]) }
    } else if inc == 0 {
        y.update(repeating: f(x[0]), count: count)
    } else {
        for k in 0..<count { y[k] = f(x[k * inc]) }
    }
}

/// One run of a unary op.
private func applyUnary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ inc: Int,
                        _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    switch op {
    case .negate: map(x, inc, y, count) { -$0 }
    // Contiguous exp, tanh and sigmoid go to the AVX2 kernels of CVectorMath where the CPU has them.
    case .exp:
        if inc == 1 { if synapse_exp_f32(x, y, count) == 0 { for k in 0..<count { y[k] = VectorMath.exp(x[k]) } } }
        else { map(x, inc, y, count, VectorMath.exp) }
    case .log: map(x, inc, y, count) { Foundation.log($0) }
    case .sqrt: map(x, inc, y, count) { $0.squareRoot() }
    case .abs: map(x, inc, y, count) { Swift.abs($0) }
    case .relu: map(x, inc, y, count) { $0 < 0 ? 0 : $0 }  // NaN passes through, as in PyTorch
    // Written out so the contiguous loops vectorise (a closure argument kept them scalar).
    case .tanh:
        if inc == 1 { if synapse_tanh_f32(x, y, count) == 0 { for k in 0..<count { y[k] = VectorMath.tanh(x[k]) } } }
        else { map(x, inc, y, count, VectorMath.tanh) }
    case .sigmoid:
        if inc == 1 { if synapse_sigmoid_f32(x, y, count) == 0 { for k in 0..<count { y[k] = VectorMath.sigmoid(x[k]) } } }
        else { map(x, inc, y, count, VectorMath.sigmoid) }
    case .square: map(x, inc, y, count) { $0 * $0 }
    case .reciprocal: map(x, inc, y, count) { 1 / $0 }
    case let .addScalar(c): map(x, inc, y, count) { $0 + c }
    case let .mulScalar(c): map(x, inc, y, count) { $0 * c }
    case let .powScalar(c):
        if c == 2 { map(x, inc, y, count) { $0 * $0 } }
        else if c == 1 { map(x, inc, y, count) { $0 } }
        else { map(x, inc, y, count) { Foundation.pow($0, c) } }
    case let .reverseSubScalar(c): map(x, inc, y, count) { c - $0 }
    }
}

/// `y[k] = f(a[k * incA], b[k * incB])` with the common stride combinations split out.
@inline(__always)
private func zipMap(_ a: UnsafePointer<Float>, _ incA: Int, _ b: UnsafePointer<Float>, _ incB: Int,
                    _ y: UnsafeMutablePointer<Float>, _ count: Int, _ f: (Float, Float) -> Float) {
    if incA == 1 && incB == 1 {
        for k in 0..<count { y[k] = f(a[k], b[k]) }
    } else if incA == 1 && incB == 0 {
        let s = b[0]
        for k in 0..<count { y[k] = f(a[k], s) }
    } else if incA == 0 && incB == 1 {
        let s = a[0]
        for k in 0..<count { y[k] = f(s, b[k]) }
    } else {
        for k in 0..<count { y[k] = f(a[k * incA], b[k * incB]) }
    }
}

/// One run of a binary op.
private func applyBinary(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ incA: Int, _ b: UnsafePointer<Float>, _ incB: Int,
                         _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    switch op {
    case .add: zipMap(a, incA, b, incB, y, count) { $0 + $1 }
    case .sub: zipMap(a, incA, b, incB, y, count) { $0 - $1 }
    case .mul: zipMap(a, incA, b, incB, y, count) { $0 * $1 }
    case .div: zipMap(a, incA, b, incB, y, count) { $0 / $1 }
    // NaN wins, as in torch.maximum / torch.minimum.
    case .maximum: zipMap(a, incA, b, incB, y, count) { ($0 > $1 || $0.isNaN) ? $0 : $1 }
    case .minimum: zipMap(a, incA, b, incB, y, count) { ($0 < $1 || $0.isNaN) ? $0 : $1 }
    case .equal: zipMap(a, incA, b, incB, y, count) { $0 == $1 ? 1 : 0 }
    case .reluBackward: zipMap(a, incA, b, incB, y, count) { $1 > 0 ? $0 : 0 }
    case .tanhBackward: zipMap(a, incA, b, incB, y, count) { $0 * (1 - $1 * $1) }
    case .sigmoidBackward: zipMap(a, incA, b, incB, y, count) { $0 * $1 * (1 - $1) }
    case let .powBackward(c):
        // d/db b^c = c b^(c-1); PyTorch defines it as 0 everywhere for c == 0.
        if c == 0 { zipMap(a, incA, b, incB, y, count) { _, _ in 0 } }
        else if c == 2 { zipMap(a, incA, b, incB, y, count) { $0 * 2 * $1 } }
        else { zipMap(a, incA, b, incB, y, count) { $0 * c * Foundation.pow($1, c - 1) } }
    }
}
