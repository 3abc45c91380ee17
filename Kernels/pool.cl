// 2-D max and average pooling over NCHW planes (PyTorch semantics, ceil_mode=False).
// Forward kernels: one work item per output element. Backward kernels gather: one work item per
// input element sums the outputs whose window holds it, so there are no atomics and the order of
// the additions is fixed (ascending output position, as a CPU scatter loop would add them).

__kernel void max_pool2d_f32(__global float* y, int yo, __global int* argmax, int ao, __global const float* x, int xo,
                             int planes, int H, int W, int OH, int OW, int KH, int KW,
                             int sy, int sx, int py, int px) {
    int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    int ox = index % OW;
    int t = index / OW;
    int oy = t % OH;
    int plane = t / OH;
    __global const float* p = x + xo + plane * H * W;
    int y0 = oy * sy - py, x0 = ox * sx - px;
    int ylo = max(y0, 0), yhi = min(y0 + KH, H), xlo = max(x0, 0), xhi = min(x0 + KW, W);
    // Strictly greater wins and a NaN always wins, as in PyTorch; padding never does.
    float best = -INFINITY;
    int where = ylo * W + xlo;
    for (int iy = ylo; iy < yhi; ++iy)
        for (int ix = xlo; ix < xhi; ++ix) {
            float v = p[iy * W + ix];
            if (v > best || isnan(v)) { best = v; where = iy * W + ix; }
        }
    y[yo + index] = best;
    argmax[ao + index] = where;
}

__kernel void max_pool2d_backward_f32(__global float* gx, int gxo, __global const float* gy, int gyo,
                                      __global const int* argmax, int ao,
                                      int planes, int H, int W, int OH, int OW, int KH, int KW,
                                      int sy, int sx, int py, int px) {
    int index = get_global_id(0);
    if (index >= planes * H * W) return;
    int ix = index % W;
    int t = index / W;
    int iy = t % H;
    int plane = t / H;
    int self = iy * W + ix;
    // Outputs whose window [o*s - p, o*s - p + K) holds this input.
    int oyLow = max(0, (iy + py - KH + sy) / sy), oyHigh = min(OH - 1, (iy + py) / sy);
    int oxLow = max(0, (ix + px - KW + sx) / sx), oxHigh = min(OW - 1, (ix + px) / sx);
    int base = plane * OH * OW;
    float acc = 0.0f;
    for (int oy = oyLow; oy <= oyHigh; ++oy)
        for (int ox = oxLow; ox <= oxHigh; ++ox) {
            int o = base + oy * OW + ox;
            if (argmax[ao + o] == self) acc += gy[gyo + o];
        }
    gx[gxo + index] = acc;
}

// PyTorch's divisor: the window clipped to the padded input, or to the input itself when padding
// is not counted.
inline float avg_divisor(int oy, int ox, int H, int W, int KH, int KW, int sy, int sx, int py, int px, int includePad) {
    int y0 = oy * sy - py, x0 = ox * sx - px;
    int y1 = min(y0 + KH, H + py), x1 = min(x0 + KW, W + px);
    int padded = (y1 - y0) * (x1 - x0);
    if (includePad) return (float)padded;
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, H); x1 = min(x1, W);
    return (float)((y1 - y0) * (x1 - x0));
}

__kernel void avg_pool2d_f32(__global float* y, int yo, __global const float* x, int xo,
                             int planes, int H, int W, int OH, int OW, int KH, int KW,
                             int sy, int sx, int py, int px, int includePad) {
    int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    int ox = index % OW;
    int t = index / OW;
    int oy = t % OH;
    int plane = t / OH;
    __global const float* p = x + xo + plane * H * W;
    int y0 = oy * sy - py, x0 = ox * sx - px;
    float acc = 0.0f;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); ++iy)
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ++ix)
            acc += p[iy * W + ix];
    y[yo + index] = acc / avg_divisor(oy, ox, H, W, KH, KW, sy, sx, py, px, includePad);
}

__kernel void avg_pool2d_backward_f32(__global float* gx, int gxo, __global const float* gy, int gyo,
                                      int planes, int H, int W, int OH, int OW, int KH, int KW,
                                      int sy, int sx, int py, int px, int includePad) {
    int index = get_global_id(0);
    if (index >= planes * H * W) return;
    int ix = index % W;
    int t = index / W;
    int iy = t % H;
    int plane = t / H;
    int oyLow = max(0, (iy + py - KH + sy) / sy), oyHigh = min(OH - 1, (iy + py) / sy);
    int oxLow = max(0, (ix + px - KW + sx) / sx), oxHigh = min(OW - 1, (ix + px) / sx);
    __global const float* g = gy + gyo + plane * OH * OW;
    float acc = 0.0f;
    for (int oy = oyLow; oy <= oyHigh; ++oy)
        for (int ox = oxLow; ox <= oxHigh; ++ox)
            acc += g[oy * OW + ox] / avg_divisor(oy, ox, H, W, KH, KW, sy, sx, py, px, includePad);
    gx[gxo + index] = acc;
}
