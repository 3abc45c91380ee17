import SynapseBackend

/// One matrix product shape (`Primitive.matmul`'s sizes and transposes, `batch` products of
/// op(A) m×k by op(B) k×n): what tuning results are keyed on. Layouts (leading dimensions, batch
/// strides) are arguments of the kernels, not part of the key.
public struct MatMulProblem: Sendable, Hashable, CustomStringConvertible {
    public var transposeA: Bool, transposeB: Bool
    public var batch: Int, m: Int, n: Int, k: Int

    public init(transposeA: Bool, transposeB: Bool, batch: Int = 1, m: Int, n: Int, k: Int) {
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.batch = batch
        self.m = m
        self.n = n
        self.k = k
    }

    package init(_ shape: MatMulShape) {
        self.init(transposeA: shape.transposeA, transposeB: shape.transposeB, batch: shape.batch,
                  m: shape.m, n: shape.n, k: shape.k)
    }

    /// The stable text key of the tuning file: `matmul NT b1 256x120x400` (m×n×k).
    public var key: String { "matmul \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") b\(batch) \(m)x\(n)x\(k)" }

    public var description: String { key }

    public var flops: Double { 2 * Double(batch) * Double(m) * Double(n) * Double(k) }
}
