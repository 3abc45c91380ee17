// Local response normalisation across channels (PyTorch's convention), NCHW contiguous.
// scale = k + alpha/size * sum of x² over channels [c - size/2, c + (size-1)/2] (clipped),
// y = x * scale^-beta. One work item per element; `alphaOverSize` comes from the host.
// The scale is never stored: the backward pass recomputes it from x, which keeps a normalisation
// layer's saved state to its input and output.

// The scale of channel c at the pixel whose channel-0 element is p.
inline float lrn_scale(__global const float* p, int c, int C, int HW, int size, float alphaOverSize, float k) {
    int low = max(0, c - size / 2), high = min(C - 1, c + (size - 1) / 2);
    float sum = 0.0f;
    for (int j = low; j <= high; ++j) { float v = p[j * HW]; sum += v * v; }
    return k + alphaOverSize * sum;
}

__kernel void lrn_f32(__global float* y, int yo, __global const float* x, int xo,
                      int N, int C, int HW, int size, float alphaOverSize, float beta, float k) {
    int index = get_global_id(0);
    if (index >= N * C * HW) return;
    int hw = index % HW;
    int c = (index / HW) % C;
    int n = index / (HW * C);
    __global const float* p = x + xo + n * C * HW + hw;
    y[yo + index] = p[c * HW] * pow(lrn_scale(p, c, C, HW, size, alphaOverSize, k), -beta);
}

// gradX[c] = gradY[c] * scale[c]^-beta
//          - coefficient (2 * alpha * beta / size, from the host) * x[c] * sum over the channels c' whose window holds c
//            (c' in [c - (size-1)/2, c + size/2]) of gradY[c'] * y[c'] / scale[c'].
__kernel void lrn_backward_f32(__global float* gx, int gxo, __global const float* x, int xo, __global const float* y, int yo,
                               __global const float* gy, int gyo, int N, int C, int HW, int size, float alphaOverSize,
                               float k, float coefficient, float beta) {
    int index = get_global_id(0);
    if (index >= N * C * HW) return;
    int hw = index % HW;
    int c = (index / HW) % C;
    int n = index / (HW * C);
    int base = n * C * HW + hw;
    __global const float* p = x + xo + base;
    int low = max(0, c - (size - 1) / 2), high = min(C - 1, c + size / 2);
    float sum = 0.0f;
    for (int j = low; j <= high; ++j) {
        int e = base + j * HW;
        sum += gy[gyo + e] * y[yo + e] / lrn_scale(p, j, C, HW, size, alphaOverSize, k);
    }
    float own = lrn_scale(p, c, C, HW, size, alphaOverSize, k);
    gx[gxo + index] = gy[gyo + index] * pow(own, -beta) - coefficient * p[c * HW] * sum;
}
