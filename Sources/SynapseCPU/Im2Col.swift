import SynapseBackend

/// Unfolds one image's channel group into GEMM columns and folds gradients back.
///
/// The column matrix has one row per (channel, kernel row, kernel column) and one column per output
/// pixel, so `weight [outC, K] @ columns [K, outH*outW]` is the convolution. With padding, each
/// channel plane is first copied into a zero-bordered plane (`paddedCount` floats of workspace),
/// so every matrix row is plain strided copies with no bounds tests: on small feature maps (3×3 to
/// 7×7) the per-row bookkeeping of clipping at the border cost more than the copying.
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

    private var paddedWidth: Int { geometry.inWidth + 2 * geometry.padX }
    private var isPadded: Bool { geometry.padY > 0 || geometry.padX > 0 }
    /// Floats of workspace `unfold` and `fold` need for one zero-bordered plane (0 without padding).
    var paddedCount: Int { isPadded ? (geometry.inHeight + 2 * geometry.padY) * paddedWidth : 0 }

    /// Writes the columns of the channel group starting at `input` (planes of `inHeight*inWidth`)
    /// into `columns`, whose rows are `leading` floats apart; `padded` is `paddedCount` floats of workspace.
    func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, leading: Int,
                padded: UnsafeMutablePointer<Float>) {
        let g = geometry
        let (outH, outW, sx) = (g.outHeight, g.outWidth, g.strideX)
        let width = isPadded ? paddedWidth : g.inWidth, rowStep = g.strideY &* width
        let offsets = g.kernelHeight &* g.kernelWidth, plane = g.inHeight &* g.inWidth
        if isPadded { padded.update(repeating: 0, count: paddedCount) }
        for c in 0..<g.inChannelsPerGroup {
            var source = input + c &* plane
            if isPadded {
                // The border stays zero from channel to channel; only the interior is rewritten.
                let interior = padded + (g.padY &* width &+ g.padX)
                for y in 0..<g.inHeight { copy(interior + y &* width, source + y &* g.inWidth, g.inWidth) }
                source = UnsafePointer(padded)
            }
            var target = columns + c &* offsets &* leading
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    // Output pixel (oy, ox) reads from + oy * rowStep + ox * strideX.
                    var from = source + (ki &* g.dilationY &* width &+ kj &* g.dilationX), pixel = target
                    for _ in 0..<outH {
                        if sx == 1 { copy(pixel, from, outW) } else { for t in 0..<outW { pixel[t] = from[t &* sx] } }
                        from += rowStep
                        pixel += outW
                    }
                    target += leading
                }
            }
        }
    }

    /// Adds the column gradients in `columns` (rows `leading` apart) back onto the channel group of
    /// the input gradient at `gradInput`, which the caller has zeroed; `padded` is `paddedCount`
    /// floats of workspace.
    func fold(_ columns: UnsafePointer<Float>, leading: Int, into gradInput: UnsafeMutablePointer<Float>,
              padded: UnsafeMutablePointer<Float>) {
        let g = geometry
        let (outH, outW, sx) = (g.outHeight, g.outWidth, g.strideX)
        let width = isPadded ? paddedWidth : g.inWidth, rowStep = g.strideY &* width
        let offsets = g.kernelHeight &* g.kernelWidth, plane = g.inHeight &* g.inWidth
        for c in 0..<g.inChannelsPerGroup {
            let channel = gradInput + c &* plane
            let sums = isPadded ? padded : channel
            if isPadded { padded.update(repeating: 0, count: paddedCount) }
            var source = columns + c &* offsets &* leading
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    var target = sums + (ki &* g.dilationY &* width &+ kj &* g.dilationX), pixel = source
                    for _ in 0..<outH {
                        if sx == 1 { add(target, pixel, outW) } else { for t in 0..<outW { target[t &* sx] += pixel[t] } }
                        target += rowStep
                        pixel += outW
                    }
                    source += leading
                }
            }
            guard isPadded else { continue }
            // Only the interior is the input's gradient; what fell on the border was padding.
            let interior = padded + (g.padY &* width &+ g.padX)
            for y in 0..<g.inHeight { add(channel + y &* g.inWidth, interior + y &* width, g.inWidth) }
        }
    }
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
    while t &+ 4 <= count {
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 &* t, as: SIMD4<Float>.self), toByteOffset: 4 &* t, as: SIMD4<Float>.self)
        t &+= 4
    }
    if t < count {
        let last = 4 &* (count &- 4)
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: last, as: SIMD4<Float>.self), toByteOffset: last, as: SIMD4<Float>.self)
    }
}

/// `target[0..<count] += source[0..<count]` for short rows that do not overlap.
@inline(__always)
private func add(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
    let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
    var t = 0
    while t &+ 4 <= count {
        let sum = to.loadUnaligned(fromByteOffset: 4 &* t, as: SIMD4<Float>.self) + from.loadUnaligned(fromByteOffset: 4 &* t, as: SIMD4<Float>.self)
        to.storeBytes(of: sum, toByteOffset: 4 &* t, as: SIMD4<Float>.self)
        t &+= 4
    }
    while t < count { target[t] += source[t]; t &+= 1 }
}
