import SynapseBackend

/// The GEMM algorithms the tuner tries for a product, and the one used untuned.
enum GemmCandidates {
    /// Largest register tile a candidate may use (the kernel's private accumulators).
    static let maxTile = 64

    /// CLBlast first (the reference and fallback), then our kernel's blockings that fit.
    static func all(for problem: MatMulProblem, deviceKind: DeviceKind) -> [MatMulAlgorithm] {
        let gpu = deviceKind == .gpu
        var blockings: [GemmBlocking] = []
        for rows in gpu ? [4, 8] : [2, 4, 8] where rows <= max(problem.m, 2) {
            for columns in [4, 8] {
                for group in gpu ? [64, 128] : [16] {
                    blockings.append(GemmBlocking(rowsPerItem: rows, columnsPerItem: columns, groupSize: group))
                }
            }
        }
        return [.clblast] + blockings.filter(fits).map(MatMulAlgorithm.own)
    }

    /// Without a tuning result: on a CPU device (PoCL) our kernel, which beat CLBlast on most
    /// LeNet-5 and AlexNet dense-layer shapes there and keeps a step free of CLBlast's own commands
    /// (so it can be recorded into a command buffer); elsewhere CLBlast, whose GPU kernels are
    /// tuned, until the tuner shows ours wins.
    static func untuned(for problem: MatMulProblem, deviceKind: DeviceKind) -> MatMulAlgorithm {
        guard deviceKind == .cpu else { return .clblast }
        let rows = [8, 4, 2].first { $0 <= max(problem.m, 2) }!
        return .own(GemmBlocking(rowsPerItem: rows, columnsPerItem: problem.n >= 8 ? 8 : 4, groupSize: 16))
    }

    static func fits(_ blocking: GemmBlocking) -> Bool {
        blocking.rowsPerItem * blocking.columnsPerItem <= maxTile
    }
}
