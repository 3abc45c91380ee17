// Counter-based random numbers, bit for bit the generator of SynapseBackend's CounterRandom:
// SplitMix64's finaliser over seed + (counter + 1) * golden ratio. Element i of the output uses
// counter offset + i (normal: counters 2(offset + i) and 2(offset + i) + 1), so any device and the
// CPU draw the same numbers with no state on the host.

// No contraction of a*b+c into fma: the CPU computes these with separate roundings.
#pragma OPENCL FP_CONTRACT OFF

inline ulong counter_bits(ulong seed, ulong counter) {
    ulong z = seed + (counter + 1UL) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

// Uniform on [0, 1) with 24 random bits (exact in float).
inline float counter_unit(ulong seed, ulong counter) {
    return (float)(counter_bits(seed, counter) >> 40) * (1.0f / 16777216.0f);
}

__kernel void uniform_f32(__global float* y, int yo, int n, ulong seed, ulong offset, float low, float high) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[yo + i] = low + (high - low) * counter_unit(seed, offset + (ulong)i);
}

// Box–Muller; u1 in (0, 1] so the log is finite.
__kernel void normal_f32(__global float* y, int yo, int n, ulong seed, ulong offset, float mean, float std) {
    int i = get_global_id(0);
    if (i >= n) return;
    ulong index = offset + (ulong)i;
    float u1 = (float)((counter_bits(seed, 2UL * index) >> 40) + 1UL) * (1.0f / 16777216.0f);
    float u2 = counter_unit(seed, 2UL * index + 1UL);
    float radius = sqrt(-2.0f * log(u1));
    y[yo + i] = mean + std * radius * cos((2.0f * M_PI_F) * u2);
}

// 1/keep (computed on the host, so it is the CPU's value) with probability keep, else 0.
__kernel void dropout_mask_f32(__global float* y, int yo, int n, ulong seed, ulong offset, float keep, float scale) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[yo + i] = counter_unit(seed, offset + (ulong)i) < keep ? scale : 0.0f;
}
