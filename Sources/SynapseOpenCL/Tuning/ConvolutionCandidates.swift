import SynapseBackend

/// The algorithms the tuner tries for a convolution problem, and the one used untuned.
enum ConvolutionCandidates {
    /// Largest register tile and input span a candidate may use (private arrays of the kernel).
    static let maxTile = 64, maxSpan = 64

    /// im2col + CLBlast first (the reference and fallback), then direct blockings that fit: a
    /// small set per device class, so tuning a network takes seconds, not minutes.
    static func all(for problem: ConvolutionProblem, deviceKind: DeviceKind) -> [ConvolutionAlgorithm] {
        guard problem.directIsSupported else { return [.im2colGEMM] }
        let g = problem.geometry
        let gpu = deviceKind == .gpu
        var blockings: [DirectConvolutionBlocking] = []
        switch problem.pass {
        case .forward, .inputGradient:
            let (channels, columns) = problem.pass == .forward
                ? (g.outChannelsPerGroup, g.outWidth) : (g.inChannelsPerGroup, g.inWidth)
            for tm in tileSizes(channels, gpu ? [4, 8] : [2, 4, 8, divisorTile(channels)]) {
                for tn in tileSizes(columns, [4, balancedColumns(columns)]) {
                    for group in gpu ? [64, 128] : [16] {
                        blockings.append(DirectConvolutionBlocking(outputsPerItem: tm, columnsPerItem: tn, groupSize: group))
                    }
                }
            }
        case .weightGradient:
            for tm in tileSizes(g.outChannelsPerGroup, gpu ? [2, 4, 8] : [2, 4, divisorTile(g.outChannelsPerGroup)]) {
                for tn in tileSizes(g.outWidth, gpu ? [balancedColumns(g.outWidth)] : [4, balancedColumns(g.outWidth)]) {
                    for slices in (gpu ? [8, 32] : [1, 4]) where slices <= g.batch {
                        blockings.append(DirectConvolutionBlocking(outputsPerItem: tm, columnsPerItem: tn,
                                                                   groupSize: gpu ? 64 : 8, slices: slices))
                    }
                }
            }
        }
        return [.im2colGEMM] + blockings.filter { fits($0, problem) }.map(ConvolutionAlgorithm.direct)
    }

    /// What runs without a tuning result: on a CPU device (PoCL) the direct kernels with a blocking
    /// that did well on LeNet-5 and AlexNet layers; elsewhere im2col + CLBlast, which has its own
    /// tuned parameters for common GPUs.
    static func untuned(for problem: ConvolutionProblem, deviceKind: DeviceKind) -> ConvolutionAlgorithm {
        guard deviceKind == .cpu, problem.directIsSupported else { return .im2colGEMM }
        let g = problem.geometry
        let blocking: DirectConvolutionBlocking
        switch problem.pass {
        case .forward:
            blocking = DirectConvolutionBlocking(outputsPerItem: divisorTile(g.outChannelsPerGroup),
                                                 columnsPerItem: balancedColumns(g.outWidth), groupSize: 16)
        case .inputGradient:
            blocking = DirectConvolutionBlocking(outputsPerItem: divisorTile(g.inChannelsPerGroup),
                                                 columnsPerItem: balancedColumns(g.inWidth), groupSize: 16)
        case .weightGradient:
            blocking = DirectConvolutionBlocking(outputsPerItem: divisorTile(g.outChannelsPerGroup),
                                                 columnsPerItem: balancedColumns(g.outWidth), groupSize: 8,
                                                 slices: g.batch >= 4 ? 4 : 1)
        }
        return fits(blocking, problem) ? .direct(blocking) : .im2colGEMM
    }

    /// Whether `algorithm` can compute `problem` in this build: im2col always; a direct blocking
    /// where the pass has a direct kernel and the blocking `fits` (a hand-edited tuning file or a
    /// forced test candidate may name one that cannot).
    static func canRun(_ algorithm: ConvolutionAlgorithm, _ problem: ConvolutionProblem) -> Bool {
        guard case let .direct(blocking) = algorithm else { return true }
        return problem.directIsSupported && fits(blocking, problem)
    }

    /// Whether the kernel's private arrays stay small for `blocking`.
    static func fits(_ blocking: DirectConvolutionBlocking, _ problem: ConvolutionProblem) -> Bool {
        let g = problem.geometry
        let strideX = problem.pass == .inputGradient ? 1 : g.strideX
        let span = (blocking.columnsPerItem - 1) * strideX + (g.kernelWidth - 1) * g.dilationX + 1
        let tile = blocking.outputsPerItem * (problem.pass == .weightGradient ? g.kernelWidth : blocking.columnsPerItem)
        return span <= maxSpan && tile <= maxTile
    }

    /// Columns per item that split `width` into equal blocks of at most 12.
    static func balancedColumns(_ width: Int) -> Int {
        let blocks = (width + 11) / 12
        return (width + blocks - 1) / blocks
    }

    /// The largest of 4, 3, 2, 1 that divides `channels` (no idle lanes in the last block).
    static func divisorTile(_ channels: Int) -> Int {
        [4, 3, 2].first { channels % $0 == 0 } ?? 1
    }

    /// `choices` no larger than `extent` (past it a tile only idles), without repeats.
    private static func tileSizes(_ extent: Int, _ choices: [Int]) -> [Int] {
        var seen = Set<Int>()
        return choices.map { min($0, extent) }.filter { seen.insert($0).inserted }
    }
}
