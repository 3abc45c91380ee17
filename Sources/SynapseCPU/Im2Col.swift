import SynapseBackend

/// Unfolds one image's channel group into GEMM columns and folds gradients back.
///
/// The column matrix has one row per (channel, kernel row, kernel column) and one column per output
/// pixel, so `weight [outC, K] @ columns [K, outH*outW]` is the convolution. For each matrix row
/// the output rows and columns whose input lies inside the image are computed up front, so
/// padding costs whole-block zeroing instead of a test per element, and the copies in between are
/// short vector loops with no per-element branches.
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

    /// Outputs `lo..<hi` along one axis whose input coordinate `o * stride + shift` lies in `0..<extent`.
    @inline(__always)
    private static func valid(shift: Int, stride: Int, extent: Int, outputs: Int) -> (lo: Int, hi: Int) {
        let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let last = extent - 1 - shift
        let hi = last < 0 ? 0 : min(outputs, last / stride + 1)
        return (min(lo, hi), hi)
    }

    /// Calls `body(row, source, lo, hi)` for every (channel, kernel row, kernel column) row of the
    /// matrix after zeroing its out-of-image output rows; `body` handles output rows `ylo..<yhi`
    /// (passed in `rows`) with input pointer `source` at the first valid column of row `ylo`.
    @inline(__always)
    private func forEachMatrixRow(_ body: (_ matrixRow: Int, _ inputOffset: Int, _ rows: (lo: Int, hi: Int), _ columns: (lo: Int, hi: Int)) -> Void) {
        let g = geometry
        let plane = g.inHeight * g.inWidth
        var matrixRow = 0
        for c in 0..<g.inChannelsPerGroup {
            for ki in 0..<g.kernelHeight {
                let shiftY = ki * g.dilationY - g.padY
                let rows = Im2Col.valid(shift: shiftY, stride: g.strideY, extent: g.inHeight, outputs: g.outHeight)
                for kj in 0..<g.kernelWidth {
                    let shiftX = kj * g.dilationX - g.padX
                    let columns = Im2Col.valid(shift: shiftX, stride: g.strideX, extent: g.inWidth, outputs: g.outWidth)
                    let offset = c * plane + (rows.lo * g.strideY + shiftY) * g.inWidth + columns.lo * g.strideX + shiftX
                    body(matrixRow, offset, rows, columns)
                    matrixRow += 1
                }
            }
        }
    }

    /// Writes the columns of the channel group starting at `input` (planes of `inHeight*inWidth`)
    /// into `columns`, whose rows are `leading` floats apart.
    func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, leading: Int) {
        let g = geometry
        let (outH, outW, step, sx) = (g.outHeight, g.outWidth, g.strideY * g.inWidth, g.strideX)
        forEachMatrixRow { matrixRow, inputOffset, rows, cols in
            let row = columns + matrixRow * leading
            guard rows.lo < rows.hi && cols.lo < cols.hi else { zero(row, outH * outW); return }
            zero(row, rows.lo * outW)
            zero(row + rows.hi * outW, (outH - rows.hi) * outW)
            var source = input + inputOffset, target = row + rows.lo * outW
            let count = cols.hi - cols.lo, tail = outW - cols.hi
            for _ in rows.lo..<rows.hi {
                zero(target, cols.lo)
                if sx == 1 { copy(target + cols.lo, source, count) } else { for t in 0..<count { target[cols.lo + t] = source[t * sx] } }
                zero(target + cols.hi, tail)
                source += step
                target += outW
            }
        }
    }

    /// Adds the column gradients in `columns` (rows `leading` apart) back onto the channel group of
    /// the input gradient at `gradInput`, which the caller has zeroed.
    func fold(_ columns: UnsafePointer<Float>, leading: Int, into gradInput: UnsafeMutablePointer<Float>) {
        let g = geometry
        let (outW, step, sx) = (g.outWidth, g.strideY * g.inWidth, g.strideX)
        forEachMatrixRow { matrixRow, inputOffset, rows, cols in
            guard rows.lo < rows.hi && cols.lo < cols.hi else { return }
            var target = gradInput + inputOffset, source = columns + matrixRow * leading + rows.lo * outW + cols.lo
            let count = cols.hi - cols.lo
            for _ in rows.lo..<rows.hi {
                if sx == 1 { for t in 0..<count { target[t] += source[t] } } else { for t in 0..<count { target[t * sx] += source[t] } }
                source += outW
                target += step
            }
        }
    }
}

/// `target[0..<count] = 0`.
@inline(__always)
private func zero(_ target: UnsafeMutablePointer<Float>, _ count: Int) {
    for t in 0..<count { target[t] = 0 }
}

/// `target[0..<count] = source[0..<count]` for short, non-overlapping rows: four-float vector moves
/// with one overlapping move for the remainder, so no scalar tail loop and no alias check.
@inline(__always)
private func copy(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
    guard count >= 4 else {
        for t in 0..<count { target[t] = source[t] }
        return
    }
    let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
    var t = 0
    while t + 4 <= count {
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 * t, as: SIMD4<Float>.self), toByteOffset: 4 * t, as: SIMD4<Float>.self)
        t += 4
    }
    if t < count {
        let last = 4 * (count - 4)
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: last, as: SIMD4<Float>.self), toByteOffset: last, as: SIMD4<Float>.self)
    }
}
