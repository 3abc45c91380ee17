import CSynapseOpenCL
import SynapseBackend

/// Split-K GEMM for products whose inner dimension dwarfs the output, as in convolution weight
/// gradients: LeNet's conv1 reduces 200,704 products into a 6×25 result, which a plain GEMM gives to
/// one or two work-groups while the rest of the GPU idles. Here `k` is cut into slices, each slice's
/// partial product goes to its own `[m, n]` block of a scratch buffer (one strided-batched call per
/// group), and one kernel sums the blocks into the target in a fixed order (deterministic, no atomics).
public struct SplitKPlan: Equatable, Sendable {
    /// Length of every slice but the last.
    public let sliceLength: Int
    /// Slices of exactly `sliceLength`.
    public let fullSlices: Int
    /// Length of the last, shorter slice (0 when `sliceLength` divides `k`).
    public let remainder: Int

    public var slices: Int { fullSlices + (remainder > 0 ? 1 : 0) }

    /// Slices of `length` (the last one shorter) covering `k`.
    public init(k: Int, sliceLength length: Int) {
        sliceLength = length
        fullSlices = k / length
        remainder = k - fullSlices * length
    }

    /// Output tile edge assumed when counting how many work-groups a plain GEMM would keep busy.
    public static let tileEdge = 64
    /// Shortest slice worth a GEMM of its own.
    public static let minimumSliceLength = 1024

    /// Fewest slices a split must bring: splitting costs a pass over the partial products and, for
    /// grouped products, a call per group, which on the H100 made AlexNet's conv3-5 weight gradients
    /// (2 slices wanted) slower; LeNet-5 (196 slices) and AlexNet conv1 (22) gained 5-80×.
    public static let minimumSlices = 8

    /// The plan for an `m×n` product (per group) over `k` on a device with `computeUnits`, or nil when
    /// a plain GEMM's output tiles already keep a good part of the device busy (the split aims at
    /// about two work-groups per compute unit).
    public static func choose(m: Int, n: Int, k: Int, groups: Int, computeUnits: Int) -> SplitKPlan? {
        let tiles = ((m + tileEdge - 1) / tileEdge) * ((n + tileEdge - 1) / tileEdge) * groups
        let wanted = (2 * computeUnits + tiles - 1) / tiles
        guard wanted >= minimumSlices else { return nil }
        let slices = min(wanted, k / minimumSliceLength)
        guard slices >= 2 else { return nil }
        // Slices start on 64-element boundaries, which keeps CLBlast's loads aligned.
        let length = ((k + slices - 1) / slices + 63) / 64 * 64
        return SplitKPlan(k: k, sliceLength: length)
    }
}

extension OpenCLDevice {
    /// When set, every GEMM that can be split is split into slices of this length (tests use it to
    /// exercise split-K, its short last slice and its accumulation on small shapes).
    @TaskLocal public static var splitKSliceLengthOverride: Int?

    /// The split for an `m×n×k` product in `groups` groups on this device, or nil for a plain GEMM.
    func splitKPlan(m: Int, n: Int, k: Int, groups: Int) -> SplitKPlan? {
        if let length = OpenCLDevice.splitKSliceLengthOverride {
            return k > length ? SplitKPlan(k: k, sliceLength: max(1, length)) : nil
        }
        return SplitKPlan.choose(m: m, n: n, k: k, groups: groups, computeUnits: info.computeUnits)
    }

    /// `C = A·B + beta·C` for each of `groups` groups (operands advance by their `batchStride` per
    /// group), computed slice by slice along `k` as `plan` says. `c` must be the contiguous
    /// `[groups, m, n]` block (ld `n`, group stride `m·n`).
    func gemmSplitK(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand, beta: Float,
                    groups: Int, plan: SplitKPlan, _ op: String) throws {
        guard c.ld == n, groups == 1 || c.batchStride == m * n, !c.transposed else {
            throw DeviceError.unsupported("\(op): split-K needs a contiguous [groups, m, n] result")
        }
        let blockSize = groups * m * n
        let partial = try scratch(plan.slices * blockSize)
        defer { release(partial) }
        let partialMem = try mem(partial, op)
        // Element step from one slice of an operand to the next: along a row where k is the
        // column index, down `length` rows where k is the row index.
        func step(_ operand: GemmOperand, kIsColumn: Bool) -> Int {
            kIsColumn ? plan.sliceLength : plan.sliceLength * operand.ld
        }
        let aStep = step(a, kIsColumn: !a.transposed), bStep = step(b, kIsColumn: b.transposed)
        for group in 0..<groups {
            var sliceA = a, sliceB = b
            sliceA.offset += group * a.batchStride; sliceA.batchStride = aStep
            sliceB.offset += group * b.batchStride; sliceB.batchStride = bStep
            var sliceC = GemmOperand(mem: partialMem, offset: group * m * n, ld: n, transposed: false,
                                     batchStride: blockSize)
            if plan.fullSlices > 0 {
                try gemmStridedBatched(m: m, n: n, k: plan.sliceLength, sliceA, sliceB, sliceC, beta: 0,
                                       batch: plan.fullSlices, op)
            }
            if plan.remainder > 0 {
                sliceA.offset += plan.fullSlices * aStep
                sliceB.offset += plan.fullSlices * bStep
                sliceC.offset += plan.fullSlices * blockSize
                try gemm(m: m, n: n, k: plan.remainder, sliceA, sliceB, sliceC, beta: 0, op)
            }
        }
        try launch("sum_slices_f32", global: blockSize,
                   [.buffer(c.mem), .i(c.offset), .buffer(partialMem), .i(plan.slices), .i(blockSize), .float(beta)])
    }
}
