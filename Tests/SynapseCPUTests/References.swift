import SynapseTestSupport

/// Direct-loop convolutions in `Double`, written from the definition (no im2col), to check the
/// device on shapes too large to work out by hand.
enum Reference {
    /// `y[n, o, oy, ox] = Σ_{c, i, j} x[n, g*cinG + c, oy*sy - py + i*dy, ox*sx - px + j*dx] * w[o, c, i, j]`.
    static func conv2d(_ g: Conv2dGeometry, _ x: [Float], _ w: [Float]) -> [Double] {
        var y = [Double](repeating: 0, count: g.outputShape.reduce(1, *))
        forEachTap(g) { xi, wi, yi in y[yi] += Double(x[xi]) * Double(w[wi]) }
        return y
    }

    static func conv2dBackwardInput(_ g: Conv2dGeometry, _ gy: [Float], _ w: [Float]) -> [Double] {
        var gx = [Double](repeating: 0, count: g.inputShape.reduce(1, *))
        forEachTap(g) { xi, wi, yi in gx[xi] += Double(gy[yi]) * Double(w[wi]) }
        return gx
    }

    static func conv2dBackwardWeight(_ g: Conv2dGeometry, _ x: [Float], _ gy: [Float]) -> [Double] {
        var gw = [Double](repeating: 0, count: g.weightShape.reduce(1, *))
        forEachTap(g) { xi, wi, yi in gw[wi] += Double(gy[yi]) * Double(x[xi]) }
        return gw
    }

    /// Calls `body(inputIndex, weightIndex, outputIndex)` for every product term of the convolution.
    private static func forEachTap(_ g: Conv2dGeometry, _ body: (Int, Int, Int) -> Void) {
        let (cinG, coutG) = (g.inChannelsPerGroup, g.outChannelsPerGroup)
        for n in 0..<g.batch { for o in 0..<g.outChannels {
            let group = o / coutG
            for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
                let yi = ((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
                for c in 0..<cinG { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                    let iy = oy * g.strideY - g.padY + i * g.dilationY, ix = ox * g.strideX - g.padX + j * g.dilationX
                    guard iy >= 0, iy < g.inHeight, ix >= 0, ix < g.inWidth else { continue }
                    let xi = ((n * g.inChannels + group * cinG + c) * g.inHeight + iy) * g.inWidth + ix
                    let wi = ((o * cinG + c) * g.kernelHeight + i) * g.kernelWidth + j
                    body(xi, wi, yi)
                } } }
            } }
        } }
    }
}
