import SynapseBackend

/// 2-D convolution and its two backward passes as im2col + `cblas_sgemm` (col2im for the input
/// gradient), with groups, stride, padding and dilation.
///
/// Threads take disjoint ranges of images, each with its own workspace from the pool, and call
/// single-threaded GEMMs; with fewer images than cores a single image's GEMM is split instead.
/// Several small images are unfolded side by side into one column matrix (up to
/// `columnBudgetBytes` per thread, or `wideBlockColumns` columns behind large weights), so GEMMs
/// stay large enough to run near peak.
extension CPUDevice {
    /// Bytes of column matrix one thread unfolds at a time (at least one image's worth): bounds the
    /// workspace, and keeps the columns plus OpenBLAS's packed copy of them in a 512 KiB L2 cache
    /// (measured on LeNet's layers: 128–256 KiB beat 1 MiB by about 10%).
    static let columnBudgetBytes = 1 << 18

    /// Columns a block gets at least (as far as a thread's images go) when one group's weights
    /// exceed `columnBudgetBytes`. OpenBLAS packs all of the weight matrix again for every GEMM,
    /// so it must be spread over many columns: at 64×64, AlexNet's 3×3 layers (9 output pixels an
    /// image, up to 5 MiB of weights) ran blocks of 18–27 columns, packing about as long as multiplying.
    static let wideBlockColumns = 512

    /// Sizes shared by the three passes.
    private struct ConvPlan {
        let g: Conv2dGeometry
        let unfold: Im2Col
        let rows: Int, pixels: Int, plane: Int, coutG: Int, cinG: Int
        /// Threads over images, GEMM splits per product, images unfolded together.
        let threads: Int, gemmChunks: Int, imagesPerBlock: Int

        init(_ g: Conv2dGeometry) {
            self.g = g
            unfold = Im2Col(geometry: g)
            rows = unfold.rows; pixels = unfold.pixels; plane = g.inHeight * g.inWidth
            coutG = g.outChannelsPerGroup; cinG = g.inChannelsPerGroup
            let work = g.batch * g.groups * coutG * rows * pixels
            let parallel = work >= GEMM.minimumParallelWork
            threads = parallel ? min(ParallelFor.cores, g.batch) : 1
            // One image: split its GEMMs instead (never both, so parallel loops do not nest).
            gemmChunks = parallel && threads == 1 ? ParallelFor.cores : 1
            let perImage = rows * pixels * MemoryLayout<Float>.stride
            let imagesPerThread = (g.batch + threads - 1) / threads
            let byBudget = CPUDevice.columnBudgetBytes / max(perImage, 1)
            let largeWeights = coutG * rows * MemoryLayout<Float>.stride > CPUDevice.columnBudgetBytes
            let byWidth = largeWeights ? (CPUDevice.wideBlockColumns + pixels - 1) / max(pixels, 1) : 1
            imagesPerBlock = unfold.isPointwise ? 1 : max(1, min(imagesPerThread, max(byBudget, byWidth)))
        }

        /// Floats of workspace per thread: columns, a block of output rows, and a zero-bordered plane.
        var scratchPerThread: Int {
            (unfold.isPointwise ? 0 : rows * pixels * imagesPerBlock) + coutG * pixels * imagesPerBlock + unfold.paddedCount
        }

        /// The zero-bordered plane `Im2Col` needs, at the end of the thread's `workspace`.
        func padded(_ workspace: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
            workspace + scratchPerThread - unfold.paddedCount
        }

        /// Calls `body(thread, images, workspace)` on each thread's blocks of images.
        func forEachBlock(_ scratch: UnsafeMutablePointer<Float>, _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
            ParallelFor.split(threads, chunks: threads) { threadRange in
                for thread in threadRange {
                    let lo = g.batch * thread / threads, hi = g.batch * (thread + 1) / threads
                    let workspace = scratch + thread * scratchPerThread
                    for start in stride(from: lo, to: hi, by: imagesPerBlock) {
                        body(thread, start..<min(hi, start + imagesPerBlock), workspace)
                    }
                }
            }
        }

