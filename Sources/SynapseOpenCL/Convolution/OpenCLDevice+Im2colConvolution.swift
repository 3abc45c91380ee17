import CSynapseOpenCL
import SynapseBackend

/// Convolution as im2col + GEMM (CLBlast): one of the algorithms `ConvolutionAlgorithm` chooses from. A chunk of `B` images is unrolled into one column matrix
/// `[C·KH·KW, B·OH·OW]` (rows grouped by convolution group), so each group is one large GEMM per
/// chunk; the GEMM result `[OC, B, OH·OW]` is permuted back to NCHW with the strided copy (no
/// permute is needed when `B` is 1). Without groups, the forward and input-gradient passes instead
/// unroll each image into its own block and run one GEMM batched over the images, which reads and
/// writes NCHW directly: one launch fewer each. Chunks keep the scratch buffers under
/// `columnBudgetBytes`.
extension OpenCLDevice {
    /// Upper bound on the scratch memory (columns plus permuted output) of one convolution chunk.
    public static let columnBudgetBytes = 256 << 20

    /// Replaces `columnBudgetBytes` for convolutions enqueued inside `$columnBudgetOverride.withValue`
    /// (tests use a tiny budget to exercise chunking; memory-tight callers a smaller one).
    @TaskLocal public static var columnBudgetOverride: Int?

    /// Images per chunk: as many as fit the budget, at least one.
    private func chunkSize(_ g: Conv2dGeometry) -> Int {
        let p = g.outHeight * g.outWidth
        let perImage = (g.inChannels * g.kernelHeight * g.kernelWidth * p + g.outChannels * p) * 4
        let budget = OpenCLDevice.columnBudgetOverride ?? OpenCLDevice.columnBudgetBytes
        return max(1, min(g.batch, budget / max(perImage, 1)))
    }

    /// Whether the column matrix of a single image is the image itself (1×1 kernel, stride 1, no padding).
    private func isPointwise(_ g: Conv2dGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.strideY == 1 && g.strideX == 1 && g.padY == 0 && g.padX == 0
    }

    /// Scratch for the column matrix of one chunk (a token 1-element buffer when a pointwise
    /// convolution of single images reads its input directly).
    private func columnScratch(_ g: Conv2dGeometry, chunk: Int) throws -> DeviceBuffer {
        if chunk == 1 && isPointwise(g) { return try scratch(1) }
        return try scratch(g.inChannels * g.kernelHeight * g.kernelWidth * chunk * g.outHeight * g.outWidth)
    }

    /// The im2col kernel's geometry arguments for a chunk of `images` images, their columns in one
    /// matrix or (`perImage`) a block per image.
    private func geometryArguments(_ g: Conv2dGeometry, images: Int, perImage: Bool = false) -> [KernelArgument] {
        [.i(images), .i(g.inChannels), .i(g.inHeight), .i(g.inWidth), .i(g.kernelHeight), .i(g.kernelWidth),
         .i(g.strideY), .i(g.strideX), .i(g.padY), .i(g.padX), .i(g.dilationY), .i(g.dilationX),
         .i(g.outHeight), .i(g.outWidth), .bool(perImage)]
    }

    /// Whether a chunk of `images` runs as one GEMM batched over its images (no groups, several images).
    private func batchesOverImages(_ g: Conv2dGeometry, images: Int) -> Bool {
        g.groups == 1 && images > 1
    }

    /// Column operand of images `first..<first+images` of `x`: unrolled into `scratch` by im2col, or
    /// `x` itself for a pointwise convolution of one image. Rows are `(c, ky, kx)`, ld `images·P`.
    private func columns(_ g: Conv2dGeometry, x: BufferView, xm: cl_mem, first: Int, images: Int,
                         scratch: DeviceBuffer, perImage: Bool = false) throws -> GemmOperand {
        let p = g.outHeight * g.outWidth
        let imageOffset = x.offset + first * g.inChannels * g.inHeight * g.inWidth
        if images == 1 && isPointwise(g) {
            return GemmOperand(mem: xm, offset: imageOffset, ld: p, transposed: false)
        }
        let col = try mem(scratch, "im2col")
        let total = g.inChannels * g.kernelHeight * g.kernelWidth * images * p
        try launch("im2col_f32", global: total,
                   [.buffer(col), .buffer(xm), .i(imageOffset)] + geometryArguments(g, images: images, perImage: perImage))
        return GemmOperand(mem: col, offset: 0, ld: perImage ? p : images * p, transposed: false)
    }

