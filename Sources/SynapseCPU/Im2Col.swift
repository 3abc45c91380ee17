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
    /// Row length of the plane the matrix rows are read from (or folded into): padded or not.
    private var planeWidth: Int { isPadded ? paddedWidth : geometry.inWidth }
    private var isPadded: Bool { geometry.padY > 0 || geometry.padX > 0 }
    /// Floats of workspace `unfold` and `fold` need for one zero-bordered plane (0 without padding).
    var paddedCount: Int { isPadded ? (geometry.inHeight + 2 * geometry.padY) * paddedWidth : 0 }

    /// Writes the columns of the channel group starting at `input` (planes of `inHeight*inWidth`)
    /// into `columns`, whose rows are `leading` floats apart; `padded` is `paddedCount` floats of workspace.
    func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, leading: Int,
                padded: UnsafeMutablePointer<Float>) {
        if isPadded { padded.update(repeating: 0, count: paddedCount) }
        withOffsetTable { table in unfold(input, into: columns, leading: leading, padded: padded, table: table) }
    }

    /// `unfold` with the offset table, when there is one.
    @inline(__always)
    private func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, leading: Int,
                        padded: UnsafeMutablePointer<Float>, table: UnsafeMutableBufferPointer<Int>?) {
        let g = geometry
        let (outH, outW, sx) = (g.outHeight, g.outWidth, g.strideX)
        let width = planeWidth, rowStep = g.strideY &* width
        let offsets = g.kernelHeight &* g.kernelWidth, plane = g.inHeight &* g.inWidth
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
                    if let table {
                        for p in 0..<table.count { pixel[p] = from[table[p]] }
                    } else {
                        for _ in 0..<outH {
                            if sx == 1 { copy(pixel, from, outW) } else { for t in 0..<outW { pixel[t] = from[t &* sx] } }
                            from += rowStep
                            pixel += outW
                        }
                    }
                    target += leading
                }
            }
        }
    }

    /// Output pixels few and narrow enough (rows under 8 floats, at most 256 pixels) to unfold
    /// through a table of read offsets, one flat loop per matrix row: row-by-row copies of 3 or 7
    /// floats are mostly loop overhead.
    private var usesOffsetTable: Bool { geometry.outWidth < 8 && pixels <= 256 }

    /// Calls `body` with the offset of each output pixel's input from that of pixel (0, 0) in the
    /// plane (`planeWidth` wide) when `usesOffsetTable`, else with nil.
    @inline(__always)
    private func withOffsetTable<R>(_ body: (UnsafeMutableBufferPointer<Int>?) -> R) -> R {
        guard usesOffsetTable else { return body(nil) }
        let g = geometry, width = planeWidth
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: pixels) { table in
            var p = 0
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    table[p] = oy &* g.strideY &* width &+ ox &* g.strideX
                    p &+= 1
                }
            }
            return body(table)
        }
    }

    /// Adds the column gradients in `columns` (rows `leading` apart) back onto the channel group of
    /// the input gradient at `gradInput`, which the caller has zeroed; `padded` is `paddedCount`
    /// floats of workspace.
    func fold(_ columns: UnsafePointer<Float>, leading: Int, into gradInput: UnsafeMutablePointer<Float>,
              padded: UnsafeMutablePointer<Float>) {
        withOffsetTable { table in fold(columns, leading: leading, into: gradInput, padded: padded, table: table) }
    }

    /// `fold` with the offset table, when there is one.
    @inline(__always)
    private func fold(_ columns: UnsafePointer<Float>, leading: Int, into gradInput: UnsafeMutablePointer<Float>,
                      padded: UnsafeMutablePointer<Float>, table: UnsafeMutableBufferPointer<Int>?) {
        let g = geometry
        let (outH, outW, sx) = (g.outHeight, g.outWidth, g.strideX)
        let width = planeWidth, rowStep = g.strideY &* width
        let offsets = g.kernelHeight &* g.kernelWidth, plane = g.inHeight &* g.inWidth
        for c in 0..<g.inChannelsPerGroup {
            let channel = gradInput + c &* plane
            let sums = isPadded ? padded : channel
            if isPadded { padded.update(repeating: 0, count: paddedCount) }
            var source = columns + c &* offsets &* leading
            for ki in 0..<g.kernelHeight {
                for kj in 0..<g.kernelWidth {
                    var target = sums + (ki &* g.dilationY &* width &+ kj &* g.dilationX), pixel = source
                    if let table {
                        // Distinct pixels land on distinct inputs: no two updates in this loop collide.
                        for p in 0..<table.count { target[table[p]] += pixel[p] }
                    } else {
                        for _ in 0..<outH {
                            if sx == 1 { add(target, pixel, outW) } else { for t in 0..<outW { target[t &* sx] += pixel[t] } }
                            target += rowStep
                            pixel += outW
                        }
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
