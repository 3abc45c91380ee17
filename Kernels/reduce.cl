// Reductions over the middle axis of a strided [outer, reduced, inner] view into a contiguous
// [outer, inner] output.
//
//   <op>_f32_rows  one work-group per output, its work items striding over the reduced axis, then a
//                  tree reduction in local memory; for long reductions with few outputs.
//   <op>_f32_cols  one work item per output looping over the reduced axis; for many outputs (reads
//                  are coalesced when the inner stride is 1).
// Work-groups of the rows variant have a power-of-two size of at most REDUCE_WG.
// `divisor` turns a sum into a mean (1 for sum). argmax keeps the first maximal index. A NaN counts
// as larger than everything, as in PyTorch.

// max that lets a NaN through (fmax would drop it).
inline float nan_max(float a, float b) { return (b > a || (isnan(b) && !isnan(a))) ? b : a; }

#define REDUCE_WG 256

__kernel void sum_f32_rows(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si, float divisor) {
    __local float partial[REDUCE_WG];
    int g = get_group_id(0);
    if (g >= outer * inner) return;
    int lid = get_local_id(0), size = get_local_size(0);
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float acc = 0.0f;
    for (int r = lid; r < reduced; r += size) acc += p[r * sr];
    partial[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) partial[lid] += partial[lid + span];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = partial[0] / divisor;
}

__kernel void sum_f32_cols(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si, float divisor) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float acc = 0.0f;
    for (int r = 0; r < reduced; ++r) acc += p[r * sr];
    y[yo + g] = acc / divisor;
}

__kernel void max_f32_rows(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si) {
    __local float partial[REDUCE_WG];
    int g = get_group_id(0);
    if (g >= outer * inner) return;
    int lid = get_local_id(0), size = get_local_size(0);
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float best = -INFINITY;
    for (int r = lid; r < reduced; r += size) best = nan_max(best, p[r * sr]);
    partial[lid] = best;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) partial[lid] = nan_max(partial[lid], partial[lid + span]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = partial[0];
}

__kernel void max_f32_cols(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float best = -INFINITY;
    for (int r = 0; r < reduced; ++r) best = nan_max(best, p[r * sr]);
    y[yo + g] = best;
}

// Candidate (value, index) b replaces a when a is empty (-1), b is larger, or equal with a smaller index.
inline bool argmax_better(float bv, int bi, float av, int ai) {
    if (bi < 0) return false;
    if (ai < 0) return true;
    bool bNaN = isnan(bv), aNaN = isnan(av);
    if (bNaN || aNaN) return bNaN && (!aNaN || bi < ai);
    return bv > av || (bv == av && bi < ai);
}

__kernel void argmax_f32_rows(__global int* y, int yo, __global const float* x, int xo,
                              int outer, int reduced, int inner, int so, int sr, int si) {
    __local float values[REDUCE_WG];
    __local int indices[REDUCE_WG];
    int g = get_group_id(0);
    if (g >= outer * inner) return;
    int lid = get_local_id(0), size = get_local_size(0);
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float best = -INFINITY;
    int index = -1;
    for (int r = lid; r < reduced; r += size) {
        float v = p[r * sr];
        if (index < 0 || v > best || (isnan(v) && !isnan(best))) { best = v; index = r; }
    }
    values[lid] = best;
    indices[lid] = index;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span && argmax_better(values[lid + span], indices[lid + span], values[lid], indices[lid])) {
            values[lid] = values[lid + span];
            indices[lid] = indices[lid + span];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = max(indices[0], 0);
}

__kernel void argmax_f32_cols(__global int* y, int yo, __global const float* x, int xo,
                              int outer, int reduced, int inner, int so, int sr, int si) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, j = g - o * inner;
    __global const float* p = x + xo + o * so + j * si;
    float best = -INFINITY;
    int index = 0;
    for (int r = 0; r < reduced; ++r) {
        float v = p[r * sr];
        if (r == 0 || v > best || (isnan(v) && !isnan(best))) { best = v; index = r; }
    }
    y[yo + g] = index;
}

// Split-K GEMM's final step: y[i] = beta·y[i] + the sum of `slices` partial blocks of `n` floats,
// in slice order (the same result every run). With beta 0, y is not read.
__kernel void sum_slices_f32(__global float* y, int yo, __global const float* partial, int slices, int n,
                             float beta) {
    int i = get_global_id(0);
    if (i >= n) return;
    float acc = 0.0f;
    for (int s = 0; s < slices; ++s) acc += partial[s * n + i];
    y[yo + i] = beta == 0.0f ? acc : beta * y[yo + i] + acc;
}

// count[co] += the number of rows of x [N, C] whose first maximal value (NaN counting as maximal,
// as argmax_f32_rows does) sits at the row's label. One work-group of REDUCE_WG items walks the rows.
__kernel void count_correct_f32(__global float* count, int co, __global const float* x, int xo,
                                __global const int* labels, int lo, int ls, int N, int C) {
    __local int partial[REDUCE_WG];
    int lid = get_local_id(0), size = get_local_size(0);
    int correct = 0;
    for (int r = lid; r < N; r += size) {
        __global const float* row = x + xo + r * C;
        float best = row[0];
        int index = 0;
        for (int k = 1; k < C; ++k) {
            float v = row[k];
            if (v > best || (isnan(v) && !isnan(best))) { best = v; index = k; }
        }
        if (labels[lo + r * ls] == index) correct += 1;
    }
    partial[lid] = correct;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) partial[lid] += partial[lid + span];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) count[co] += (float)partial[0];
}
