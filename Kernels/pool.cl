// 2-D max and average pooling over NCHW planes (PyTorch semantics, ceil_mode=False).
// Forward kernels: one work item per output element. Backward kernels gather: one work item per
// input element sums the outputs whose window holds it, so there are no atomics and the order of
// the additions is fixed (ascending output position, as a CPU scatter loop would add them).
//
// Built once per geometry: the plane size H x W, output OH x OW, kernel KH x KW, stride SY, SX,
// padding PY, PX and INCLUDE_PAD are preprocessor constants (divisions by them fold into
// multiplications, which matters on CPUs); only the number of planes is an argument. A plain build
// compiles an example geometry.
#ifndef H
#define H 8
#define W 8
#define OH 4
#define OW 4
#define KH 2
#define KW 2
#define SY 2
#define SX 2
#define PY 0
#define PX 0
#define INCLUDE_PAD 1
#endif

__kernel void max_pool2d_f32(__global float* y, int yo, __global int* argmax, int ao, __global const float* x, int xo,
                             int planes) {
    int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    int ox = index % OW;
    int t = index / OW;
    int oy = t % OH;
    int plane = t / OH;
    __global const float* p = x + xo + plane * H * W;
    int y0 = oy * SY - PY, x0 = ox * SX - PX;
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
                                      int planes) {
    int index = get_global_id(0);
    if (index >= planes * H * W) return;
    int ix = index % W;
    int t = index / W;
    int iy = t % H;
    int plane = t / H;
    int self = iy * W + ix;
    // Outputs whose window [o*s - p, o*s - p + K) holds this input.
    int oyLow = max(0, (iy + PY - KH + SY) / SY), oyHigh = min(OH - 1, (iy + PY) / SY);
    int oxLow = max(0, (ix + PX - KW + SX) / SX), oxHigh = min(OW - 1, (ix + PX) / SX);
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
inline float avg_divisor(int oy, int ox) {
    int y0 = oy * SY - PY, x0 = ox * SX - PX;
    int y1 = min(y0 + KH, H + PY), x1 = min(x0 + KW, W + PX);
    int padded = (y1 - y0) * (x1 - x0);
    if (INCLUDE_PAD) return (float)padded;
    y0 = max(y0, 0); x0 = max(x0, 0); y1 = min(y1, H); x1 = min(x1, W);
    return (float)((y1 - y0) * (x1 - x0));
}

__kernel void avg_pool2d_f32(__global float* y, int yo, __global const float* x, int xo,
                             int planes) {
    int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    int ox = index % OW;
    int t = index / OW;
    int oy = t % OH;
    int plane = t / OH;
    __global const float* p = x + xo + plane * H * W;
    int y0 = oy * SY - PY, x0 = ox * SX - PX;
    float acc = 0.0f;
    for (int iy = max(y0, 0); iy < min(y0 + KH, H); ++iy)
        for (int ix = max(x0, 0); ix < min(x0 + KW, W); ++ix)
            acc += p[iy * W + ix];
    y[yo + index] = acc / avg_divisor(oy, ox);
}

__kernel void avg_pool2d_backward_f32(__global float* gx, int gxo, __global const float* gy, int gyo,
                                      int planes) {
    int index = get_global_id(0);
    if (index >= planes * H * W) return;
    int ix = index % W;
    int t = index / W;
    int iy = t % H;
    int plane = t / H;
    __global const float* g = gy + gyo + plane * OH * OW;
#if SY == KH && SX == KW && PY == 0 && PX == 0
    // Windows that tile the input without overlap or padding: one output per input pixel at most,
    // all with the full window as divisor.
    int oy = iy / KH, ox = ix / KW;
    gx[gxo + index] = oy < OH && ox < OW ? g[oy * OW + ox] / (float)(KH * KW) : 0.0f;
#else
    int oyLow = max(0, (iy + PY - KH + SY) / SY), oyHigh = min(OH - 1, (iy + PY) / SY);
    int oxLow = max(0, (ix + PX - KW + SX) / SX), oxHigh = min(OW - 1, (ix + PX) / SX);
    float acc = 0.0f;
    for (int oy = oyLow; oy <= oyHigh; ++oy)
        for (int ox = oxLow; ox <= oxHigh; ++ox)
            acc += g[oy * OW + ox] / avg_divisor(oy, ox);
    gx[gxo + index] = acc;
#endif
}
