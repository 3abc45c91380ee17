import SynapseBackend

/// Unfolds one image's channel group into GEMM columns and folds gradients back.
///
/// The column matrix has one row per (channel, kernel row, kernel column) and one column per output
/// pixel, so `weight [outC, K] @ columns [K, outH*outW]` is the convolution. Each row is filled a
/// whole output row at a time: the span of output columns whose input falls inside the image is
/// computed up front, so padding costs a `memset`, not a branch per element.
struct Im2Col {
    let geometry: Conv2dGeometry

    /// Rows of the column matrix per group: `inChannelsPerGroup * kernelHeight * kernelWidth`.
    var rows: Int { geometry.inChannelsPerGroup * geometry.kernelHeight * geometry.kernelWidth }
    /// Columns per image: `outHeight * outWidth`.
    var pixels: Int { geometry.outHeight * geometry.outWidth }
    /// True for 1×1 kernels with stride 1 and no padding, where the input already is the column matrix.
    var isPointwise: Bool {
        let g = geometry
        return g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideY == 1 && g.strideX == 1 && g.padY == 0 && g.padX == 0
    }

    /// Output columns `lo..<hi` whose input column `ox * strideX + shift` lies in `0..<inWidth`.
    @inline(__always)
    private func validColumns(shift: Int) -> (Int, Int) {
        let g = geometry
        let lo = shift >= 0 ? 0 : (-shift + g.strideX - 1) / g.strideX
        let last = g.inWidth - 1 - shift
        let hi = last < 0 ? 0 : min(g.outWidth, last / g.strideX + 1)
        return (min(lo, hi), hi)
    }

    /// Writes the columns of the channel group starting at `input` (planes of `inHeight*inWidth`)
    /// into `columns`, whose rows are `leading` floats apart.
    func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, leading: Int) {
        let g = geometry
        let (plane, outW) = (g.inHeight * g.inWidth, g.outWidth)
        var row = columns
        for c in 0..<g.inChannelsPerGroup {
            let source = input + c * plane
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let shift = kj * g.dilationX - g.padX
                    let (lo, hi) = validColumns(shift: shift)
                    for oy in 0..<g.outHeight {
                        let out = row + oy * outW
                        let iy = oy * g.strideY - g.padY + ki * g.dilationY
                        guard iy >= 0 && iy < g.inHeight else { out.update(repeating: 0, count: outW); continue }
                        if lo > 0 { out.update(repeating: 0, count: lo) }
                        if lo < hi {
                            let first = source + iy * g.inWidth + lo * g.strideX + shift
                            if g.strideX == 1 {
                                (out + lo).update(from: first, count: hi - lo)
                            } else {
                                for t in 0..<(hi - lo) { out[lo + t] = first[t * g.strideX] }
                            }
                        }
                        if hi < outW { (out + hi).update(repeating: 0, count: outW - hi) }
                    }
                    row += leading
                }
            }
        }
    }

    /// Adds the column gradients in `columns` (rows `leading` apart) back onto the channel group of
    /// the input gradient at `gradInput`, which the caller has zeroed.
    func fold(_ columns: UnsafePointer<Float>, leading: Int, into gradInput: UnsafeMutablePointer<Float>) {
        let g = geometry
        let (plane, outW) = (g.inHeight * g.inWidth, g.outWidth)
        var row = columns
        for c in 0..<g.inChannelsPerGroup {
            let target = gradInput + c * plane
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    let shift = kj * g.dilationX - g.padX
                    let (lo, hi) = validColumns(shift: shift)
                    for oy in 0..<g.outHeight {
                        let iy = oy * g.strideY - g.padY + ki * g.dilationY
                        guard iy >= 0 && iy < g.inHeight && lo < hi else { continue }
                        let out = row + oy * outW + lo
                        let first = target + iy * g.inWidth + lo * g.strideX + shift
                        if g.strideX == 1 {
                            for t in 0..<(hi - lo) { first[t] += out[t] }
                        } else {
                            for t in 0..<(hi - lo) { first[t * g.strideX] += out[t] }
                        }
                    }
                    row += leading
                }
            }
        }
    }
}