        /// GEMM on the calling thread, split across cores when this plan says so.
        func gemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                  _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                  _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
            GEMM.parallel(chunks: gemmChunks, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Runs `.conv2d`: `y_g = W_g @ im2col(x_g)` per image and group.
    package func conv2d(_ g: Conv2dGeometry, x input: BufferView, weight: BufferView, bias biasView: BufferView?,
                        y output: BufferView) throws {
        let plan = ConvPlan(g)
        let x = try floats(input), w = try floats(weight), y = try floats(output)
        let bias = try biasView.map(floats)
        let (rows, pixels, coutG, cinG) = (plan.rows, plan.pixels, plan.coutG, plan.cinG)
        try withScratch(floats: plan.threads * plan.scratchPerThread) { scratch in
            plan.forEachBlock(scratch) { _, images, workspace in
                let count = images.count, width = count * pixels
                let columns = workspace, staged = workspace + (plan.unfold.isPointwise ? 0 : rows * width)
                for group in 0..<g.groups {
                    let weight = w + group * coutG * rows
                    let firstOut = y + (images.lowerBound * g.outChannels + group * coutG) * pixels
                    if plan.unfold.isPointwise {
                        let input = x + (images.lowerBound * g.inChannels + group * cinG) * plan.plane
                        plan.gemm(false, false, coutG, pixels, rows, weight, rows, input, pixels, 0, firstOut, pixels)
                        continue
                    }
                    for (i, n) in images.enumerated() {
                        plan.unfold.unfold(x + (n * g.inChannels + group * cinG) * plan.plane,
                                           into: columns + i * pixels, leading: width, padded: plan.padded(workspace))
                    }
                    if count == 1 {
                        plan.gemm(false, false, coutG, pixels, rows, weight, rows, columns, pixels, 0, firstOut, pixels)
                        continue
                    }
                    plan.gemm(false, false, coutG, width, rows, weight, rows, columns, width, 0, staged, width)
                    for i in 0..<count {
                        for o in 0..<coutG {
                            (firstOut + (i * g.outChannels + o) * pixels).update(from: staged + o * width + i * pixels, count: pixels)
                        }
                    }
                }
                // The bias goes on while the block's output is still in cache.
                if let bias {
                    for n in images {
                        for c in 0..<g.outChannels {
                            let plane = y + (n * g.outChannels + c) * pixels, value = bias[c]
                            for p in 0..<pixels { plane[p] += value }
                        }
                    }
                }
            }
        }
    }

    /// Runs `.conv2dBackwardInput`: `gradX = col2im(W_gᵀ @ gradY_g)` per image and group.
    package func conv2dBackwardInput(_ g: Conv2dGeometry, gradY: BufferView, weight: BufferView, gradX: BufferView) throws {
        let plan = ConvPlan(g)
        let gy = try floats(gradY), w = try floats(weight), gx = try floats(gradX)
        let (rows, pixels, coutG, cinG) = (plan.rows, plan.pixels, plan.coutG, plan.cinG)
        try withScratch(floats: plan.threads * plan.scratchPerThread) { scratch in
            plan.forEachBlock(scratch) { _, images, workspace in
                let count = images.count, width = count * pixels
                let columns = workspace, staged = workspace + (plan.unfold.isPointwise ? 0 : rows * width)
                let firstIn = gx + images.lowerBound * g.inChannels * plan.plane
                if !plan.unfold.isPointwise { firstIn.update(repeating: 0, count: count * g.inChannels * plan.plane) }
                for group in 0..<g.groups {
                    let weight = w + group * coutG * rows
                    let firstGrad = gy + (images.lowerBound * g.outChannels + group * coutG) * pixels
                    if plan.unfold.isPointwise {
                        // gradX_g = W_gᵀ gradY_g, written directly.
                        plan.gemm(true, false, cinG, pixels, coutG, weight, rows, firstGrad, pixels, 0,
                                  firstIn + group * cinG * plan.plane, pixels)
                        continue
                    }
                    var grad = UnsafePointer(firstGrad)
                    if count > 1 {
                        // Gather the block's output gradients side by side: [coutG, count * pixels].
                        for i in 0..<count {
                            for o in 0..<coutG {
                                (staged + o * width + i * pixels).update(from: firstGrad + (i * g.outChannels + o) * pixels, count: pixels)
                            }
                        }
                        grad = UnsafePointer(staged)
                    }
                    plan.gemm(true, false, rows, width, coutG, weight, rows, grad, width, 0, columns, width)
                    for i in 0..<count {
                        plan.unfold.fold(columns + i * pixels, leading: width,
                                         into: firstIn + (i * g.inChannels + group * cinG) * plan.plane, padded: plan.padded(workspace))
                    }
                }
            }
        }
    }

    /// Runs `.conv2dBackwardWeight`: `gradW_g = Σ_images gradY_g @ im2col(x_g)ᵀ`.
    package func conv2dBackwardWeight(_ g: Conv2dGeometry, x input: BufferView, gradY: BufferView, gradWeight: BufferView) throws {
        let plan = ConvPlan(g)
        let x = try floats(input), gy = try floats(gradY), gw = try floats(gradWeight)
        let (rows, pixels, coutG, cinG) = (plan.rows, plan.pixels, plan.coutG, plan.cinG)
        let weightCount = g.outChannels * rows
        // Thread 0 accumulates straight into the output, the others into partial sums added at the end.
        let perThread = plan.scratchPerThread + weightCount
        try withScratch(floats: plan.threads * perThread) { scratch in
            for thread in 0..<plan.threads {
                let partial = thread == 0 ? gw : scratch + thread * perThread + plan.scratchPerThread
                partial.update(repeating: 0, count: weightCount)
            }
            plan.forEachBlock(scratch) { thread, images, _ in
                let workspace = scratch + thread * perThread
                let partial = thread == 0 ? gw : workspace + plan.scratchPerThread
                let count = images.count, width = count * pixels
                let columns = workspace, staged = workspace + (plan.unfold.isPointwise ? 0 : rows * width)
                for group in 0..<g.groups {
                    let firstGrad = gy + (images.lowerBound * g.outChannels + group * coutG) * pixels
                    let target = partial + group * coutG * rows
                    var cols = UnsafePointer(columns)
                    if plan.unfold.isPointwise {
                        cols = UnsafePointer(x + (images.lowerBound * g.inChannels + group * cinG) * plan.plane)
                    } else {
                        for (i, n) in images.enumerated() {
                            plan.unfold.unfold(x + (n * g.inChannels + group * cinG) * plan.plane,
                                               into: columns + i * pixels, leading: width, padded: plan.padded(workspace))
                        }
                    }
                    var grad = UnsafePointer(firstGrad)
                    if count > 1 {
                        for i in 0..<count {
                            for o in 0..<coutG {
                                (staged + o * width + i * pixels).update(from: firstGrad + (i * g.outChannels + o) * pixels, count: pixels)
                            }
                        }
                        grad = UnsafePointer(staged)
                    }
                    // gradW_g += gradY_block [coutG, width] @ columnsᵀ [width, rows]
                    plan.gemm(false, true, coutG, rows, width, grad, width, cols, width, 1, target, rows)
                }
            }
            // The partial sums in thread order for every weight, the weights split across cores:
            // up to 5 MiB per layer for alexnet64, too much to leave to one core.
            guard plan.threads > 1 else { return }
            ParallelFor.run(weightCount, costPerItem: plan.threads) { range in
                for thread in 1..<plan.threads {
                    let partial = scratch + thread * perThread + plan.scratchPerThread
                    for i in range { gw[i] += partial[i] }
                }
            }
        }
    }
}
