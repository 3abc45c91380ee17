// The epilogue of a GEMM or convolution: bias plus activation over an [outer, C, INNER] block in
// one pass, and its gradient. Built per shape and activation: C, INNER, ACTIVATION (0 identity,
// 1 relu, 2 tanh, 3 sigmoid: the same formulas as elementwise.cl, so a fused layer computes what
// the separate ops did) and HAS_BIAS are preprocessor constants; a plain build compiles an example.
#ifndef C
#define C 4
#define INNER 1
#define ACTIVATION 1
#define HAS_BIAS 1
#endif

#ifndef EPILOGUE_GROUP
#define EPILOGUE_GROUP 256
#endif

inline float epilogue_activate(float v) {
#if ACTIVATION == 1
    return v < 0.0f ? 0.0f : v;
#elif ACTIVATION == 2
    return tanh(v);
#elif ACTIVATION == 3
    return 1.0f / (1.0f + exp(-v));
#else
    return v;
#endif
}

// The activation's derivative from its output y.
inline float epilogue_derivative(float y) {
#if ACTIVATION == 1
    return y > 0.0f ? 1.0f : 0.0f;
#elif ACTIVATION == 2
    return 1.0f - y * y;
#elif ACTIVATION == 3
    return y * (1.0f - y);
#else
    return 1.0f;
#endif
}

// y = activation(x + bias[c]); y may be x. One item per element.
__kernel void bias_activation_f32(__global float* y, int yo, __global const float* x, int xo,
                                  __global const float* bias, int bo, int total) {
    int index = get_global_id(0);
    if (index >= total) return;
    float v = x[xo + index];
    if (HAS_BIAS) v += bias[bo + (index / INNER) % C];
    y[yo + index] = epilogue_activate(v);
}

// gradX = gradY * activation'(y). One item per element.
__kernel void bias_activation_backward_f32(__global float* gx, int gxo, __global const float* gy, int gyo,
                                           __global const float* y, int yo, int total) {
    int index = get_global_id(0);
    if (index >= total) return;
    gx[gxo + index] = gy[gyo + index] * epilogue_derivative(y[yo + index]);
}

// The same, plus gradBias[c] = the sum of channel c's gradX: one work-group per channel walks its
// outer * inner elements, writes them, and reduces their sum in local memory.
__kernel void bias_activation_backward_bias_f32(__global float* gx, int gxo, __global const float* gy, int gyo,
                                                __global const float* y, int yo, __global float* gradBias, int gbo,
                                                int outer) {
    __local float scratch[EPILOGUE_GROUP];
    int c = get_group_id(0);
    if (c >= C) return;
    int lid = get_local_id(0), size = get_local_size(0), M = outer * INNER;
    float sum = 0.0f;
    for (int i = lid; i < M; i += size) {
        int e = ((i / INNER) * C + c) * INNER + i % INNER;
        float g = gy[gyo + e] * epilogue_derivative(y[yo + e]);
        gx[gxo + e] = g;
        sum += g;
    }
    scratch[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = size / 2; step > 0; step /= 2) {
        if (lid < step) scratch[lid] += scratch[lid + step];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) gradBias[gbo + c] = scratch[0];
}
