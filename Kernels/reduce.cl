// Reductions over the middle axis of a strided [outer, reduced, inner] view into a contiguous
// [outer, inner] output.
//
//   <op>_f32_rows  one work-group per output, its work items striding over the reduced axis, then a
//                  tree reduction in local memory; for long reductions with few outputs.
//   <op>_f32_cols  one work item per output looping over the reduced axis; for many outputs (reads
//                  are coalesced when the inner stride is 1).
// Work-groups of the rows variant have a power-of-two size of at most REDUCE_WG.
// `divisor` turns a sum into a mean (1 for sum). argmax keeps the first maximal index.

#define REDUCE_WG 256

__kernel void sum_f32_rows(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si, float divisor) {
    __local float partial[REDUCE_WG];
    int g = get_group_id(0);
    if (g >= outer * inner) return;
    int lid = get_local_id(0), size = get_local_size(0);
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
    float acc = 0.0f;
    for (int r = lid; r < reduced; r += size) acc += p[r * sr];
    partial[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half = size / 2; half > 0; half /= 2) {
        if (lid < half) partial[lid] += partial[lid + half];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = partial[0] / divisor;
}

__kernel void sum_f32_cols(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si, float divisor) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
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
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
    float best = -INFINITY;
    for (int r = lid; r < reduced; r += size) best = fmax(best, p[r * sr]);
    partial[lid] = best;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half = size / 2; half > 0; half /= 2) {
        if (lid < half) partial[lid] = fmax(partial[lid], partial[lid + half]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = partial[0];
}

__kernel void max_f32_cols(__global float* y, int yo, __global const float* x, int xo,
                           int outer, int reduced, int inner, int so, int sr, int si) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
    float best = -INFINITY;
    for (int r = 0; r < reduced; ++r) best = fmax(best, p[r * sr]);
    y[yo + g] = best;
}

// Candidate (value, index) b replaces a when a is empty (-1), b is larger, or equal with a smaller index.
inline bool argmax_better(float bv, int bi, float av, int ai) {
    return bi >= 0 && (ai < 0 || bv > av || (bv == av && bi < ai));
}

__kernel void argmax_f32_rows(__global int* y, int yo, __global const float* x, int xo,
                              int outer, int reduced, int inner, int so, int sr, int si) {
    __local float values[REDUCE_WG];
    __local int indices[REDUCE_WG];
    int g = get_group_id(0);
    if (g >= outer * inner) return;
    int lid = get_local_id(0), size = get_local_size(0);
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
    float best = -INFINITY;
    int index = -1;
    for (int r = lid; r < reduced; r += size) {
        float v = p[r * sr];
        if (index < 0 || v > best) { best = v; index = r; }
    }
    values[lid] = best;
    indices[lid] = index;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int half = size / 2; half > 0; half /= 2) {
        if (lid < half && argmax_better(values[lid + half], indices[lid + half], values[lid], indices[lid])) {
            values[lid] = values[lid + half];
            indices[lid] = indices[lid + half];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) y[yo + g] = max(indices[0], 0);
}

__kernel void argmax_f32_cols(__global int* y, int yo, __global const float* x, int xo,
                              int outer, int reduced, int inner, int so, int sr, int si) {
    int g = get_global_id(0);
    if (g >= outer * inner) return;
    int o = g / inner, in = g - o * inner;
    __global const float* p = x + xo + o * so + in * si;
    float best = -INFINITY;
    int index = 0;
    for (int r = 0; r < reduced; ++r) {
        float v = p[r * sr];
        if (r == 0 || v > best) { best = v; index = r; }
    }
    y[yo + g] = index;
}
