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

// Batch normalisation over NCHW (PyTorch's batch_norm). A channel's M = N * HW values are reduced
// by one work-group (BN_GROUP items, a power of two); the elementwise passes take one item each.

#ifndef BN_GROUP
#define BN_GROUP 256
#endif

// Sum over the work-group of `value`, left in every item's return value.
inline float bn_group_sum(__local float* scratch, float value) {
    int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = get_local_size(0) / 2; step > 0; step /= 2) {
        if (lid < step) scratch[lid] += scratch[lid + step];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// One group per channel: the batch mean, invStd = 1/sqrt(biased variance + eps) (two passes), and
// the running statistics updated in place with the unbiased variance.
__kernel void batch_norm_stats_f32(__global const float* x, int xo, int N, int C, int HW, float eps, float momentum,
                                   __global float* mean, int mo, __global float* invStd, int so,
                                   __global float* runningMean, int rmo, __global float* runningVar, int rvo) {
    __local float scratch[BN_GROUP];
    int c = get_group_id(0);
    if (c >= C) return;
    int M = N * HW;
    float sum = 0.0f;
    for (int i = get_local_id(0); i < M; i += get_local_size(0)) sum += x[xo + ((i / HW) * C + c) * HW + i % HW];
    float m = bn_group_sum(scratch, sum) / (float)M;
    float squares = 0.0f;
    for (int i = get_local_id(0); i < M; i += get_local_size(0)) {
        float d = x[xo + ((i / HW) * C + c) * HW + i % HW] - m;
        squares += d * d;
    }
    float total = bn_group_sum(scratch, squares);
    if (get_local_id(0) == 0) {
        mean[mo + c] = m;
        invStd[so + c] = 1.0f / sqrt(total / (float)M + eps);
        runningMean[rmo + c] = runningMean[rmo + c] * (1.0f - momentum) + m * momentum;
        runningVar[rvo + c] = runningVar[rvo + c] * (1.0f - momentum) + total / (float)(M - 1) * momentum;
    }
}

// One group per channel: the mean and the sum of squared deviations from it (two passes), the
// parts of the statistics that the ranks of a synchronised batch norm combine.
__kernel void batch_norm_moments_f32(__global const float* x, int xo, int N, int C, int HW,
                                     __global float* mean, int mo, __global float* squaredDeviations, int qo) {
    __local float scratch[BN_GROUP];
    int c = get_group_id(0);
    if (c >= C) return;
    int M = N * HW;
    float sum = 0.0f;
    for (int i = get_local_id(0); i < M; i += get_local_size(0)) sum += x[xo + ((i / HW) * C + c) * HW + i % HW];
    float m = bn_group_sum(scratch, sum) / (float)M;
    float squares = 0.0f;
    for (int i = get_local_id(0); i < M; i += get_local_size(0)) {
        float d = x[xo + ((i / HW) * C + c) * HW + i % HW] - m;
        squares += d * d;
    }
    float total = bn_group_sum(scratch, squares);
    if (get_local_id(0) == 0) {
        mean[mo + c] = m;
        squaredDeviations[qo + c] = total;
    }
}

// y = x * scale + shift with scale = weight * invStd and shift = bias - mean * scale. `fromVariance`:
// `spread` holds variances (evaluation, running statistics), else invStd (training).
__kernel void batch_norm_apply_f32(__global float* y, int yo, __global const float* x, int xo, int N, int C, int HW,
                                   __global const float* weight, int wo, __global const float* bias, int bo,
                                   __global const float* mean, int mo, __global const float* spread, int so,
                                   int fromVariance, float eps) {
    int index = get_global_id(0);
    if (index >= N * C * HW) return;
    int c = (index / HW) % C;
    float s = fromVariance ? 1.0f / sqrt(spread[so + c] + eps) : spread[so + c];
    float scale = weight[wo + c] * s;
    float shift = bias[bo + c] - mean[mo + c] * scale;
    y[yo + index] = x[xo + index] * scale + shift;
}

// One group per channel: gradBias = sum(gradY), gradWeight = sum(gradY * (x - mean)) * invStd.
__kernel void batch_norm_backward_reduce_f32(__global const float* x, int xo, __global const float* gy, int gyo,
                                             int N, int C, int HW, __global const float* mean, int mo,
                                             __global const float* invStd, int so,
                                             __global float* gradWeight, int gwo, __global float* gradBias, int gbo) {
    __local float scratch[BN_GROUP];
    int c = get_group_id(0);
    if (c >= C) return;
    int M = N * HW;
    float m = mean[mo + c];
    float sumG = 0.0f, sumGX = 0.0f;
    for (int i = get_local_id(0); i < M; i += get_local_size(0)) {
        int e = ((i / HW) * C + c) * HW + i % HW;
        float g = gy[gyo + e];
        sumG += g;
        sumGX += g * (x[xo + e] - m);
    }
    float totalG = bn_group_sum(scratch, sumG);
    float totalGX = bn_group_sum(scratch, sumGX);
    if (get_local_id(0) == 0) {
        gradBias[gbo + c] = totalG;
        gradWeight[gwo + c] = totalGX * invStd[so + c];
    }
}

// gradX = weight * invStd * (gradY - gradBias / M - xhat * gradWeight / M) in training (the batch
// statistics depend on x; M is the values per channel the sums were taken over: N * HW, or the
// global batch's in a synchronised batch norm), weight * invStd * gradY in evaluation.
__kernel void batch_norm_backward_apply_f32(__global float* gx, int gxo, __global const float* x, int xo,
                                            __global const float* gy, int gyo, int N, int C, int HW,
                                            __global const float* weight, int wo, __global const float* mean, int mo,
                                            __global const float* invStd, int so, __global const float* gradWeight, int gwo,
                                            __global const float* gradBias, int gbo, int training, float M) {
    int index = get_global_id(0);
    if (index >= N * C * HW) return;
    int c = (index / HW) % C;
    float s = invStd[so + c];
    float g = gy[gyo + index];
    if (training) {
        float xhat = (x[xo + index] - mean[mo + c]) * s;
        g = g - gradBias[gbo + c] / M - xhat * gradWeight[gwo + c] / M;
    }
    gx[gxo + index] = weight[wo + c] * s * g;
}
