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

    /// CLBlast without a tuning result, on every device: our kernel is built per product shape,
    /// which only pays once the tuner has shown it wins.
    static func untuned(for problem: MatMulProblem, deviceKind: DeviceKind) -> MatMulAlgorithm { .clblast }

    static func fits(_ blocking: GemmBlocking) -> Bool {
        blocking.rowsPerItem * blocking.columnsPerItem <= maxTile
    }
}