    /// Output-gradient operand of images `first..<first+images` of `gy`, grouped by channel: `gy` itself
    /// for one image, else copied from `[images, OC, P]` into `scratch` as `[OC, images·P]`.
    private func gradientOperand(_ g: Conv2dGeometry, gy: BufferView, gym: cl_mem, first: Int, images: Int,
                                 scratch: DeviceBuffer?, _ op: String) throws -> GemmOperand {
        let p = g.outHeight * g.outWidth, ocg = g.outChannelsPerGroup
        let offset = gy.offset + first * g.outChannels * p
        guard images > 1, let scratch else {
            return GemmOperand(mem: gym, offset: offset, ld: p, transposed: false, batchStride: ocg * p)
        }
        let view = BufferView(buffer: gy.buffer, shape: [g.outChannels, images, p],
                              strides: [p, g.outChannels * p, 1], offset: offset)
        try copyStrided(view, into: BufferView(buffer: scratch, shape: [g.outChannels, images, p]), op)
        return GemmOperand(mem: try mem(scratch, op), offset: 0, ld: images * p, transposed: false,
                           batchStride: ocg * images * p)
    }

    /// Forward pass by im2col + GEMM.
    func im2colConv2d(_ g: Conv2dGeometry, x: BufferView, weight w: BufferView, bias: BufferView?, y: BufferView) throws {
        let op = "conv2d"
        let xm = try checkedMem(x, op), wm = try checkedMem(w, op), ym = try checkedMem(y, op)

        let p = g.outHeight * g.outWidth
        let kSize = g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        let ocg = g.outChannelsPerGroup
        let chunk = chunkSize(g)
        let colScratch = try columnScratch(g, chunk: chunk)
        defer { release(colScratch) }
        let outScratch = chunk > 1 && !batchesOverImages(g, images: chunk) ? try scratch(g.outChannels * chunk * p) : nil
        defer { outScratch.map(release) }

        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first)
            let yOffset = y.offset + first * g.outChannels * p
            if batchesOverImages(g, images: images) {
                // y_i [OC, P] = W [OC, K] @ columns_i [K, P] for each image i, straight into NCHW.
                var col = try columns(g, x: x, xm: xm, first: first, images: images, scratch: colScratch, perImage: true)
                col.batchStride = kSize * p
                let weight = GemmOperand(mem: wm, offset: w.offset, ld: kSize, transposed: false, batchStride: 0)
                let target = GemmOperand(mem: ym, offset: yOffset, ld: p, transposed: false, batchStride: g.outChannels * p)
                try gemmStridedBatched(m: g.outChannels, n: p, k: kSize, weight, col, target, beta: 0, batch: images, op)
                continue
            }
            var col = try columns(g, x: x, xm: xm, first: first, images: images, scratch: colScratch)
            col.batchStride = kSize * col.ld
            let weight = GemmOperand(mem: wm, offset: w.offset, ld: kSize, transposed: false, batchStride: ocg * kSize)
            // GEMM target: y directly for one image, else [OC, images·P] scratch permuted afterwards.
            let target = images == 1
                ? GemmOperand(mem: ym, offset: yOffset, ld: p, transposed: false, batchStride: ocg * p)
                : GemmOperand(mem: try mem(outScratch!, op), offset: 0, ld: images * p, transposed: false,
                              batchStride: ocg * images * p)
            try groupedGemm(m: ocg, n: images * p, k: kSize, weight, col, target, beta: 0, groups: g.groups, op)
            if images > 1 {
                // [OC, images, P] -> y[first..., OC, P]
                let source = BufferView(buffer: outScratch!, shape: [images, g.outChannels, p],
                                        strides: [p, images * p, 1], offset: 0)
                let destination = BufferView(buffer: y.buffer, shape: [images, g.outChannels, p], offset: yOffset)
                try copyStrided(source, into: destination, op)
            }
        }
        if let bias {
            // In place, so a biased convolution holds one output tensor, not two: the elementwise add
            // with the bias broadcast over images and pixels.
            let planes = BufferView(buffer: y.buffer, shape: [g.batch, g.outChannels, p], offset: y.offset)
            let broadcast = BufferView(buffer: bias.buffer, shape: planes.shape, strides: [0, bias.strides[0], 0],
                                       offset: bias.offset, dtype: bias.dtype)
            try binary(.add, a: planes, b: broadcast, y: planes)
        }
    }

    /// Input gradient by GEMM + col2im.
    func im2colConv2dBackwardInput(_ g: Conv2dGeometry, gradY gy: BufferView, weight w: BufferView,
                                     gradX gx: BufferView) throws {
        let op = "conv2dBackwardInput"
        let gym = try checkedMem(gy, op), wm = try checkedMem(w, op), gxm = try checkedMem(gx, op)

        let p = g.outHeight * g.outWidth
        let kSize = g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        let ocg = g.outChannelsPerGroup
        let chunk = chunkSize(g)
        let colScratch = try columnScratch(g, chunk: chunk)
        defer { release(colScratch) }
        let gyScratch = chunk > 1 && !batchesOverImages(g, images: chunk) ? try scratch(g.outChannels * chunk * p) : nil
        defer { gyScratch.map(release) }
        let colMem = try mem(colScratch, op)

        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first)
            let xOffset = gx.offset + first * g.inChannels * g.inHeight * g.inWidth
            if batchesOverImages(g, images: images) {
                // columns_i [K, P] = Wᵀ [K, OC] @ gradY_i [OC, P] for each image i, read from NCHW, then col2im.
                let weightT = GemmOperand(mem: wm, offset: w.offset, ld: kSize, transposed: true, batchStride: 0)
                let source = GemmOperand(mem: gym, offset: gy.offset + first * g.outChannels * p, ld: p, transposed: false,
                                         batchStride: g.outChannels * p)
                let target = GemmOperand(mem: colMem, offset: 0, ld: p, transposed: false, batchStride: kSize * p)
                try gemmStridedBatched(m: kSize, n: p, k: g.outChannels, weightT, source, target, beta: 0, batch: images, op)
                try launch("col2im_f32", global: images * g.inChannels * g.inHeight * g.inWidth,
                           [.buffer(gxm), .i(xOffset), .buffer(colMem)] + geometryArguments(g, images: images, perImage: true))
                continue
            }
            let source = try gradientOperand(g, gy: gy, gym: gym, first: first, images: images, scratch: gyScratch, op)
            let weightT = GemmOperand(mem: wm, offset: w.offset, ld: kSize, transposed: true, batchStride: ocg * kSize)
            let pointwise = images == 1 && isPointwise(g)
            let target = pointwise
                ? GemmOperand(mem: gxm, offset: xOffset, ld: p, transposed: false, batchStride: kSize * p)
                : GemmOperand(mem: colMem, offset: 0, ld: images * p, transposed: false, batchStride: kSize * images * p)
            try groupedGemm(m: kSize, n: images * p, k: ocg, weightT, source, target, beta: 0, groups: g.groups, op)
            if !pointwise {
                try launch("col2im_f32", global: images * g.inChannels * g.inHeight * g.inWidth,
                           [.buffer(gxm), .i(xOffset), .buffer(colMem)] + geometryArguments(g, images: images))
            }
        }
    }

    /// Weight gradient by im2col + GEMM (split along k when the result is small).
    func im2colConv2dBackwardWeight(_ g: Conv2dGeometry, x: BufferView, gradY gy: BufferView,
                                      gradWeight gw: BufferView) throws {
        let op = "conv2dBackwardWeight"
        let xm = try checkedMem(x, op), gym = try checkedMem(gy, op), gwm = try checkedMem(gw, op)

        let p = g.outHeight * g.outWidth
        let kSize = g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        let ocg = g.outChannelsPerGroup
        let chunk = chunkSize(g)
        let colScratch = try columnScratch(g, chunk: chunk)
        defer { release(colScratch) }
        let gyScratch = chunk > 1 ? try scratch(g.outChannels * chunk * p) : nil
        defer { gyScratch.map(release) }

        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = min(chunk, g.batch - first)
            var col = try columns(g, x: x, xm: xm, first: first, images: images, scratch: colScratch)
            col.transposed = true
            col.batchStride = kSize * col.ld
            let source = try gradientOperand(g, gy: gy, gym: gym, first: first, images: images, scratch: gyScratch, op)
            let target = GemmOperand(mem: gwm, offset: gw.offset, ld: kSize, transposed: false, batchStride: ocg * kSize)
            // Chunks after the first accumulate into the gradient. The reduction runs over every
            // output pixel of the chunk while the result is small, so it is usually split along k.
            let beta: Float = first == 0 ? 0 : 1
            if let plan = splitKPlan(m: ocg, n: kSize, k: images * p, groups: g.groups) {
                try gemmSplitK(m: ocg, n: kSize, k: images * p, source, col, target, beta: beta, groups: g.groups,
                               plan: plan, op)
            } else {
                try groupedGemm(m: ocg, n: kSize, k: images * p, source, col, target, beta: beta, groups: g.groups, op)
            }
        }
    }

    /// One GEMM per group at the operands' batch strides: a single call either way.
    private func groupedGemm(m: Int, n: Int, k: Int, _ a: GemmOperand, _ b: GemmOperand, _ c: GemmOperand,
                             beta: Float, groups: Int, _ op: String) throws {
        if groups == 1 {
            try gemm(m: m, n: n, k: k, a, b, c, beta: beta, op)
        } else {
            try gemmStridedBatched(m: m, n: n, k: k, a, b, c, beta: beta, batch: groups, op)
        }
    }
}
