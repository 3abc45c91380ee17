// Row-wise softmax, log-softmax and cross-entropy over contiguous rows [rows, cols] (row stride
// `ld`). One work-group per row; max and sum are reduced in local memory, so a row is read a few
// times but never leaves the work-group. Work-groups are a power of two of at most SOFTMAX_WG.
// A NaN in a row makes the row's maximum NaN (and so the whole row NaN), as on the CPU.

inline float nan_max(float a, float b) { return (b > a || (isnan(b) && !isnan(a))) ? b : a; }

#define SOFTMAX_WG 256

// Max of row p[0..cols) across the work-group (every work item gets it).
inline float group_max(__global const float* p, int cols, __local float* scratch) {
    int lid = get_local_id(0), size = get_local_size(0);
    float m = -INFINITY;
    for (int c = lid; c < cols; c += size) m = nan_max(m, p[c]);
    scratch[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) scratch[lid] = nan_max(scratch[lid], scratch[lid + span]);
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
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) scratch[lid] += scratch[lid + span];
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
    float inverse = 1.0f / s;
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) q[c] = exp(p[c] - m) * inverse;
}

__kernel void log_softmax_f32(__global float* y, int yo, __global const float* x, int xo, int ld,
                              int rows, int cols) {
    __local float scratch[SOFTMAX_WG];
    int row = get_group_id(0);
    if (row >= rows) return;
    __global const float* p = x + xo + row * ld;
    __global float* q = y + yo + row * cols;
    float m = group_max(p, cols, scratch);
    float shift = m + log(group_sum_exp(p, cols, m, scratch));
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) q[c] = p[c] - shift;
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

// grad[n, c] = (softmax(row n)[c] - (c == label n)) * gradLoss[n]; a NaN row for a label outside 0..<cols.
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
    bool valid = label >= 0 && label < cols;
    float inverse = 1.0f / s;
    for (int c = get_local_id(0); c < cols; c += get_local_size(0)) {
        float prob = exp(p[c] - m) * inverse;
        q[c] = !valid ? NAN : (c == label ? (prob - 1.0f) * scale : prob * scale);
    }
}
