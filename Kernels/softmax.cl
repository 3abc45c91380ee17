// Row-wise softmax, log-softmax and cross-entropy over contiguous rows [rows, cols] (row stride
// `ld`). One work-group per row; max and sum are reduced in local memory, so a row is read a few
// times but never leaves the work-group. Work-groups are a power of two of at most SOFTMAX_WG.

#define SOFTMAX_WG 256

// Max of row p[0..cols) across the work-group (every work item gets it).
inline float group_max(__global const float* p, int cols, __local float* scratch) {
    int lid = get_local_id(0), size = get_local_size(0);
    float m = -INFINITY;
    for (int c = lid; c < cols; c += size) m = fmax(m, p[c]);
    scratch[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half = size / 2; half > 0; half /= 2) {
        if (lid < half) scratch[lid] = fmax(scratch[lid], scratch[lid + half]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

// Sum of exp(p[c] - m) across the work-group (every work item gets it).
inline float group_sum_exp(__global const float* p, int cols, float m, __local float* scratch) {
    int lid = get_local_id(0), size = get_local_size(0);
    float s = 0.0f;
    for (int c = lid; c < cols; c += size) s += exp(p[c] - m);
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half = size / 2; half > 0; half /= 2) {
        if (lid < half) scratch[lid] += scratch[lid + half];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

__kernel void softmax_f32(__global float* y, int yo, __global const float* x, int xo, int ld,
                          int rows, int cols) {
    __local float scratch[SOFTMAX_WG];
    int row = get_group_id(0);
    if (row >= rows) return;
    __global const float* p = x + xo + row * ld;
    __global float* q = y + yo + row * cols;
    float m = group_max(p, cols, scratch);
    float s = group_sum_exp(p, cols, m, scratch);
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) q[c] = exp(p[c] - m) / s;
}

__kernel void log_softmax_f32(__global float* y, int yo, __global const float* x, int xo, int ld,
                              int rows, int cols) {
    __local float scratch[SOFTMAX_WG];
    int row = get_group_id(0);
    if (row >= rows) return;
    __global const float* p = x + xo + row * ld;
    __global float* q = y + yo + row * cols;
    float m = group_max(p, cols, scratch);
    float logSum = log(group_sum_exp(p, cols, m, scratch));
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) q[c] = (p[c] - m) - logSum;
}

// loss[n] = logsumexp(row n) - row n[label n]; NaN when the label is outside 0..<cols.
// Labels and loss gradients are read with a stride (0 broadcasts one value to every row).
__kernel void cross_entropy_f32(__global float* loss, int lo, __global const float* x, int xo, int ld,
                                __global const int* labels, int lbo, int lbs, int rows, int cols) {
    __local float scratch[SOFTMAX_WG];
    int row = get_group_id(0);
    if (row >= rows) return;
    __global const float* p = x + xo + row * ld;
    float m = group_max(p, cols, scratch);
    float s = group_sum_exp(p, cols, m, scratch);
    if (get_local_id(0) == 0) {
        int label = labels[lbo + row * lbs];
        loss[lo + row] = (label >= 0 && label < cols) ? (m + log(s)) - p[label] : NAN;
    }
}

// grad[n, c] = (softmax(row n)[c] - (c == label n)) * gradLoss[n].
__kernel void cross_entropy_backward_f32(__global float* g, int go, __global const float* x, int xo, int ld,
                                         __global const int* labels, int lbo, int lbs,
                                         __global const float* gl, int glo, int gls, int rows, int cols) {
    __local float scratch[SOFTMAX_WG];
    int row = get_group_id(0);
    if (row >= rows) return;
    __global const float* p = x + xo + row * ld;
    __global float* q = g + go + row * cols;
    float m = group_max(p, cols, scratch);
    float s = group_sum_exp(p, cols, m, scratch);
    int label = labels[lbo + row * lbs];
    float scale = gl[glo + row * gls];
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) {
        float prob = exp(p[c] - m) / s;
        q[c] = (prob - (c == label ? 1.0f : 0.0f)) * scale;
    }
}
