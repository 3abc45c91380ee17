// im2col / col2im for 2-D convolution as GEMM (NCHW input, PyTorch geometry).
//
// The column matrix of a chunk of B images has rows (c, ky, kx) = c*KH*KW + ky*KW + kx and columns
// (b, oy, ox) = b*OH*OW + oy*OW + ox, so for group g the rows [g*Cg*KH*KW, (g+1)*Cg*KH*KW) form one
// GEMM operand and the whole chunk is one GEMM per group. With `perImage` set, each image has its
// own [rows, OH*OW] block instead (element (b, row, p) at (b*rows + row)*P + p): a batched GEMM
// over the images then reads and writes NCHW directly, with no permuting copy.

// One work item per column element; x points at the chunk's first image.
__kernel void im2col_f32(__global float* col, __global const float* x, int xo, int B, int C, int H, int W,
                         int KH, int KW, int sy, int sx, int py, int px, int dy, int dx, int OH, int OW,
                         int perImage) {
    int index = get_global_id(0);
    int P = OH * OW;
    int rows = C * KH * KW;
    int total = rows * B * P;
    if (index >= total) return;
    int p = index % P;
    int t = index / P;
    int b = perImage ? t / rows : t % B;
    int row = perImage ? t % rows : t / B;
    int kx = row % KW;
    int ky = (row / KW) % KH;
    int c = row / (KW * KH);
    int oy = p / OW, ox = p - oy * OW;
    int iy = oy * sy - py + ky * dy;
    int ix = ox * sx - px + kx * dx;
    float v = 0.0f;
    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[xo + ((b * C + c) * H + iy) * W + ix];
    col[index] = v;
}

// One work item per input element of the chunk: gathers every column entry that came from it, so
// the result is written once, without atomics, in a fixed order.
__kernel void col2im_f32(__global float* x, int xo, __global const float* col, int B, int C, int H, int W,
                         int KH, int KW, int sy, int sx, int py, int px, int dy, int dx, int OH, int OW,
                         int perImage) {
    int index = get_global_id(0);
    if (index >= B * C * H * W) return;
    int ix = index % W;
    int t = index / W;
    int iy = t % H;
    t /= H;
    int c = t % C;
    int b = t / C;
    int P = OH * OW;
    float acc = 0.0f;
    for (int ky = 0; ky < KH; ++ky) {
        int ty = iy + py - ky * dy;
        if (ty < 0 || ty % sy != 0) continue;
        int oy = ty / sy;
        if (oy >= OH) continue;
        for (int kx = 0; kx < KW; ++kx) {
            int tx = ix + px - kx * dx;
            if (tx < 0 || tx % sx != 0) continue;
            int ox = tx / sx;
            if (ox >= OW) continue;
            int row = (c * KH + ky) * KW + kx;
            acc += col[(perImage ? b * C * KH * KW + row : row * B + b) * P + oy * OW + ox];
        }
    }
    x[xo + index] = acc;
}
